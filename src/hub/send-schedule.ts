/**
 * The hub-wide send schedule (issue 15 item 1): which node writes next, how much, and when to stop. A
 * ConfigMap change fanned out to 10,000 nodes used to be written in one turn of the event loop, one
 * frame per node; now sessions with something to send wait here, and the send worker
 * (send-scheduler-worker.ts) serves them in batches bounded by bytes and time, yielding to the event
 * loop in between, and stops while the bytes handed to sockets and not yet drained are over a global
 * budget. Pure: no timers, no sockets; the worker passes `now` and reports what was written and drained.
 *
 * Two lanes, served in this order:
 * - `reply`: nodes with a reply the edge is waiting for (a query's answer). Never held by the global
 *   budget: a reply is small next to a fan-out, the edge waits for it, and the node's own high-water mark
 *   still bounds it. So one node's query is answered within a batch while 10,000 others get a ConfigMap.
 * - `bulk`: everything else (pushes, resends). Held while the budget is used up.
 * A node is served for one turn (at most `sendTurnBytes`, at least one delivery), then goes to the back of
 * the bulk lane if it has more: round robin, so one node's backlog cannot starve the others.
 *
 * Promised: no bulk turn starts while {@link bufferedBytes} ≥ `sendBudgetBytes`; a batch ends once it
 * wrote `sendBatchBytes` or ran `sendBatchMs` (one turn may pass either bound by at most one turn);
 * a node waits in at most one lane, once. Not promised: that a turn writes anything (the node's own
 * high-water mark may stop it, or its session may be gone).
 * @module
 */
import { Fifo } from '../queues/index.js';

/** The schedule's bounds. */
export interface SendScheduleLimits {
  /** Most bytes handed to sockets and not yet drained, all nodes together, before bulk turns stop. */
  readonly sendBudgetBytes: number;
  /** A batch (one turn of the event loop) ends after writing this many bytes. */
  readonly sendBatchBytes: number;
  /** A batch ends after this long, ms. */
  readonly sendBatchMs: number;
  /** One node's turn writes at most this many bytes (and always one delivery at least). */
  readonly sendTurnBytes: number;
}

/** Where a node waits. */
export type SendLane = 'reply' | 'bulk';

/** What the worker does next. */
export type SendStep<K> =
  /** Give `key` one turn of at most `maxBytes`, then report it with {@link SendSchedule.served}. */
  | { readonly kind: 'serve'; readonly key: K; readonly lane: SendLane; readonly maxBytes: number }
  /** This batch is used up and nodes wait: continue on the next turn of the event loop. */
  | { readonly kind: 'yield' }
  /** Only bulk waits and the budget is used up: continue when drains bring it below. */
  | { readonly kind: 'over-budget' }
  /** Nothing waits. */
  | { readonly kind: 'idle' };

/** The schedule, generic over the key of a node's session. */
export class SendSchedule<K> {
  readonly #limits: SendScheduleLimits;
  /** The lane each waiting key is in; the FIFOs may hold stale entries, skipped when popped. */
  readonly #waiting = new Map<K, SendLane>();
  readonly #reply = new Fifo<K>();
  readonly #bulk = new Fifo<K>();
  #bufferedBytes = 0;
  #batchStartedAt = 0;
  #batchBytes = 0;
  #batches = 0;

  constructor(limits: SendScheduleLimits) {
    this.#limits = limits;
  }

  /** `key` has something to send. A reply request moves a key waiting in bulk to the reply lane. */
  request(key: K, lane: SendLane): void {
    const current = this.#waiting.get(key);
    if (current === 'reply' || current === lane) return;
    this.#waiting.set(key, lane);
    (lane === 'reply' ? this.#reply : this.#bulk).push(key);
  }

  /** `key` is gone (its session ended): it is not served again until it asks again. */
  cancel(key: K): void {
    this.#waiting.delete(key);
  }

  /** Bytes were handed to a socket. */
  charge(bytes: number): void {
    this.#bufferedBytes += bytes;
  }

  /** Bytes handed to a socket were drained (written out, or dropped with a closed socket). */
  release(bytes: number): void {
    this.#bufferedBytes = Math.max(0, this.#bufferedBytes - bytes);
  }

  /** Bytes handed to sockets and not yet drained. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Nodes waiting for a turn. */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** Whether a bulk node waits and the budget is used up. */
  get isOverBudget(): boolean {
    return this.#bufferedBytes >= this.#limits.sendBudgetBytes;
  }

  /** Batches begun so far. */
  get batches(): number {
    return this.#batches;
  }

  /** Starts a batch (a turn of the event loop). */
  beginBatch(now: number): void {
    this.#batchStartedAt = now;
    this.#batchBytes = 0;
    this.#batches += 1;
  }

  /** The next step of the current batch. Takes the served key off its lane. */
  next(now: number): SendStep<K> {
    const isBatchUsed =
      this.#batchBytes >= this.#limits.sendBatchBytes ||
      now - this.#batchStartedAt >= this.#limits.sendBatchMs;
    if (this.#hasWaiting('reply')) {
      if (isBatchUsed) return { kind: 'yield' };
      return this.#serve(this.#pop('reply'), 'reply');
    }
    if (!this.#hasWaiting('bulk')) return { kind: 'idle' };
    if (this.isOverBudget) return { kind: 'over-budget' };
    if (isBatchUsed) return { kind: 'yield' };
    return this.#serve(this.#pop('bulk'), 'bulk');
  }

  /**
   * The turn `next` gave `key` wrote `bytes`; `hasMore` when the node still has something it could send
   * now (it then waits again, at the back of the bulk lane). A node stopped by its own high-water mark
   * passes `false` and asks again when its socket drains.
   */
  served(key: K, bytes: number, hasMore: boolean): void {
    this.#batchBytes += bytes;
    if (hasMore) this.request(key, 'bulk');
  }

  #serve(key: K, lane: SendLane): SendStep<K> {
    return { kind: 'serve', key, lane, maxBytes: this.#limits.sendTurnBytes };
  }

  /** Whether `lane` has a live entry at its head (stale heads are dropped on the way). */
  #hasWaiting(lane: SendLane): boolean {
    const fifo = lane === 'reply' ? this.#reply : this.#bulk;
    for (let key = fifo.peek(); key !== undefined; key = fifo.peek()) {
      if (this.#waiting.get(key) === lane) return true;
      fifo.shift();
    }
    return false;
  }

  /** Pops the head of `lane`, which {@link hasWaiting} found live. */
  #pop(lane: SendLane): K {
    const key = (lane === 'reply' ? this.#reply : this.#bulk).shift() as K;
    this.#waiting.delete(key);
    return key;
  }
}
