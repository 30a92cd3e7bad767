/**
 * Record writes as data: what may be asked of one ObjectSync/ClusterObjectSync record, how a new ask
 * merges with those already waiting for the same record, and what a failed API call means for it. Pure;
 * record-write-worker.ts carries them out, one record at a time and in order.
 *
 * Every write for a record goes through one ordered list, so that the create made before a first send,
 * the status written on each ACK, a delete after an ACKed delete and a reset to "unknown" on a full
 * resync can never overtake each other (KubeEdge writes them from different goroutines, field lesson
 * "records racing the ACK").
 * @module
 */
import type { ApiErrorAction } from '../kube/index.js';
import type { SyncRecord, RecordTarget } from './record.js';

/** One write asked of a record. */
export type RecordOp =
  /** Make the record exist (POST; AlreadyExists is success). Before an object's first send to a node. */
  | { readonly kind: 'create'; readonly record: SyncRecord }
  /**
   * Write `status.objectResourceVersion` (merge PATCH of the status subresource); a missing record is
   * created first. On an ACK (the ACKed version), or `0` to mark what the edge holds as unknown.
   */
  | { readonly kind: 'status'; readonly record: SyncRecord; readonly resourceVersion: string }
  /** Delete the record (NotFound is success): the edge ACKed the object's delete, or the node is gone. */
  | { readonly kind: 'delete'; readonly target: RecordTarget };

/** How one record write ended for the callers waiting on it. */
export type RecordOpResult = 'written' | 'dropped';

/** The version that marks a record "the edge may not hold this": repair resends it. */
export const unknownResourceVersion = '0';

/** An op and the callbacks of every ask merged into it. */
export interface QueuedOp {
  op: RecordOp;
  readonly done: ((result: RecordOpResult) => void)[];
}

/**
 * Adds `op` to a record's waiting list (the head may be running: it is never touched). Merges with the
 * tail where the result is the same: two statuses → the later one (ACKs of one object come in order, and
 * a reset after an ACK must win); a create after a create or a status → nothing new (a status creates a
 * missing record too); a delete after a waiting create or status → the delete alone (their callers are
 * told `written`: the record's fate is the delete's). Returns the list's new length.
 */
export function appendOp(
  waiting: QueuedOp[],
  op: RecordOp,
  done: ((result: RecordOpResult) => void) | undefined,
  isHeadRunning: boolean,
): number {
  const callbacks = done === undefined ? [] : [done];
  const tailIndex = waiting.length - 1;
  const tail = tailIndex >= (isHeadRunning ? 1 : 0) ? waiting[tailIndex] : undefined;
  if (tail !== undefined) {
    if (op.kind === 'status' && tail.op.kind === 'status') {
      tail.op = op;
      tail.done.push(...callbacks);
      return waiting.length;
    }
    if (op.kind === 'create' && (tail.op.kind === 'create' || tail.op.kind === 'status')) {
      tail.done.push(...callbacks);
      return waiting.length;
    }
    if (op.kind === 'delete' && tail.op.kind === 'delete') {
      tail.done.push(...callbacks);
      return waiting.length;
    }
    if (op.kind === 'delete') {
      tail.op = op;
      tail.done.push(...callbacks);
      return waiting.length;
    }
  }
  waiting.push({ op, done: callbacks });
  return waiting.length;
}

/** What to do after a record write failed. */
export type FailureDecision =
  /** The goal is reached after all (a create that found the record, a delete that found none). */
  | { readonly kind: 'done' }
  /** The record is missing for a status write: create it, then write the status. */
  | { readonly kind: 'create-first' }
  /** Try again later with backoff; the failure may pass (API down, throttled, RBAC not yet granted). */
  | { readonly kind: 'retry' }
  /** It cannot succeed as asked (400, 422): give up on this write, count it, tell the callers. */
  | { readonly kind: 'drop' };

/**
 * The decision for an API failure classified by kube/api-errors.ts. 403 is retried, not dropped: a
 * missing RBAC rule is an operator's mistake that gets fixed, and a push held for its record must go
 * once it is (issue 13 item 1). A namespace being terminated also answers 403; the held pushes of its
 * objects are released by their deletes (record-gate.ts), so those retries end too.
 */
export function decideFailure(op: RecordOp, action: ApiErrorAction, status: number): FailureDecision {
  switch (action) {
    case 'absorb': // 404
      if (op.kind === 'delete') return { kind: 'done' };
      // A create never answers 404 unless its namespace is gone: the object went with it.
      return op.kind === 'status' ? { kind: 'create-first' } : { kind: 'drop' };
    case 'reread': // 409
      return op.kind === 'create' ? { kind: 'done' } : { kind: 'retry' };
    case 'retry':
    case 'relist':
      return { kind: 'retry' };
    case 'terminal':
      return status === 403 ? { kind: 'retry' } : { kind: 'drop' };
  }
}
