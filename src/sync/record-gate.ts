/**
 * The record-before-first-send rule (issue 13 item 1; spec §9 fact 11; KubeEdge `message_dispatcher.go`
 * `enqueueNamespacedResource`): an object is pushed to a node only once its record `<node>.<uid>` exists,
 * so a controller that crashes right after the push still knows the edge may hold it, and sends the
 * delete if the object goes while it is down. Pure state, no I/O: the sync worker asks the gate what to
 * do with each push, writes the records it names (record-write-worker.ts) and tells it when they are written.
 *
 * Promised:
 * - A push whose record is not known to exist is held, and its record created; pushes of the same object
 *   that follow wait with it. Nothing else of the node waits: other objects pass.
 * - Of the pushes held for one object only the newest version is kept ({@link holdNewest}), as the
 *   node's queue would keep it (queues/enqueue-rules.ts); replies are all kept, in order. The periodic
 *   repair offers every object still missing its record again each round: with one message kept per
 *   offer, 100,000 pods waiting for their records behind a slow API server held 163,000 messages, one
 *   more per object per round, without bound while the API server stayed away.
 * - A delete is never held: it drops the object's held pushes (a version the edge must not get any more)
 *   and goes at once. The record goes when the edge ACKs the delete.
 * - A full resync marks each of the node's records "unknown" (`status 0`) and holds that object's pushes
 *   until the mark is written, so a crash in the middle still leaves every record saying "resend me".
 * - When the record cannot be written at all (a 400/422, not a 403 or an outage, which are retried), the
 *   held pushes go anyway: an edge without its pod is worse than a record missing.
 *
 * What is known about records: the record informer's store (passed as `lookup`), overridden by what this
 * process wrote or learned since (creates, ACKed versions, ACKed deletes), which the informer may not have
 * seen yet.
 * @module
 */
import { isReply } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { parseResourceVersion } from '../queues/index.js';
import { unknownResourceVersion } from './record-ops.js';
import type { RecordOpResult } from './record-ops.js';
import type { SyncRecord } from './record.js';

/** What the gate needs to know of a push (push-record.ts). */
export type GatedPush =
  | { readonly message: Message; readonly uid: string; readonly isDelete: true }
  /** `record`: the one the object needs before it is sent. */
  | {
      readonly message: Message;
      readonly uid: string;
      readonly isDelete: false;
      readonly record: SyncRecord;
    };

/** What to do with a push. */
export type GateDecision =
  /** Send it now. */
  | { readonly kind: 'send' }
  /** Held behind a record write already asked for. */
  | { readonly kind: 'held' }
  /** Held: create this record, then call {@link RecordGate.written}. */
  | { readonly kind: 'create'; readonly record: SyncRecord };

interface Held {
  readonly messages: Message[];
}

interface NodeState {
  /** What this process knows of the node's records beyond the informer: uid → record or absent. */
  readonly known: Map<string, SyncRecord | 'absent'>;
  readonly held: Map<string, Held>;
}

/** Looks a record up in the record informer's store. */
export type RecordLookup = (record: SyncRecord) => boolean;

/** Per-node record knowledge and held pushes. */
export class RecordGate {
  readonly #lookup: RecordLookup;
  readonly #nodes = new Map<NodeName, NodeState>();
  #heldCount = 0;

  constructor(lookup: RecordLookup) {
    this.#lookup = lookup;
  }

  /** Pushes held for their record, all nodes. */
  get heldCount(): number {
    return this.#heldCount;
  }

  /** Decides a push (see the module comment). */
  offer(node: NodeName, push: GatedPush): GateDecision {
    const state = this.#state(node);
    const held = state.held.get(push.uid);
    if (push.isDelete) {
      if (held !== undefined) {
        this.#heldCount -= held.messages.length;
        held.messages.length = 0;
      }
      return { kind: 'send' };
    }
    if (held !== undefined) {
      this.#heldCount += holdNewest(held.messages, push.message);
      return { kind: 'held' };
    }
    if (this.isRecorded(node, push.record)) return { kind: 'send' };
    state.held.set(push.uid, { messages: [push.message] });
    this.#heldCount += 1;
    return { kind: 'create', record: push.record };
  }

  /**
   * The record write a hold waited for ended: returns the pushes to send now, in order. `dropped` still
   * releases them (see the module comment).
   */
  written(node: NodeName, record: SyncRecord, result: RecordOpResult): readonly Message[] {
    const state = this.#nodes.get(node);
    const held = state?.held.get(record.uid);
    if (state === undefined || held === undefined) return [];
    state.held.delete(record.uid);
    this.#heldCount -= held.messages.length;
    if (result === 'written' && !this.#lookup(record)) state.known.set(record.uid, record);
    return held.messages;
  }

  /** Whether the node's record for this object is known to exist. */
  isRecorded(node: NodeName, record: SyncRecord): boolean {
    const known = this.#nodes.get(node)?.known.get(record.uid);
    if (known !== undefined) return known !== 'absent';
    return this.#lookup(record);
  }

  /** The edge ACKed a version: its record exists (or is being written). */
  noteRecorded(node: NodeName, record: SyncRecord): void {
    const known = this.#nodes.get(node)?.known.get(record.uid);
    if (known === undefined && this.#lookup(record)) return; // the informer already says so
    this.#state(node).known.set(record.uid, record);
  }

  /** The edge ACKed a delete: its record is being deleted. */
  noteDeleted(node: NodeName, uid: string): void {
    this.#state(node).known.set(uid, 'absent');
  }

  /**
   * The record informer saw a record appear (`present`) or go: once it agrees with what this process
   * knows, its store answers alone and the entry goes, so what is known stays as small as what is in
   * flight (a disagreeing event is older news and changes nothing).
   */
  informerSaw(node: NodeName, uid: string, present: boolean): void {
    const state = this.#nodes.get(node);
    const known = state?.known.get(uid);
    if (state === undefined || known === undefined) return;
    if ((known === 'absent') !== present) state.known.delete(uid);
    if (state.known.size === 0 && state.held.size === 0) this.#nodes.delete(node);
  }

  /** Entries of what this process knows beyond the informer, all nodes (for tests and diagnostics). */
  get knownCount(): number {
    let count = 0;
    for (const state of this.#nodes.values()) count += state.known.size;
    return count;
  }

  /**
   * Starts a full resync of a node: every record it has (from the informer's `records` and what this
   * process knows) whose object is not already held is held and returned, to be marked `status 0`; call
   * {@link written} for each when its mark is done.
   */
  beginResync(node: NodeName, records: readonly SyncRecord[]): SyncRecord[] {
    const state = this.#state(node);
    const all = new Map<string, SyncRecord>();
    for (const record of records) all.set(record.uid, record);
    for (const [uid, known] of state.known) {
      if (known === 'absent') all.delete(uid);
      else all.set(uid, known);
    }
    const marks: SyncRecord[] = [];
    for (const [uid, record] of all) {
      if (state.held.has(uid)) continue;
      state.held.set(uid, { messages: [] });
      marks.push({ ...record, objectResourceVersion: unknownResourceVersion });
    }
    return marks;
  }

  /** Forgets a deleted node: its held pushes are dropped. */
  forgetNode(node: NodeName): void {
    const state = this.#nodes.get(node);
    if (state === undefined) return;
    for (const held of state.held.values()) this.#heldCount -= held.messages.length;
    this.#nodes.delete(node);
  }

  #state(node: NodeName): NodeState {
    let state = this.#nodes.get(node);
    if (state === undefined) {
      state = { known: new Map(), held: new Map() };
      this.#nodes.set(node, state);
    }
    return state;
  }
}

/**
 * Adds `message` to the pushes held for one object (never deletes: a delete is not held), keeping only
 * the newest version of the object: a push older than or equal to one held is dropped (a repair's repeat),
 * a newer one replaces the pushes it supersedes. Replies (a parent id) answer a request of the edge and
 * are all kept, in order. EdgeCore treats `insert` and `update` of a pod alike (edged `handlePod`), so the
 * newest `update` may stand for an `insert` it replaced. Returns how the count of held messages changed.
 */
export function holdNewest(messages: Message[], message: Message): number {
  const rv = versionOfPush(message);
  if (rv === undefined) {
    messages.push(message);
    return 1;
  }
  if (messages.some((held) => (versionOfPush(held) ?? -1n) >= rv)) return 0;
  // Every versioned push held is older than `message` now: it supersedes them all.
  const before = messages.length;
  const kept = messages.filter((held) => versionOfPush(held) === undefined);
  messages.splice(0, before, ...kept, message);
  return messages.length - before;
}

/** The resourceVersion of a push; undefined for a reply or a message without a valid one. */
function versionOfPush(message: Message): bigint | undefined {
  if (isReply(message)) return undefined;
  return parseResourceVersion(message.header.resourceversion ?? '');
}
