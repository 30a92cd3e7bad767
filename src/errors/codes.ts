/**
 * The catalogue of stable error codes, one group per area, each with the one-line meaning that
 * docs/errors.md repeats (a catalogue test keeps the two in step). Codes are `EC_<AREA>_<WHAT>`.
 * @module
 */

/** Configuration: flags, config files, options objects. */
export const configErrorCodes = {
  EC_CONFIG_INVALID: 'A configuration value or option is invalid; the message names the field and the fix.',
} as const;

/** The Kubernetes API: kubeconfig loading and API responses, classified by kube/api-errors.ts. */
export const kubeErrorCodes = {
  EC_KUBE_CONFIG_NOT_FOUND: 'No kubeconfig was found (flag, KUBECONFIG, in-cluster or ~/.kube/config).',
  EC_KUBE_NOT_FOUND: 'The API object does not exist (404).',
  EC_KUBE_CONFLICT: 'The write conflicted with another writer or the object already exists (409).',
  EC_KUBE_GONE: 'The resourceVersion is too old to watch from (410); the informer relists.',
  EC_KUBE_UNAVAILABLE:
    'The API server is unreachable, overloaded (429) or failing (5xx); retried with backoff.',
  EC_KUBE_UNAUTHORIZED: 'The API server did not accept our credentials (401).',
  EC_KUBE_REJECTED: 'The API server refused the request for good (400, 403, 422 and other 4xx); not retried.',
} as const;

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

/** Every code with its meaning. */
export const errorCatalogue = {
  ...configErrorCodes,
  ...kubeErrorCodes,
  ...localClusterErrorCodes,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof errorCatalogue;
