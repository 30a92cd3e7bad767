/**
 * PodManager: all pods, indexed by node, passing on only events that touch an edge node (before or
 * after): most pods of a cluster run on cloud nodes and cost the downstream nothing.
 * @module
 */
import { indexNames, indexPodsByNodeName } from '../kube/index.js';
import type { PodPlacement } from '../kube/index.js';
import type { ManagedEvent, ManagerSpec } from './manager.js';

/** Whether a pod event concerns an edge node: the pod is (or was) bound to one. Pure. */
export function touchesEdgeNode(
  event: ManagedEvent<PodPlacement>,
  isEdgeNode: (node: string) => boolean,
): boolean {
  const now = event.object.spec?.nodeName;
  const before = event.type === 'update' ? event.old.spec?.nodeName : undefined;
  return (now !== undefined && isEdgeNode(now)) || (before !== undefined && isEdgeNode(before));
}

/** The pod manager's definition; `isEdgeNode` is read at event time. */
export function podManagerSpec(isEdgeNode: (node: string) => boolean): ManagerSpec<PodPlacement> {
  return {
    kind: 'Pod',
    path: '/api/v1/pods',
    name: 'pods',
    indexes: { [indexNames.byNodeName]: indexPodsByNodeName },
    filter: (event) => touchesEdgeNode(event, isEdgeNode),
  };
}
