/**
 * Coalescing of record writes, so the sync worker can batch them: a burst of ACKs for one object becomes
 * one write, and the API sees at most one write per record per batch (KubeEdge makes 3 API calls per ACK
 * and stalls under load, #7278). Pure; the worker owns the buffer, the batch size and the rate limit.
 * @module
 */
import { parseResourceVersion } from '../queues/index.js';
import type { RecordAction } from './on-ack.js';
import { targetId } from './record.js';

/** A record action that writes something (`none` removed). */
export type RecordWrite = Exclude<RecordAction, { readonly kind: 'none' }>;

/**
 * One write per record, in the order each record was first touched:
 * - a later action replaces an earlier one (a delete after an upsert deletes; an upsert after a delete
 *   re-creates, which only a record name reused for a new object could cause);
 * - of two upserts the one with the higher resourceVersion wins, whatever their order: a record never
 *   goes back to an older version;
 * - `none` actions are dropped.
 */
export function coalesceRecordActions(actions: readonly RecordAction[]): RecordWrite[] {
  const writes = new Map<string, RecordWrite>();
  for (const action of actions) {
    switch (action.kind) {
      case 'none':
        break;
      case 'delete':
        writes.set(targetId(action.target), action);
        break;
      case 'upsert': {
        const id = targetId(action.record);
        const previous = writes.get(id);
        if (
          previous?.kind === 'upsert' &&
          isOlder(action.record.objectResourceVersion, previous.record.objectResourceVersion)
        ) {
          break;
        }
        writes.set(id, action);
        break;
      }
    }
  }
  return [...writes.values()];
}

function isOlder(candidate: string, current: string): boolean {
  const a = parseResourceVersion(candidate);
  const b = parseResourceVersion(current);
  return a !== undefined && b !== undefined && a < b;
}
