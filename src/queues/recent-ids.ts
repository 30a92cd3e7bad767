/**
 * A bounded memory of message ids whose ACK may still arrive although the queue no longer waits for it:
 * replies the edge ACKs (`NodeQueue.enqueueReply`), other copies of a resent delivery, retired
 * deliveries. `node-queue.ts` consults it so that such ACKs are recognised instead of counted as unknown.
 *
 * Bounded twice, so a peer cannot grow it: by count (the oldest id is forgotten first) and by age (an id
 * older than `ttlMs` is forgotten). An id is remembered only for a message we sent, never for one the
 * peer named. Pure: time comes in as `now`.
 * @module
 */

/** Limits of a {@link RecentIds}. */
export interface RecentIdsLimits {
  /** Most ids held (an integer >= 1). */
  readonly maxIds: number;
  /** How long an id is held after it was remembered, in ms (> 0). */
  readonly ttlMs: number;
}

/**
 * Ids remembered with the time they were remembered, oldest first (a Map keeps insertion order, and
 * re-remembering an id moves it to the end).
 *
 * Promised: at most `maxIds` ids; an id remembered at `t` is found by {@link take} at any `now < t + ttlMs`
 * unless `maxIds` newer ids pushed it out; {@link take} finds an id at most once.
 * Not promised: expiry exactly at `t + ttlMs` if `now` went backwards (then only the count bounds it).
 */
export class RecentIds {
  readonly #limits: RecentIdsLimits;
  /**
   * Created on the first id and dropped once empty: an idle node's edge ACKs its few replies at once, so
   * most of the time this holds nothing, and an empty Map still costs about 150 bytes per node.
   */
  #rememberedAt: Map<string, number> | undefined;

  /** `limits` must already be valid (queue-options.ts validates them). */
  constructor(limits: RecentIdsLimits) {
    this.#limits = limits;
  }

  /** Ids held now (expired ones may still count until the next call with a later `now`). */
  get size(): number {
    return this.#rememberedAt?.size ?? 0;
  }

  /** Remembers `id` as of `now`, forgetting the oldest ids beyond `maxIds`. */
  remember(id: string, now: number): void {
    this.#expire(now);
    const rememberedAt = (this.#rememberedAt ??= new Map<string, number>());
    rememberedAt.delete(id);
    rememberedAt.set(id, now);
    while (rememberedAt.size > this.#limits.maxIds) this.#forgetOldest(rememberedAt);
  }

  /** Whether `id` is held (not expired at `now`); forgets it either way. */
  take(id: string, now: number): boolean {
    this.#expire(now);
    const found = this.#rememberedAt?.delete(id) ?? false;
    this.#dropIfEmpty();
    return found;
  }

  clear(): void {
    this.#rememberedAt = undefined;
  }

  #expire(now: number): void {
    const rememberedAt = this.#rememberedAt;
    if (rememberedAt === undefined) return;
    for (const [id, at] of rememberedAt) {
      if (at + this.#limits.ttlMs > now) return;
      rememberedAt.delete(id);
    }
    this.#dropIfEmpty();
  }

  #forgetOldest(rememberedAt: Map<string, number>): void {
    for (const id of rememberedAt.keys()) {
      rememberedAt.delete(id);
      return;
    }
  }

  #dropIfEmpty(): void {
    if (this.#rememberedAt?.size === 0) this.#rememberedAt = undefined;
  }
}
