/**
 * Which waiting API request may start now: a token bucket (QPS and burst, as client-go's
 * `flowcontrol.NewTokenBucketRateLimiter` that KubeEdge's `kubeAPIConfig.qps/burst` configure), a cap on
 * requests in flight, and four classes served strictly in order (issue 15 item 3):
 *
 * 1. `node`: node leases and node status, so that no flood of other work lets a node go NotReady;
 * 2. `pod`: pod status and the replies an edge waits for;
 * 3. `records`: reliable-sync delivery records and node ownership writes;
 * 4. `bulk`: lists and everything else (the default).
 *
 * Strict means a request of a lower class starts only while no request of a higher class waits: the head
 * of the highest waiting class takes the next token and the next free slot. Within a class, first come
 * first served. A long-running request (a watch) takes a token to start, as client-go's `Request.Watch`
 * does, but no in-flight slot: it would hold one for as long as it runs, and with the cap at 1 a single
 * watch would stop every other request.
 *
 * Pure: time comes in as `now` (ms, monotonic); the client (client.ts) runs the timers and the I/O.
 * Not promised: fairness between callers of one class (one caller queuing 10,000 bulk reads delays
 * another's bulk read behind them), nor any bound on waiting time; the caller's AbortSignal bounds that.
 * @module
 */

/** The class of a request, highest first. Closed: a metric label. */
export type RequestClass = 'node' | 'pod' | 'records' | 'bulk';

/** Every class, in the order they are served. */
export const requestClasses: readonly RequestClass[] = Object.freeze(['node', 'pod', 'records', 'bulk']);

/** The limits; see docs/configuration.md for the defaults and where they come from. */
export interface RequestLimits {
  /** Tokens added per second (`kubeAPIConfig.qps`). */
  readonly qps: number;
  /** Most tokens the bucket holds, so most requests started at once after a quiet spell (`kubeAPIConfig.burst`). */
  readonly burst: number;
  /** Most requests in flight; long-running ones (watches) are not counted. */
  readonly maxInFlight: number;
}

/** Defaults of the parts KubeEdge has no key for. */
export const requestLimitDefaults = Object.freeze({ maxInFlight: 64 });

/** A waiting request, as the limiter holds it. */
interface Waiter<T> {
  readonly item: T;
  /** False for a long-running request: it takes a token but no slot. */
  readonly holdsSlot: boolean;
  removed: boolean;
}

/** One class's waiting requests, first in first out; removal is lazy so it costs O(1). */
class Fifo<T> {
  #items: Waiter<T>[] = [];
  #head = 0;
  size = 0;

  push(w: Waiter<T>): void {
    this.#items.push(w);
    this.size += 1;
  }

  /** The first waiter not removed, if any. */
  peek(): Waiter<T> | undefined {
    while (this.#head < this.#items.length) {
      const w = this.#items[this.#head];
      if (w !== undefined && !w.removed) return w;
      this.#head += 1;
    }
    this.#compact();
    return undefined;
  }

  shift(): void {
    this.#head += 1;
    this.size -= 1;
    // Give the array's dead prefix back once it is most of the array, so a long queue does not leak.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) this.#compact();
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head);
    this.#head = 0;
  }
}

/** What {@link RequestLimiter.dispatch} decided. */
export interface Dispatch<T> {
  /** Requests to start now, in the order they were chosen. */
  readonly start: readonly T[];
  /** When something waits only for a token: ms until the next token; call `dispatch` again then. */
  readonly retryInMs?: number;
}

/** Token bucket + in-flight cap + strict class order; see the module header. */
export class RequestLimiter<T> {
  readonly limits: RequestLimits;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  readonly #queues: Record<RequestClass, Fifo<T>> = {
    node: new Fifo(),
    pod: new Fifo(),
    records: new Fifo(),
    bulk: new Fifo(),
  };
  readonly #waiters = new Map<T, { readonly cls: RequestClass; readonly waiter: Waiter<T> }>();

  /** The bucket starts full, as golang.org/x/time/rate's does: the first `burst` requests go at once. */
  constructor(limits: RequestLimits, now: number) {
    if (!(Number.isFinite(limits.qps) && limits.qps > 0)) throw new RangeError('qps must be a number > 0');
    if (!(Number.isInteger(limits.burst) && limits.burst >= 1))
      throw new RangeError('burst must be an integer >= 1');
    if (!(Number.isInteger(limits.maxInFlight) && limits.maxInFlight >= 1))
      throw new RangeError('maxInFlight must be an integer >= 1');
    this.limits = Object.freeze({ ...limits });
    this.#tokens = limits.burst;
    this.#refilledAt = now;
  }

  /** Queues `item` (each item at most once). `holdsSlot: false` for a long-running request. */
  enqueue(item: T, cls: RequestClass, holdsSlot = true): void {
    if (this.#waiters.has(item)) throw new Error('RequestLimiter: item is already waiting');
    const waiter: Waiter<T> = { item, holdsSlot, removed: false };
    this.#queues[cls].push(waiter);
    this.#waiters.set(item, { cls, waiter });
  }

  /** Takes a waiting item out (its caller gave up). False when it was not waiting. */
  remove(item: T): boolean {
    const entry = this.#waiters.get(item);
    if (entry === undefined) return false;
    entry.waiter.removed = true;
    this.#queues[entry.cls].size -= 1;
    this.#waiters.delete(item);
    return true;
  }

  /** A started request that held a slot has finished (or failed, or was aborted): its slot is free. */
  release(): void {
    if (this.#inFlight === 0) throw new Error('RequestLimiter: release without a request in flight');
    this.#inFlight -= 1;
  }

  /**
   * Starts what may start at `now`: while a token is there, the head of the highest class that has one
   * starts if it needs no slot or a slot is free. A head that waits for a slot blocks every class below
   * it (strict order: the slot that frees next is its). A head that waits for a token makes the
   * result carry `retryInMs`.
   */
  dispatch(now: number): Dispatch<T> {
    this.#refill(now);
    const start: T[] = [];
    for (;;) {
      const head = this.#head();
      if (head === undefined) return { start };
      const { cls, waiter } = head;
      if (waiter.holdsSlot && this.#inFlight >= this.limits.maxInFlight) return { start };
      if (this.#tokens < 1) {
        return { start, retryInMs: Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.limits.qps)) };
      }
      this.#tokens -= 1;
      if (waiter.holdsSlot) this.#inFlight += 1;
      this.#queues[cls].shift();
      this.#waiters.delete(waiter.item);
      start.push(waiter.item);
    }
  }

  /** Requests in flight that hold a slot. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting, per class. */
  waiting(): Record<RequestClass, number> {
    return {
      node: this.#queues.node.size,
      pod: this.#queues.pod.size,
      records: this.#queues.records.size,
      bulk: this.#queues.bulk.size,
    };
  }

  #head(): { cls: RequestClass; waiter: Waiter<T> } | undefined {
    for (const cls of requestClasses) {
      const waiter = this.#queues[cls].peek();
      if (waiter !== undefined) return { cls, waiter };
    }
    return undefined;
  }

  #refill(now: number): void {
    const elapsedMs = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.limits.burst, this.#tokens + (elapsedMs * this.limits.qps) / 1000);
    this.#refilledAt = now;
  }
}

/**
 * The class of an API call made for an edge's request (upstream), by the resource it touches: its Lease
 * or its Node (status, registration, labels) → `node`; events, which no edge waits for → `bulk`; anything
 * else (pod status, queries, CSRs, tokens) is a reply the edge waits for → `pod`.
 */
export function edgeRequestClass(resource: string): RequestClass {
  if (resource === 'leases' || resource === 'nodes') return 'node';
  return resource === 'events' ? 'bulk' : 'pod';
}
