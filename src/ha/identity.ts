/**
 * Who this replica is: the name other replicas see on its Lease and on the nodes it owns. Pure: the caller
 * reads the environment.
 * @module
 */

/** What {@link replicaIdentity} reads. */
export interface IdentitySource {
  /** `POD_NAME` (the downward API in deploy/deployment.yaml), if set. */
  readonly podName?: string | undefined;
  readonly hostname: string;
  readonly pid: number;
  /** Whether the process runs in a pod (`KUBERNETES_SERVICE_HOST` set). */
  readonly inPod: boolean;
}

/**
 * The pod name when there is one (unique among live pods and stable for the pod's life); in a pod without
 * the downward API, the hostname (a pod's hostname is its name); outside a pod `<host>-<pid>`, because two
 * replicas started on one machine (the tests, a laptop) share the host name.
 */
export function replicaIdentity(source: IdentitySource): string {
  const pod = source.podName?.trim();
  if (pod !== undefined && pod !== '') return pod;
  if (source.inPod) return source.hostname;
  return `${source.hostname}-${String(source.pid)}`;
}

/**
 * The replica's Lease name: `edge-controller-<identity>`, lower-cased, with anything a DNS-1123 subdomain
 * does not allow replaced by `-`, at most 253 characters.
 */
export function replicaLeaseName(identity: string): string {
  const cleaned = identity
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
  return `edge-controller-${cleaned === '' ? 'replica' : cleaned}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}
