/**
 * The ACK path's store: one entry per object `(key, uid)` holding its waiting version, its in-flight
 * version and its last ACKed resourceVersion, plus the order in which keys may be sent. It knows nothing of
 * delivery ids, time or windows; `node-queue.ts` drives it. This is KubeEdge's `message_pool.go` (key queue
 * plus latest value per key) with one more rule: a key is sendable only while nothing for it is in flight.
 * @module
 */
import { decideEnqueue } from './enqueue-rules.js';
import type { EntryState, VersionState } from './enqueue-rules.js';
import type { AckItem, EnqueueOutcome } from './types.js';

/** One version of an object, as accepted. */
export interface Version<P> extends VersionState {
  readonly item: AckItem<P>;
  /** The `now` of the enqueue that accepted this version. */
  readonly enqueuedAt: number;
}

/** A version taken for sending, with the identity of its object. */
export interface Taken<P> {
  readonly key: string;
  readonly uid: string;
  readonly version: Version<P>;
}

interface Entry<P> extends EntryState {
  readonly uid: string;
  pending: Version<P> | undefined;
  inFlight: Version<P> | undefined;
  ackedRv: bigint | undefined;
}

interface KeyState<P> {
  readonly key: string;
  /**
   * Every object under this key the store remembers: the one object, or by uid when there are several
   * (a deleted object and its same-named successor); undefined when none. Nearly every key holds one
   * object, and a Map for it would cost about 150 bytes per object a node holds.
   */
  entries: Entry<P> | Map<string, Entry<P>> | undefined;
  /**
   * Objects with a waiting version, in the order they started waiting (Map keeps insertion order).
   * Undefined while none waits: a node's store remembers every object it was sent (for its ACKed
   * resourceVersion), nearly all with nothing waiting, and an empty Map costs about 150 bytes each.
   */
  pending: Map<string, Entry<P>> | undefined;
  /** The one object whose version is in flight, if any. */
  inFlight: Entry<P> | undefined;
}

/**
 * Coalescing store and key order of one node's ACK path.
 *
 * Contract:
 * - At most one version of an object waits; {@link enqueue} applies {@link decideEnqueue}.
 * - At most one object per key is in flight; its key is not sendable until {@link settle}.
 * - Keys are taken in the order they became sendable: on their first waiting version if nothing was in
 *   flight, otherwise when the in-flight version settled. A replaced version keeps its key's place.
 * - Within a key, objects are taken in the order their waiting version started waiting. So a delete of an
 *   old object enqueued before the insert of its same-named successor reaches the edge first.
 * - After an ACKed delete the object is forgotten (no tombstone): a later non-delete for it is accepted.
 */
export class AckEntries<P> {
  // Both maps are created on first use and dropped once empty: most nodes' stores are empty most of the
  // time (an idle node is sent nothing), and an empty Map still costs about 150 bytes per node.
  #keys: Map<string, KeyState<P>> | undefined;
  /** Keys with a waiting version and nothing in flight, oldest first. */
  #sendable: Map<string, KeyState<P>> | undefined;
  #pendingCount = 0;
  #trackedCount = 0;

  /** Objects with a waiting version. */
  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** Objects remembered, including ACKed ones kept for their resourceVersion. */
  get trackedCount(): number {
    return this.#trackedCount;
  }

  /** Keys that {@link takeNext} could return now. */
  get sendableKeyCount(): number {
    return this.#sendable?.size ?? 0;
  }

  /** Offers a version; see {@link decideEnqueue} for the rules. */
  enqueue(item: AckItem<P>, now: number): EnqueueOutcome<P> {
    const keyState = this.#keys?.get(item.key);
    const existing = keyState === undefined ? undefined : entryOf(keyState, item.uid);
    const decision = decideEnqueue(existing, item);
    switch (decision.kind) {
      case 'dropped-stale':
        return { kind: 'dropped-stale', latestResourceVersion: decision.latest.toString() };
      case 'dropped-after-delete':
        return { kind: 'dropped-after-delete' };
      case 'dropped-duplicate-delete':
        return { kind: 'dropped-duplicate-delete' };
      case 'dropped-invalid':
        return { kind: 'dropped-invalid', reason: decision.reason };
      case 'accept':
        break;
    }
    const state = keyState ?? this.#addKey(item.key);
    const entry = existing ?? this.#addEntry(state, item.uid);
    const replaced = entry.pending;
    entry.pending = { item, isDelete: item.isDelete, rv: decision.rv, enqueuedAt: now };
    if (replaced !== undefined) return { kind: 'replaced', replaced: replaced.item };
    this.#pendingCount += 1;
    if (item.isDelete && hasLivePending(state)) {
      // A delete of another object under this key goes before a waiting version of a live one: that live
      // object must be the newer (a delete of it would have replaced its waiting version), and the edge
      // deletes non-pods by key alone (errata omission 11), so the delete sent last would erase it.
      state.pending = new Map([[item.uid, entry], ...(state.pending ?? [])]);
    } else {
      (state.pending ??= new Map<string, Entry<P>>()).set(item.uid, entry);
    }
    if (state.inFlight === undefined) this.#markSendable(state);
    return { kind: 'queued' };
  }

  /** Takes the head object of the oldest sendable key and marks its waiting version in flight. */
  takeNext(): Taken<P> | undefined {
    const sendable = this.#sendable;
    const state = sendable === undefined ? undefined : first(sendable);
    if (sendable === undefined || state === undefined) return undefined;
    sendable.delete(state.key);
    if (sendable.size === 0) this.#sendable = undefined;
    const entry = state.pending === undefined ? undefined : first(state.pending);
    if (entry === undefined)
      throw new Error(`queues invariant: sendable key ${state.key} has nothing waiting`);
    return { key: state.key, uid: entry.uid, version: this.#startFlight(state, entry) };
  }

  /**
   * Whether the in-flight object `(key, uid)` has a newer version at the head of its key, which may then
   * take the old version's place ({@link takeSuperseding}). Only the head may jump, so order within a key
   * is kept.
   */
  canSupersede(key: string, uid: string): boolean {
    const [state, entry] = this.#inFlightEntry(key, uid);
    return state.pending !== undefined && first(state.pending) === entry;
  }

  /** Whether the version waiting behind in-flight `(key, uid)` is a delete. */
  isDeleteWaiting(key: string, uid: string): boolean {
    const [, entry] = this.#inFlightEntry(key, uid);
    return entry.pending?.isDelete === true;
  }

  /** Makes the newer version of in-flight `(key, uid)` the in-flight one; the key stays busy. */
  takeSuperseding(key: string, uid: string): Version<P> {
    const [state, entry] = this.#inFlightEntry(key, uid);
    if (state.pending === undefined || first(state.pending) !== entry)
      throw new Error(`queues invariant: ${key} (${uid}) cannot supersede`);
    return this.#startFlight(state, entry);
  }

  /**
   * Ends the flight of `(key, uid)`. `acked`: a non-delete raises the ACKed resourceVersion; a delete
   * forgets the object. `dropped`: the version is abandoned and nothing is recorded. Either way the key
   * becomes sendable again if anything under it waits.
   */
  settle(key: string, uid: string, how: 'acked' | 'dropped'): void {
    const [state, entry, version] = this.#inFlightEntry(key, uid);
    entry.inFlight = undefined;
    state.inFlight = undefined;
    if (how === 'acked' && version.item.isDelete) {
      entry.ackedRv = undefined;
    } else if (how === 'acked' && version.rv !== undefined) {
      if (entry.ackedRv === undefined || version.rv > entry.ackedRv) entry.ackedRv = version.rv;
    }
    if (entry.ackedRv === undefined) this.#forgetIfIdle(state, entry);
    if (state.pending !== undefined) this.#markSendable(state);
    else if (state.entries === undefined) this.#forgetKey(state.key);
  }

  /**
   * Forgets every ACKed resourceVersion, keeping what waits and what is in flight: the edge's store may
   * be empty (it was rebuilt), so a resend of the version it once ACKed must not be dropped as stale.
   * O(objects remembered).
   */
  forgetAcked(): void {
    for (const state of this.#keys?.values() ?? []) {
      for (const entry of entriesOf(state)) {
        entry.ackedRv = undefined;
        this.#forgetIfIdle(state, entry);
      }
      if (state.entries === undefined) this.#forgetKey(state.key);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#keys = undefined;
    this.#sendable = undefined;
    this.#pendingCount = 0;
    this.#trackedCount = 0;
  }

  #inFlightEntry(key: string, uid: string): [KeyState<P>, Entry<P>, Version<P>] {
    const state = this.#keys?.get(key);
    const entry = state === undefined ? undefined : entryOf(state, uid);
    const version = entry?.inFlight;
    if (state === undefined || entry === undefined || version === undefined || state.inFlight !== entry) {
      throw new Error(`queues invariant: ${key} (${uid}) is not in flight`);
    }
    return [state, entry, version];
  }

  #startFlight(state: KeyState<P>, entry: Entry<P>): Version<P> {
    const version = entry.pending;
    if (version === undefined)
      throw new Error(`queues invariant: ${state.key} (${entry.uid}) has nothing waiting`);
    state.pending?.delete(entry.uid);
    if (state.pending?.size === 0) state.pending = undefined;
    this.#pendingCount -= 1;
    entry.pending = undefined;
    entry.inFlight = version;
    state.inFlight = entry;
    return version;
  }

  #forgetIfIdle(state: KeyState<P>, entry: Entry<P>): void {
    if (entry.pending !== undefined || entry.inFlight !== undefined) return;
    const { entries } = state;
    if (entries instanceof Map) {
      entries.delete(entry.uid);
      if (entries.size === 1) state.entries = first(entries);
    } else if (entries === entry) {
      state.entries = undefined;
    }
    this.#trackedCount -= 1;
  }

  #addKey(key: string): KeyState<P> {
    const state: KeyState<P> = { key, entries: undefined, pending: undefined, inFlight: undefined };
    (this.#keys ??= new Map()).set(key, state);
    return state;
  }

  #forgetKey(key: string): void {
    this.#keys?.delete(key);
    if (this.#keys?.size === 0) this.#keys = undefined;
  }

  #markSendable(state: KeyState<P>): void {
    (this.#sendable ??= new Map()).set(state.key, state);
  }

  #addEntry(state: KeyState<P>, uid: string): Entry<P> {
    const entry: Entry<P> = { uid, pending: undefined, inFlight: undefined, ackedRv: undefined };
    const { entries } = state;
    if (entries === undefined) state.entries = entry;
    else if (entries instanceof Map) entries.set(uid, entry);
    else
      state.entries = new Map([
        [entries.uid, entries],
        [uid, entry],
      ]);
    this.#trackedCount += 1;
    return entry;
  }
}

function entryOf<P>(state: KeyState<P>, uid: string): Entry<P> | undefined {
  const { entries } = state;
  if (entries instanceof Map) return entries.get(uid);
  return entries?.uid === uid ? entries : undefined;
}

/** A key's objects, as a copy: callers forget some while they walk them. */
function entriesOf<P>(state: KeyState<P>): Entry<P>[] {
  const { entries } = state;
  if (entries instanceof Map) return [...entries.values()];
  return entries === undefined ? [] : [entries];
}

function first<V>(map: ReadonlyMap<string, V>): V | undefined {
  for (const value of map.values()) return value;
  return undefined;
}

/** Whether some object under the key waits with a non-delete version. */
function hasLivePending<P>(state: KeyState<P>): boolean {
  for (const entry of state.pending?.values() ?? []) if (entry.pending?.isDelete === false) return true;
  return false;
}
