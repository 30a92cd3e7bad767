/**
 * The ACK path's coalescing rule as one pure decision: given what the queue holds for an object, accept a
 * new version or say why it is dropped. `ack-entries.ts` applies the decision. The rules follow KubeEdge's
 * `enqueueAckMessage` (kubeedge/kubeedge v1.23.1 `cloud/pkg/cloudhub/dispatcher/message_dispatcher.go`),
 * with the stored ACKed resourceVersion standing in for its ObjectSync lookup, and three changes: a query
 * response never overwrites a delete (KubeEdge lets it), a response must not be older, and
 * only operation `delete` is a delete: an update carrying `deletionTimestamp` is an ordinary version here,
 * so the final `delete` that follows it is never mistaken for a duplicate (issue 11).
 * @module
 */
import { parseResourceVersion } from './resource-version.js';
import type { AckItem } from './types.js';

/** One version the queue holds for an object, as far as the rule needs it. */
export interface VersionState {
  readonly isDelete: boolean;
  /** Parsed resourceVersion; `undefined` for deletes without one. */
  readonly rv: bigint | undefined;
}

/** What the queue holds for one object (`(key, uid)`). */
export interface EntryState {
  /** Waiting to be sent; replaced by a newer version. */
  readonly pending: VersionState | undefined;
  /** Sent and not yet ACKed. */
  readonly inFlight: VersionState | undefined;
  /** The newest resourceVersion the edge ACKed for a non-delete. */
  readonly ackedRv: bigint | undefined;
}

/** The decision for a new item. `accept` carries the parsed resourceVersion. */
export type EnqueueDecision =
  | { readonly kind: 'accept'; readonly rv: bigint | undefined }
  | { readonly kind: 'dropped-stale'; readonly latest: bigint }
  | { readonly kind: 'dropped-after-delete' }
  | { readonly kind: 'dropped-duplicate-delete' }
  | { readonly kind: 'dropped-invalid'; readonly reason: string };

type ItemFields = Pick<
  AckItem<unknown>,
  'key' | 'resourceVersion' | 'isDelete' | 'isResponse' | 'dropAfterResends'
>;

/**
 * Decides whether `item` becomes the object's waiting version (`state` undefined: the object is unknown):
 * - a delete is accepted unless a delete is already in flight with nothing waiting
 *   (`dropped-duplicate-delete`): the in-flight one is resent until ACKed, never retired (deletes carry
 *   no `dropAfterResends`, and only a waiting delete can supersede it), so the edge gets the delete;
 *   "delete" is operation `delete` only ({@link AckItem.isDelete}), never a terminating update;
 * - a non-delete after a delete is the object needed again (a ConfigMap whose last pod on the node left
 *   and whose next pod came before the delete went out, a rollout while the node was away): it replaces
 *   a waiting delete (it may equal the ACKed version: the edge still has that) or waits behind one in
 *   flight, so the edge ends with the object. Only a query response after a delete is dropped
 *   (`dropped-after-delete`): it answered a question asked before the delete;
 * - a non-delete must be newer than every version held (waiting, in flight, ACKed); a response may also
 *   be equal (see {@link AckItem.isResponse});
 * - an item breaking the {@link AckItem} contract is `dropped-invalid`.
 */
export function decideEnqueue(state: EntryState | undefined, item: ItemFields): EnqueueDecision {
  if (item.key === '') return { kind: 'dropped-invalid', reason: 'key is empty' };
  const limit = item.dropAfterResends;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    return { kind: 'dropped-invalid', reason: `dropAfterResends ${String(limit)} is not an integer >= 0` };
  }
  const rv = parseResourceVersion(item.resourceVersion);
  if (item.isDelete) {
    const isDuplicate = state?.inFlight?.isDelete === true && state.pending === undefined;
    return isDuplicate ? { kind: 'dropped-duplicate-delete' } : { kind: 'accept', rv };
  }
  if (rv === undefined) {
    return {
      kind: 'dropped-invalid',
      reason: `resourceVersion ${JSON.stringify(item.resourceVersion)} is not a decimal uint64`,
    };
  }
  if (state === undefined) return { kind: 'accept', rv };
  if (state.inFlight?.isDelete === true) {
    // The edge is deleting the object: whatever comes now is a new copy for it, whatever its version.
    return item.isResponse === true ? { kind: 'dropped-after-delete' } : { kind: 'accept', rv };
  }
  if (state.pending?.isDelete === true) {
    if (item.isResponse === true) return { kind: 'dropped-after-delete' };
    // The delete has not left yet, so the edge still holds the ACKed version: the new one may equal it
    // (the object is needed again unchanged) but never go back.
    const held = maxDefined([state.inFlight?.rv, state.ackedRv]);
    return held === undefined || rv >= held
      ? { kind: 'accept', rv }
      : { kind: 'dropped-stale', latest: held };
  }
  const latest = maxDefined([state.pending?.rv, state.inFlight?.rv, state.ackedRv]);
  if (latest === undefined) return { kind: 'accept', rv };
  const isNewEnough = item.isResponse === true ? rv >= latest : rv > latest;
  return isNewEnough ? { kind: 'accept', rv } : { kind: 'dropped-stale', latest };
}

function maxDefined(values: readonly (bigint | undefined)[]): bigint | undefined {
  let max: bigint | undefined;
  for (const value of values) {
    if (value !== undefined && (max === undefined || value > max)) max = value;
  }
  return max;
}
