/**
 * Module names as they appear in `route.source` and `route.group` (spec §2.4). KubeEdge addresses its
 * in-process modules by these strings (beehive); on the wire they only label where a message came from
 * and which edge handler takes it. Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/common/modules/modules.go`,
 * `cloud/pkg/cloudhub/common/model/types.go`.
 * @module
 */

/** `route.group` values. The edge routes on the group first (errata W8). */
export const groups = {
  /** Pushes and replies to the edge's metamanager. Every message we send uses it (errata O1). */
  resource: 'resource',
  /** Requests from edged to the cloud. Never copied into a reply (errata O1). */
  meta: 'meta',
  /** Device twin (devicecontroller). */
  twin: 'twin',
  /** Router / eventbus / servicebus. */
  user: 'user',
  /** Task manager (upgrade, pre-pull). */
  taskManager: 'taskmanager',
  /** MetaServer applications to DynamicController. */
  dynamicController: 'dynamiccontroller',
} as const;

/** `route.source` values. */
export const sources = {
  /** Our pushes and replies. The edge ACKs `update` pushes only from a known source (errata U1/O4). */
  edgeController: 'edgecontroller',
  /** The hub's own replies (the `k8s/ca.crt` answer, errata U2). */
  cloudHub: 'cloudhub',
  /** Edge: the edge hub's keepalive. */
  websocket: 'websocket',
  /** Edge: kubelet requests. */
  edged: 'edged',
  /** Edge: MetaServer applications. */
  metaServer: 'metaserver',
  /** Edge: device twin. */
  twin: 'twin',
  /** Edge: metamanager error feedback (errata Part A omission 12). */
  metaManager: 'metamanager',
  /** Cloud: task manager. */
  taskManager: 'taskmanager',
  /** Cloud: node upgrade jobs. */
  nodeUpgradeJobController: 'nodeupgradejobcontroller',
} as const;

/**
 * Sources that name a cloud module. An upstream message carrying one of them is not from an edge and
 * KubeEdge drops it (`IsFromEdge`, `cloud/pkg/cloudhub/common/model/types.go`, v1.23.1). Note the
 * mixed case of `cloudStream`: the match is exact.
 */
export const cloudModuleSources = [
  'cloudhub',
  'cloudStream',
  'devicecontroller',
  'edgecontroller',
  'synccontroller',
] as const;

const cloudModuleSet: ReadonlySet<string> = new Set(cloudModuleSources);

/** Whether an upstream `route.source` names a cloud module (exact match, as KubeEdge `IsFromEdge`). */
export function isCloudModuleSource(source: string): boolean {
  return cloudModuleSet.has(source);
}
