/**
 * Downstream planning: one informer event (plus what the caller learned from the location cache and the
 * stores) → the ordered list of {@link Decision}s. Pure: no I/O, no clock, no ids; the same inputs give
 * the same plan. The downstream worker reads the event, updates the location cache, calls one planner and
 * carries the decisions out in order (decision.ts).
 *
 * ConfigMaps and Secrets on pod creation: KubeEdge pushes nothing then and lets the edge query them
 * (spec §3.3). We push each ConfigMap/Secret a node newly needs (the location diff's `gained`), before the
 * pod. Reasons: reliable sync counts them as "what the node should have" (issue 5), so its repair would
 * push them anyway a period later; a node that goes offline right after the pod is bound can still start
 * it from its own database; and an edge that checks its database first (spec §3.3; errata open question)
 * finds them there. An edge that queries anyway is answered from the same cache; the duplicate is one
 * object per node, and the queue drops a repeat of the same resourceVersion.
 *
 * Order within a plan, per node: what the node gains, then the pod pushes, then deletes of what it lost.
 * So a pod never reaches the edge before the objects it mounts, and a Secret is deleted only after the
 * pod update that stopped using it. The queue keeps enqueue order per edge key; the edge applies
 * different keys in any order (errata Part A omission 7), so this order is best effort across keys.
 *
 * Startup: do not feed the informers' initial list through these planners (it would re-push every object
 * to every node, as KubeEdge does, errata U3). Rebuild the location cache from the stores and let reliable
 * sync's repair (sync/repair.ts) send each node what its records say it lacks when it connects.
 * @module
 */
import { refKey } from '../location/index.js';
import type { LocationDiff, LocationEntry, ObjectRef } from '../location/index.js';
import type {
  KubeObjectShape,
  NodeName,
  NodeObject,
  PodObject,
  PushContentOptions,
} from '../protocol/index.js';
import type { Decision, Delivery } from './decision.js';
import type { NodeTransition } from './node-rules.js';
import { hasMeaningfulChange } from './object-change.js';
import { changeOperation, objectPush, uidOf } from '../protocol/index.js';
import type { InformerEvent } from './informer-event.js';
import { arrival, podPushes } from './pod-rules.js';
import type { IsEdgeNode, PodPush } from './pod-rules.js';

/** Reads of the ConfigMap and Secret stores (informer caches). `undefined` when the store lacks it. */
export interface ObjectLookups {
  readonly getConfigMap: (namespace: string, name: string) => KubeObjectShape | undefined;
  readonly getSecret: (namespace: string, name: string) => KubeObjectShape | undefined;
}

/** What {@link planPodEvent} needs. */
export interface PodPlanInput {
  readonly event: InformerEvent<PodObject>;
  /**
   * What the location cache returned for this event: `applyPod(event.object)` for add and update,
   * `removePod(key)` for delete. Computed by the caller, with the same edge-node predicate as `isEdgeNode`.
   */
  readonly diff: LocationDiff;
  readonly isEdgeNode: IsEdgeNode;
  readonly lookups: ObjectLookups;
  readonly content: PushContentOptions;
}

/**
 * The plan for one pod event:
 * 1. for each `(node, ConfigMap|Secret)` the diff gained on an edge node, a push of the object from the
 *    store (ConfigMap `insert`, Secret `update`, as for an informer add); skipped when the store lacks it,
 *    since its own add event will reach that node through `nodesFor`;
 * 2. the pod pushes of {@link podPushes};
 * 3. for each `(node, ConfigMap|Secret)` the diff lost on an edge node, a `delete` with minimal content
 *    and the stored object's UID (so the queue replaces any waiting version of it), when the store still
 *    has it; when it does not, the object's own delete event already went to that node.
 * Other kinds in the diff (PVC, ServiceAccount) are never pushed.
 */
export function planPodEvent(input: PodPlanInput): Decision[] {
  const { diff, isEdgeNode, lookups, content } = input;
  return [
    ...gainedDeliveries(diff.gained, isEdgeNode, lookups, content),
    ...podPushes(input.event, isEdgeNode).map((push) => podDelivery(push, content)),
    ...lostDeliveries(diff.lost, isEdgeNode, lookups, content),
  ];
}

/** What {@link planObjectEvent} needs. */
export interface ObjectPlanInput {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly event: InformerEvent<KubeObjectShape>;
  /** The nodes whose pods reference an object: the location cache's `nodesFor`. */
  readonly nodesFor: (ref: ObjectRef) => readonly NodeName[];
  readonly content: PushContentOptions;
}

/**
 * The plan for one ConfigMap or Secret event: pushes to exactly `nodesFor(object)`, nothing to any other
 * node. `add` → ConfigMap `insert` / Secret `update`; `update` → `update` when {@link hasMeaningfulChange},
 * else nothing; an `update` with a new UID (a delete and re-create both missed) → per node a `delete` of
 * the old object, then the new one as an add; `delete` → `delete` (minimal content).
 */
export function planObjectEvent(input: ObjectPlanInput): Decision[] {
  const { kind, event, content } = input;
  const metadata = event.object.metadata;
  const nodes = input.nodesFor({ kind, namespace: metadata?.namespace ?? '', name: metadata?.name ?? '' });
  // One push shared by every node: the hub serializes a content object once, however many nodes get it.
  const deliver = (operation: 'add' | 'update' | 'delete', object: KubeObjectShape): Delivery[] => {
    const push = objectPush(kind, changeOperation(kind, operation), object, content);
    return nodes.map((node) => ({ kind: 'deliver', node, push }));
  };
  switch (event.type) {
    case 'add':
      return deliver('add', event.object);
    case 'delete':
      return deliver('delete', event.object);
    case 'update':
      if (uidOf(event.old) !== uidOf(event.object)) {
        const deleteOld = objectPush(kind, 'delete', event.old, content);
        const addNew = objectPush(kind, changeOperation(kind, 'add'), event.object, content);
        return nodes.flatMap((node): Delivery[] => [
          { kind: 'deliver', node, push: deleteOld },
          { kind: 'deliver', node, push: addNew },
        ]);
      }
      return hasMeaningfulChange(event.old, event.object) ? deliver('update', event.object) : [];
  }
}

/** What {@link planNodeEvent} needs. */
export interface NodePlanInput {
  readonly event: InformerEvent<NodeObject>;
  /** `nodeTransition(event, isKnownEdgeNode)`, computed by the caller before it changed any state. */
  readonly transition: NodeTransition;
  /** For `joined`: the pods bound to the node (the pod store's node index). Ignored otherwise. */
  readonly pods: readonly PodObject[];
  /**
   * For `joined`: the diffs of `location.applyPod(pod)` for each of {@link pods}, applied after the node was
   * added to the edge-node set. Ignored otherwise.
   */
  readonly diffs: readonly LocationDiff[];
  readonly lookups: ObjectLookups;
  readonly content: PushContentOptions;
}

/**
 * The plan for one Node event, by its transition:
 * - `joined`: the Node as `update` to itself, then the ConfigMaps/Secrets its pods gained, then each pod
 *   bound to it (`insert`, or `update` if terminating). KubeEdge never replays pods of a node that gains
 *   the label (spec §3.2), so they stay pending until something else changes;
 * - `changed`: the Node as `update` to itself (`null/node/<n>`; the edge serves kubelet node GETs from it);
 * - `left` / `deleted`: one `forget-node` decision; the worker must also stop treating it as an edge node;
 * - `unchanged` / `ignored`: nothing.
 */
export function planNodeEvent(input: NodePlanInput): Decision[] {
  const { transition, event, content } = input;
  switch (transition.kind) {
    case 'ignored':
    case 'unchanged':
      return [];
    case 'left':
      return [{ kind: 'forget-node', node: transition.node, reason: 'not-edge' }];
    case 'deleted':
      return [{ kind: 'forget-node', node: transition.node, reason: 'deleted' }];
    case 'changed':
      return [nodeDelivery(transition.node, event.object, content)];
    case 'joined': {
      const node = transition.node;
      const isThisNode: IsEdgeNode = (candidate) => candidate === node;
      return [
        nodeDelivery(node, event.object, content),
        ...gainedDeliveries(
          input.diffs.flatMap((diff) => diff.gained),
          isThisNode,
          input.lookups,
          content,
        ),
        ...input.pods
          .filter((pod) => pod.spec?.nodeName === node)
          .map((pod) => podDelivery(arrival(node, pod), content)),
      ];
    }
  }
}

function nodeDelivery(node: NodeName, object: NodeObject, content: PushContentOptions): Delivery {
  return { kind: 'deliver', node, push: objectPush('Node', 'update', object, content) };
}

function podDelivery(push: PodPush, content: PushContentOptions): Delivery {
  return { kind: 'deliver', node: push.node, push: objectPush('Pod', push.operation, push.object, content) };
}

function gainedDeliveries(
  entries: readonly LocationEntry[],
  isEdgeNode: IsEdgeNode,
  lookups: ObjectLookups,
  content: PushContentOptions,
): Delivery[] {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  for (const { node, object: ref } of entries) {
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') continue;
    // One delivery per (node, object): location's key of the object, never a hand-built copy of it.
    const id = `${node} ${refKey(ref)}`;
    if (!isEdgeNode(node) || seen.has(id)) continue;
    seen.add(id);
    const object = lookup(lookups, ref.kind, ref);
    if (object === undefined) continue;
    deliveries.push({
      kind: 'deliver',
      node,
      push: objectPush(ref.kind, changeOperation(ref.kind, 'add'), object, content),
    });
  }
  return deliveries;
}

function lostDeliveries(
  entries: readonly LocationEntry[],
  isEdgeNode: IsEdgeNode,
  lookups: ObjectLookups,
  content: PushContentOptions,
): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const { node, object: ref } of entries) {
    if ((ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') || !isEdgeNode(node)) continue;
    const object = lookup(lookups, ref.kind, ref);
    if (object === undefined) continue;
    deliveries.push({ kind: 'deliver', node, push: objectPush(ref.kind, 'delete', object, content) });
  }
  return deliveries;
}

function lookup(
  lookups: ObjectLookups,
  kind: 'ConfigMap' | 'Secret',
  ref: ObjectRef,
): KubeObjectShape | undefined {
  return kind === 'ConfigMap'
    ? lookups.getConfigMap(ref.namespace, ref.name)
    : lookups.getSecret(ref.namespace, ref.name);
}
