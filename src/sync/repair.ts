/**
 * Reliable sync's repair for one node: compare what the node should have (its bound pods, the ConfigMaps
 * and Secrets they reference, its Node; desired.ts) with what its records say its edge holds, and return
 * the pushes that bring the edge in line. Run it when the node connects and periodically as a safety net;
 * it costs O((desired + records) log) for that node, never a sweep of every record (KubeEdge #7027).
 *
 * Beyond KubeEdge's synccontroller (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/synccontroller/objectsync.go`,
 * spec §6), which only walks existing records:
 * - an object the node should have but that has no record is sent (a pod created while its node was
 *   away, KubeEdge #3243, or a first send that was lost, #3622);
 * - an object the node should no longer have (a Secret whose last user pod left) is deleted there, not
 *   only one that is gone from the cluster;
 * - after a `delete` for an old UID, the current object under the same key is sent again even when its
 *   own record is up to date: the edge deletes non-pods by key alone (errata omission 11), so the late
 *   delete would otherwise erase the re-created object (KubeEdge #3445, #4106);
 * - a Node record never produces a Node `delete` (that would close the session, errata W5): it is dropped
 *   and the current Node is sent;
 * - a record whose status resourceVersion is empty or not a number is resent, where KubeEdge skips it
 *   (empty) or panics (errata omission 13).
 *
 * No clock: nothing here depends on time. The queue drops a repeat of a version it holds or the edge has
 * ACKed, so repairing an object whose normal push is still in flight costs nothing. Compute the plan and
 * enqueue it in the same synchronous turn as the cache reads it came from, so no event slips in between.
 * Records of kinds we never push (e.g. Services from KubeEdge's DynamicController) and malformed records
 * are left alone.
 * @module
 */
import { edgeKey, identityDelete, isPushKind, objectPush, pushKindInfo, uidOf } from '../protocol/index.js';
import type {
  EdgeKey,
  KubeObjectShape,
  NodeName,
  PushContentOptions,
  PushKind,
  PushSpec,
} from '../protocol/index.js';
import { parseResourceVersion } from '../queues/index.js';
import type { SyncRecord } from './record.js';

/** One object the node should have. */
export interface DesiredObject {
  readonly kind: PushKind;
  readonly object: KubeObjectShape;
}

/** What {@link planRepair} compares. */
export interface RepairInput {
  readonly node: NodeName;
  /** What the node should have now (desired.ts). */
  readonly desired: readonly DesiredObject[];
  /** The node's records (an index of the record informers by node). Others' records are ignored. */
  readonly records: readonly SyncRecord[];
  readonly content: PushContentOptions;
}

/** Why a repair sends an object. */
export type RepairSendReason =
  /** No record for this object (this UID): the edge may never have received it. */
  | 'missing'
  /** The object's resourceVersion is newer than the recorded one. */
  | 'newer'
  /** The record's status resourceVersion is empty or not a number. */
  | 'unknown-version'
  /** A delete of an older UID under the same key goes first and would erase it on the edge. */
  | 'after-delete';

/** One repair step, in the order returned. */
export type RepairAction =
  /** Push the current object as `update` (KubeEdge's repair always uses `update`; the edge upserts). */
  | { readonly kind: 'send'; readonly reason: RepairSendReason; readonly push: PushSpec }
  /**
   * Push a minimal `delete` for the recorded object; the record goes when the edge ACKs it (on-ack.ts).
   * `not-desired`: the node should have no object under this key; `uid-changed`: it should have another.
   */
  | {
      readonly kind: 'send-delete';
      readonly reason: 'not-desired' | 'uid-changed';
      readonly record: SyncRecord;
      readonly push: PushSpec;
    }
  /** Delete the record without telling the edge (a Node record: a Node delete is never pushed). */
  | { readonly kind: 'drop-record'; readonly reason: 'stale-node-record'; readonly record: SyncRecord };

/**
 * The repair plan for one node: first every `send-delete` and `drop-record`, then every `send`, each group
 * sorted by edge key (the queue's identity of an object), so a delete for a key always precedes the send
 * for the same key. Empty when the records match. An object whose own resourceVersion is not a number is
 * not sent (the queue would reject it). Duplicate desired keys: the last one wins.
 */
export function planRepair(input: RepairInput): RepairAction[] {
  const { node, content } = input;
  const desired = new Map<EdgeKey, DesiredObject>();
  for (const entry of input.desired) desired.set(desiredKey(entry), entry);

  const removals: [EdgeKey, RepairAction][] = [];
  const sends = new Map<EdgeKey, RepairAction>();
  const covered = new Set<EdgeKey>();
  const deleted = new Set<EdgeKey>();
  const send = (key: EdgeKey, reason: RepairSendReason, entry: DesiredObject): void => {
    if (!sends.has(key))
      sends.set(key, { kind: 'send', reason, push: objectPush(entry.kind, 'update', entry.object, content) });
  };

  for (const record of input.records) {
    if (record.node !== node || !isPushKind(record.objectKind)) continue;
    const kind = record.objectKind;
    // A malformed record (namespaced kind in a ClusterObjectSync, a name with `/`) cannot be addressed.
    if (record.objectName.includes('/')) continue;
    if (!pushKindInfo[kind].isClusterScoped && record.namespace === undefined) continue;
    const key = edgeKeyFor(kind, record.namespace, record.objectName);
    const entry = desired.get(key);
    if (entry !== undefined && uidOf(entry.object) === record.uid) {
      covered.add(key);
      const current = parseResourceVersion(entry.object.metadata?.resourceVersion ?? '');
      const recorded = parseResourceVersion(record.objectResourceVersion);
      if (current === undefined) continue;
      if (recorded === undefined) send(key, 'unknown-version', entry);
      else if (current > recorded) send(key, 'newer', entry);
      continue;
    }
    if (kind === 'Node') {
      removals.push([key, { kind: 'drop-record', reason: 'stale-node-record', record }]);
      continue;
    }
    const push = identityDelete(kind, {
      namespace: record.namespace,
      name: record.objectName,
      uid: record.uid,
    });
    const reason = entry === undefined ? 'not-desired' : 'uid-changed';
    removals.push([key, { kind: 'send-delete', reason, record, push }]);
    deleted.add(key);
  }

  for (const [key, entry] of desired) {
    if (parseResourceVersion(entry.object.metadata?.resourceVersion ?? '') === undefined) continue;
    if (!covered.has(key)) send(key, 'missing', entry);
    else if (deleted.has(key)) send(key, 'after-delete', entry);
  }

  return [...sortByKey(removals), ...sortByKey([...sends])];
}

/**
 * The records whose node no longer exists, to delete without telling any edge (KubeEdge deletes them on
 * every Node delete and at start-up, spec §3.4). O(records): run it at start-up only; on a Node delete,
 * drop that node's records from the by-node index instead.
 */
export function recordsOfGoneNodes(
  records: readonly SyncRecord[],
  nodeExists: (node: NodeName) => boolean,
): SyncRecord[] {
  return records.filter((record) => !nodeExists(record.node));
}

function desiredKey(entry: DesiredObject): EdgeKey {
  const metadata = entry.object.metadata;
  return edgeKeyFor(entry.kind, metadata?.namespace, metadata?.name ?? '');
}

/**
 * An object's key in the plan: the edge row its pushes write (protocol `edgeKey`, `<ns>/<type>/<name>`,
 * `null` namespace for cluster-scoped kinds whatever the input says), the identity the per-node queue
 * coalesces deliveries by. Throws like `objectPush` on an empty or `/`-holding segment: names from the
 * stores and from parsed records never have one.
 */
function edgeKeyFor(kind: PushKind, namespace: string | undefined, name: string): EdgeKey {
  const info = pushKindInfo[kind];
  return edgeKey({
    namespace: info.isClusterScoped ? null : (namespace ?? ''),
    resourceType: info.resourceType,
    name,
  });
}

function sortByKey(entries: readonly (readonly [string, RepairAction])[]): RepairAction[] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, action]) => action);
}
