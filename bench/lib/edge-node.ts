/**
 * A bare edge Node written straight to the API server: the name and KubeEdge's edge role label, nothing
 * else (no status; an edge that connects registers it). The benches that create Nodes before their edges
 * join, or without edges at all, share it.
 * @module
 */
import type { KubeClient } from '../../src/kube/index.js';
import { edgeRoleLabel } from '../../src/managers/index.js';

/** Creates the Node `name` with the edge role label. */
export async function createEdgeNode(admin: KubeClient, name: string): Promise<void> {
  await admin.request({
    method: 'POST',
    path: '/api/v1/nodes',
    body: { metadata: { name, labels: { [edgeRoleLabel]: '' } } },
  });
}
