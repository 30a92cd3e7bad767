/**
 * What a Node event means for downstream: is it an edge node, and did it just become one, stay one,
 * stop being one or vanish. plan.ts turns the transition into pushes or a `forget-node` decision.
 *
 * The edge role is KubeEdge's: label `node-role.kubernetes.io/edge` with the value `""` (`kubeedge/kubeedge`
 * v1.23.1 `cloud/pkg/common/nodes/nodes.go` IsEdgeNode; the informer selector `node-role.kubernetes.io/edge=`
 * in `controller/downstream.go`). A node labelled `...edge=true` is not an edge node to KubeEdge, so not to
 * us. The rules work both with an informer on all Nodes and with one on that selector: for the latter a
 * node that loses the label arrives as a `delete` whose object no longer carries it (errata U4).
 * @module
 */
import { parseNodeName } from '../protocol/index.js';
import type { NodeName, NodeObject } from '../protocol/index.js';
import { hasMeaningfulChange } from './object-change.js';
import type { InformerEvent } from './informer-event.js';
import type { IsEdgeNode } from './pod-rules.js';

/** The label that marks an edge node. Its value must be `""`. */
export const edgeNodeLabel = 'node-role.kubernetes.io/edge';

/** Whether `node` carries the edge label with the empty value (KubeEdge `IsEdgeNode`). */
export function hasEdgeRole(node: NodeObject): boolean {
  return node.metadata?.labels?.[edgeNodeLabel] === '';
}

/**
 * What an event did to a node's edge role.
 *
 * - `joined`: an edge node appeared (`add`), or a node gained the edge label (`update`).
 * - `changed`: an edge node stayed one and changed something worth pushing.
 * - `unchanged`: an edge node stayed one; only resourceVersion/managedFields/generation changed.
 * - `left`: a node lost the edge label but still exists (for a `delete` without the label: only if
 *   `isKnownEdgeNode` says it was one; otherwise an ordinary node was deleted and it is `ignored`).
 * - `deleted`: an edge node was deleted (its last known state still had the label; also for a relist's
 *   inferred delete).
 * - `ignored`: the node is not, and was not, an edge node, or its name is not a valid node name.
 */
export type NodeTransition =
  | { readonly kind: 'joined' | 'changed' | 'unchanged' | 'left' | 'deleted'; readonly node: NodeName }
  | { readonly kind: 'ignored' };

/**
 * Classifies one Node event (see {@link NodeTransition}). `isKnownEdgeNode` is the worker's edge-node set
 * before this event; it only decides a `delete` whose object lacks the label.
 */
export function nodeTransition(
  event: InformerEvent<NodeObject>,
  isKnownEdgeNode: IsEdgeNode,
): NodeTransition {
  const node = parseNodeName(event.object.metadata?.name);
  if (node === undefined) return { kind: 'ignored' };
  switch (event.type) {
    case 'add':
      return hasEdgeRole(event.object) ? { kind: 'joined', node } : { kind: 'ignored' };
    case 'delete':
      // A label-selector watch reports a node that stopped matching as DELETED with its new state.
      if (hasEdgeRole(event.object)) return { kind: 'deleted', node };
      return isKnownEdgeNode(node) ? { kind: 'left', node } : { kind: 'ignored' };
    case 'update': {
      const was = hasEdgeRole(event.old);
      const is = hasEdgeRole(event.object);
      if (!was) return is ? { kind: 'joined', node } : { kind: 'ignored' };
      if (!is) return { kind: 'left', node };
      return { kind: hasMeaningfulChange(event.old, event.object) ? 'changed' : 'unchanged', node };
    }
  }
}
