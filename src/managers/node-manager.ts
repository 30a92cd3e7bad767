/**
 * NodeManager: all Nodes (not a label selector: a node that loses the edge label must be seen as leaving,
 * not as deleted), passing on events where the node has the edge role before or after.
 * @module
 */
import type { KubeObject } from '../kube/index.js';
import type { ManagedEvent, ManagerSpec } from './manager.js';

/** KubeEdge's edge role: the label `node-role.kubernetes.io/edge` with the value `""`. */
export const edgeRoleLabel = 'node-role.kubernetes.io/edge';

/** Whether an event concerns an edge node, before or after. Pure. */
export function involvesEdgeRole(
  event: ManagedEvent<KubeObject & { metadata: { labels?: Record<string, string> } }>,
): boolean {
  const has = (labels: Readonly<Record<string, string>> | undefined): boolean =>
    labels?.[edgeRoleLabel] === '';
  return has(event.object.metadata.labels) || (event.type === 'update' && has(event.old.metadata.labels));
}

export const nodeManagerSpec: ManagerSpec<KubeObject> = Object.freeze({
  kind: 'Node',
  path: '/api/v1/nodes',
  name: 'nodes',
  filter: involvesEdgeRole,
});
