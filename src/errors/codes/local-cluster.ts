/** The local control plane built from local-cluster/ for tests, the demo and benchmarks. */
export const localClusterErrorCodes = {
  EC_LOCAL_CLUSTER_GO_MISSING:
    'Go 1.25 or newer is needed to build the local control plane and was not found.',
  EC_LOCAL_CLUSTER_BUILD_FAILED:
    'Building the local control-plane binary failed; the Go compiler output is attached.',
  EC_LOCAL_CLUSTER_START_FAILED: 'The local control plane exited during start-up; its log tail is attached.',
  EC_LOCAL_CLUSTER_NOT_READY: 'The local control plane did not become ready in time and was stopped.',
  EC_LOCAL_CLUSTER_NOT_RUNNING: 'No local control plane is running in the given data dir.',
  EC_LOCAL_CLUSTER_CONTROL_FAILED: 'Stopping or starting one component of the local control plane failed.',
} as const;
