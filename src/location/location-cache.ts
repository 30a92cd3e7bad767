/**
 * The location cache: which node needs which object, kept from the pods bound to edge nodes. Pure and
 * synchronous; every change returns a {@link LocationDiff} for the caller to act on.
 *
 * Flow: the pod worker (downstream) reads a pod key's latest object from the informer store and calls
 * {@link LocationCache.applyPod}, or {@link LocationCache.removePod} when the store no longer has it. It
 * sends a `delete` for each lost ConfigMap or Secret to that node, and routes ConfigMap and Secret events
 * to {@link LocationCache.nodesFor}. Upstream authorization asks {@link LocationCache.nodeNeeds}.
 *
 * Differences from KubeEdge (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/manager/location.go`,
 * spec §3.3): a node leaves an object's list when its last referencing pod is deleted, moves or stops
 * referencing it (KubeEdge keeps sending secrets to nodes that no longer need them, STYLE.md rule 12);
 * references come from every container kind and volume plugin (pod-references.ts); PVCs and
 * ServiceAccounts are tracked too, for node authorization.
 * @module
 */
import type { NodeName } from '../protocol/index.js';
import { DiffBuilder, compareEntries, emptyDiff } from './location-diff.js';
import type { LocationDiff, LocationEntry } from './location-diff.js';
import { compareObjectRefs, compareStrings, refKey } from './object-ref.js';
import type { RefKey, ObjectRef } from './object-ref.js';
import { podKeyOf } from './pod-key.js';
import type { PodKey } from './pod-key.js';
import { podReferences } from './pod-references.js';
import type { PodShape } from './pod-shape.js';

/** Options of {@link LocationCache}. No field has a default. */
export interface LocationCacheOptions {
  /**
   * The node a pod runs on, or `undefined` when it has no location that counts. Required. `main.ts`
   * supplies `parseNodeName(pod.spec?.nodeName)` (it owns the `NodeName` brand; location/ imports nothing
   * of ours at run time), optionally returning `undefined` for nodes that are not edge nodes.
   */
  readonly nodeOf: (pod: Readonly<PodShape>) => NodeName | undefined;
}

/** Where a pod is recorded: its node and the UID of the incarnation last applied. */
export interface PodLocation {
  readonly node: NodeName;
  /** `metadata.uid`; `''` if the pod had none. */
  readonly uid: string;
}

interface PodEntry extends PodLocation {
  readonly refs: readonly ObjectRef[];
}

interface ObjectEntry {
  readonly ref: ObjectRef;
  /** Per node, how many of its recorded pods reference the object. Never holds 0. */
  readonly podCounts: Map<NodeName, number>;
}

interface NodeEntry {
  readonly pods: Set<PodKey>;
  readonly objects: Map<RefKey, ObjectRef>;
}

/**
 * Who needs what: per pod key its node, UID and references; per object the nodes that need it, with a
 * count of referencing pods per node.
 *
 * Which pods count is the caller's decision: pass only pods bound to edge nodes (or let `nodeOf` return
 * `undefined` for others), and call {@link forgetNode} when a node stops being an edge node. The cache does
 * not know the node list and never drops a pod on its own.
 *
 * Guarantees:
 * - the state depends only on the latest object applied per pod key, not on the order of operations: it
 *   always equals what {@link rebuild} over the current pods would give;
 * - each operation returns the net diff: the `gained` entries of all operations minus their `lost`
 *   entries is exactly {@link snapshot};
 * - query results are new arrays, sorted by code-unit order.
 *
 * Not promised: thread safety is moot (synchronous); objects are not validated against the API (a
 * reference to a missing Secret is tracked like any other); pods in a terminal phase or with a
 * `deletionTimestamp` still count until they are removed, as in the Node authorizer.
 */
export class LocationCache {
  readonly #nodeOf: (pod: Readonly<PodShape>) => NodeName | undefined;
  readonly #pods = new Map<PodKey, PodEntry>();
  readonly #objects = new Map<RefKey, ObjectEntry>();
  readonly #nodes = new Map<NodeName, NodeEntry>();

  constructor(options: LocationCacheOptions) {
    this.#nodeOf = options.nodeOf;
  }

  /**
   * Records the latest state of a pod (informer Added or Modified, or the store's object for a key).
   *
   * - New pod on a node: the node gains each object it is the first of its pods to reference.
   * - Changed references: the node gains the new ones and loses the ones no other pod of it references.
   * - Moved to another node (or a new UID on another node): the old node loses, the new node gains.
   * - A new UID under the same key replaces the old incarnation, which is treated as deleted.
   * - No location (`nodeOf` gives `undefined`, e.g. unscheduled): same as {@link removePod}.
   *
   * Throws a `RangeError` if the pod has no namespace or name (never so for informer objects).
   */
  applyPod(pod: Readonly<PodShape>): LocationDiff {
    const key = podKeyOf(pod);
    const node = this.#nodeOf(pod);
    if (node === undefined) return this.removePod(key);
    const diff = new DiffBuilder();
    this.#apply(key, { node, uid: pod.metadata?.uid ?? '', refs: podReferences(pod) }, diff);
    return diff.build();
  }

  /**
   * Forgets a pod (informer Deleted, or its key is gone from the store), whatever UID is recorded. Its node
   * loses each object no other of its pods references. Unknown keys give an empty diff.
   */
  removePod(key: PodKey): LocationDiff {
    const diff = new DiffBuilder();
    this.#remove(key, diff);
    return diff.build();
  }

  /**
   * Forgets every pod recorded on `node` (the node was deleted or lost its edge label), so the node loses
   * every object. Later pods applied for that node are recorded again: stop passing them first.
   */
  forgetNode(node: NodeName): LocationDiff {
    const entry = this.#nodes.get(node);
    if (entry === undefined) return emptyDiff;
    const diff = new DiffBuilder();
    for (const key of [...entry.pods]) this.#remove(key, diff);
    return diff.build();
  }

  /**
   * Replaces the whole state with the given pods, as at start-up from the informer caches or after a
   * relist. Returns the difference from the previous state: at start-up every entry is gained (KubeEdge's
   * `initLocating` builds the same state before its informers start and pushes nothing for it). A pod key
   * listed twice keeps its last object.
   */
  rebuild(pods: Iterable<Readonly<PodShape>>): LocationDiff {
    const before = this.snapshot();
    this.#pods.clear();
    this.#objects.clear();
    this.#nodes.clear();
    const ignored = new DiffBuilder();
    for (const pod of pods) {
      const node = this.#nodeOf(pod);
      const key = podKeyOf(pod);
      if (node === undefined) this.#remove(key, ignored);
      else this.#apply(key, { node, uid: pod.metadata?.uid ?? '', refs: podReferences(pod) }, ignored);
    }
    return diffSnapshots(before, this.snapshot());
  }

  /** The nodes that need `object`, sorted. Empty when none does. */
  nodesFor(object: ObjectRef): NodeName[] {
    const entry = this.#objects.get(refKey(object));
    return entry === undefined ? [] : [...entry.podCounts.keys()].sort(compareStrings);
  }

  /** The objects `node` needs, sorted by key. Empty for an unknown node. */
  objectsFor(node: NodeName): ObjectRef[] {
    const entry = this.#nodes.get(node);
    return entry === undefined ? [] : [...entry.objects.values()].sort(compareObjectRefs);
  }

  /** The keys of the pods recorded on `node`, sorted. */
  podsOn(node: NodeName): PodKey[] {
    const entry = this.#nodes.get(node);
    return entry === undefined ? [] : [...entry.pods].sort(compareStrings);
  }

  /**
   * Whether a pod recorded on `node` references `object`: the node authorization question "may this node
   * read this ConfigMap, Secret, PVC or ServiceAccount token?". O(1).
   */
  nodeNeeds(node: NodeName, object: ObjectRef): boolean {
    return this.#objects.get(refKey(object))?.podCounts.has(node) ?? false;
  }

  /**
   * The node and UID recorded for a pod key, or `undefined`. Tells the downstream where to send the
   * `delete` of a pod that is gone from the store.
   */
  podLocation(key: PodKey): PodLocation | undefined {
    const entry = this.#pods.get(key);
    return entry === undefined ? undefined : { node: entry.node, uid: entry.uid };
  }

  /** Every `(node, object)` entry, sorted by node then object key. O(entries); for tests and debugging. */
  snapshot(): LocationEntry[] {
    const entries: LocationEntry[] = [];
    for (const [node, entry] of this.#nodes) {
      for (const object of entry.objects.values()) entries.push({ node, object });
    }
    return entries.sort(compareEntries);
  }

  #apply(key: PodKey, next: PodEntry, diff: DiffBuilder): void {
    const previous = this.#pods.get(key);
    this.#pods.set(key, next);
    if (previous !== undefined && previous.node === next.node && sameRefs(previous.refs, next.refs)) return;
    // Count the new references before releasing the old ones, so an object kept across the update never
    // drops to zero and shows up as lost-then-gained.
    const nodeEntry = this.#nodeEntry(next.node);
    nodeEntry.pods.add(key);
    for (const ref of next.refs) this.#retain(next.node, nodeEntry, ref, diff);
    if (previous === undefined) return;
    if (previous.node !== next.node) this.#nodes.get(previous.node)?.pods.delete(key);
    this.#release(previous, diff);
  }

  #remove(key: PodKey, diff: DiffBuilder): void {
    const previous = this.#pods.get(key);
    if (previous === undefined) return;
    this.#pods.delete(key);
    this.#nodes.get(previous.node)?.pods.delete(key);
    this.#release(previous, diff);
  }

  #nodeEntry(node: NodeName): NodeEntry {
    let entry = this.#nodes.get(node);
    if (entry === undefined) {
      entry = { pods: new Set(), objects: new Map() };
      this.#nodes.set(node, entry);
    }
    return entry;
  }

  #retain(node: NodeName, nodeEntry: NodeEntry, ref: ObjectRef, diff: DiffBuilder): void {
    const key = refKey(ref);
    let object = this.#objects.get(key);
    if (object === undefined) {
      object = { ref, podCounts: new Map() };
      this.#objects.set(key, object);
    }
    const count = object.podCounts.get(node) ?? 0;
    object.podCounts.set(node, count + 1);
    if (count === 0) {
      nodeEntry.objects.set(key, object.ref);
      diff.gain(node, object.ref, key);
    }
  }

  #release(entry: PodEntry, diff: DiffBuilder): void {
    const nodeEntry = this.#nodes.get(entry.node);
    if (nodeEntry === undefined)
      throw new Error(`location cache: node ${entry.node} of a recorded pod is missing`);
    for (const ref of entry.refs) {
      const key = refKey(ref);
      const object = this.#objects.get(key);
      const count = object?.podCounts.get(entry.node);
      if (object === undefined || count === undefined) {
        throw new Error(`location cache: no count for ${key} on node ${entry.node}`);
      }
      if (count > 1) {
        object.podCounts.set(entry.node, count - 1);
        continue;
      }
      object.podCounts.delete(entry.node);
      if (object.podCounts.size === 0) this.#objects.delete(key);
      nodeEntry.objects.delete(key);
      diff.lose(entry.node, object.ref, key);
    }
    if (nodeEntry.pods.size === 0) this.#nodes.delete(entry.node);
  }
}

// podReferences returns refs deduplicated and sorted by key, so element-wise comparison suffices.
function sameRefs(a: readonly ObjectRef[], b: readonly ObjectRef[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((ref, i) => {
    const other = b[i];
    return other !== undefined && refKey(ref) === refKey(other);
  });
}

function diffSnapshots(before: readonly LocationEntry[], after: readonly LocationEntry[]): LocationDiff {
  const diff = new DiffBuilder();
  for (const { node, object } of before) diff.lose(node, object, refKey(object));
  for (const { node, object } of after) diff.gain(node, object, refKey(object));
  return diff.build();
}
