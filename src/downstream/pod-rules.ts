/**
 * Which pod events become which pod pushes, and to which edge node (spec §3.2 with errata W1 and
 * omissions 1, 8, 9). Pure: the informer event and an edge-node predicate in, {@link PodPush} data out.
 * plan.ts adds the ConfigMaps and Secrets that move with the pod and turns each push into a message.
 *
 * Differences from KubeEdge (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/manager/pod.go`,
 * `controller/downstream.go` syncPod), deliberate:
 * - a status change is pushed by rule, not by the accident of a `managedFields` timestamp (errata W1),
 *   and an update that changed only resourceVersion/managedFields/generation is not (object-change.ts);
 * - a pod that arrives on an edge node by an update (bound by the scheduler, or seen with a new UID
 *   after a relist) is an `insert` there; KubeEdge sends `update` (errata omission 8). The edge does not
 *   care: metamanager upserts both and edged hands both to the kubelet as UPDATE (`edge/pkg/edged/edged.go`
 *   handlePod), so the operation only documents intent;
 * - a pod that leaves a node, or is replaced by a new UID under the same name, is deleted there first,
 *   with its old content (the edge deletes a pod row only if the UID matches, spec §3.5);
 * - a delete inferred from a relist (`finalStateUnknown`) is pushed; v1.23.1 drops it (errata omission 9).
 * @module
 */
import { isTerminating, parseNodeName, uidOf } from '../protocol/index.js';
import type { NodeName, PodObject, PushOperation } from '../protocol/index.js';
import { hasMeaningfulChange } from './object-change.js';
import type { InformerEvent } from './informer-event.js';

/** One pod push: send `object` to `node` with `operation`. `object` is the informer's, unchanged. */
export interface PodPush<P extends PodObject = PodObject> {
  readonly node: NodeName;
  readonly operation: PushOperation;
  readonly object: P;
}

/**
 * Whether a node name is a known edge node (labelled `node-role.kubernetes.io/edge=""` and not deleted).
 * The same predicate must back the location cache's `nodeOf`, or pushes and ConfigMap routing disagree.
 */
export type IsEdgeNode = (node: NodeName) => boolean;

/**
 * The pushes for one pod event, in the order to enqueue them (at most two: a delete to the node the pod
 * left, then the push to the node it is on).
 *
 * - `add` on an edge node: `insert`, or `update` when the pod already has `deletionTimestamp` (KubeEdge
 *   turns such an Added into Modified, so the edge never sees an insert of a dying pod).
 * - `update`, same node and UID: `update` when {@link hasMeaningfulChange} (status counts); else nothing.
 *   Graceful deletion is such an update: the pod with `deletionTimestamp` is pushed as `update`.
 * - `update` that moves the pod onto an edge node (binding, move, or a new UID under the same name):
 *   `delete` of the old object to its old edge node, if any, then `insert` (or `update` if terminating)
 *   to the new one.
 * - `delete`: `delete` with the last known object to its edge node.
 * - A pod whose `spec.nodeName` is empty or not an edge node gets nothing (nor does its old node, unless
 *   that one was an edge node).
 */
export function podPushes<P extends PodObject>(
  event: InformerEvent<P>,
  isEdgeNode: IsEdgeNode,
): PodPush<P>[] {
  switch (event.type) {
    case 'add': {
      const node = edgeNodeOf(event.object, isEdgeNode);
      return node === undefined ? [] : [arrival(node, event.object)];
    }
    case 'delete': {
      const node = edgeNodeOf(event.object, isEdgeNode);
      return node === undefined ? [] : [{ node, operation: 'delete', object: event.object }];
    }
    case 'update': {
      const { old, object } = event;
      const oldNode = edgeNodeOf(old, isEdgeNode);
      const newNode = edgeNodeOf(object, isEdgeNode);
      const isSameIncarnation = uidOf(old) === uidOf(object);
      if (oldNode !== undefined && oldNode === newNode && isSameIncarnation) {
        return hasMeaningfulChange(old, object) ? [{ node: newNode, operation: 'update', object }] : [];
      }
      const pushes: PodPush<P>[] = [];
      if (oldNode !== undefined) pushes.push({ node: oldNode, operation: 'delete', object: old });
      if (newNode !== undefined) pushes.push(arrival(newNode, object));
      return pushes;
    }
  }
}

/** The edge node a pod is bound to, or `undefined` when unbound, invalid or not an edge node. */
export function edgeNodeOf(pod: PodObject, isEdgeNode: IsEdgeNode): NodeName | undefined {
  const node = parseNodeName(pod.spec?.nodeName);
  return node !== undefined && isEdgeNode(node) ? node : undefined;
}

/** The push for a pod that is new to `node`: `insert`, or `update` when it is already terminating. */
export function arrival<P extends PodObject>(node: NodeName, pod: P): PodPush<P> {
  return { node, operation: isTerminating(pod) ? 'update' : 'insert', object: pod };
}
