/**
 * Admission of `/edge.crt` requests: at most `maxConcurrent` issuances run at once, the rest wait in
 * arrival order, and a request that cannot be served soon is refused with 503 and a Retry-After instead
 * of waiting for a timeout. Why: an issuance costs about 5-9 ms of the event loop (CSR and token checks,
 * signing, ASN.1), so a burst of joins that all start at once all finish late together; at 100 joins/s
 * on a loaded controller the requests (and the hub's TLS handshakes sharing the loop) starved until the
 * edges' timeouts and the guard's resets. One request at a time per slot, first come first served, keeps
 * each issuance short and the loop free between them.
 *
 * Shell: it owns the queue's timers. How long a refused edge is told to wait is busy-retry.ts's decision.
 * @module
 */
import { retryAfterSeconds } from './busy-retry.js';
import type { BusyRefusal } from './busy-retry.js';

/** Options of {@link IssuanceGate}. */
export interface IssuanceGateOptions {
  /** Issuances running at once. */
  readonly maxConcurrent: number;
  /** Requests waiting for a slot; one more is refused at once. */
  readonly maxQueued: number;
  /** A request still waiting after this long is refused, ms. */
  readonly maxWaitMs: number;
}

/** A granted slot; `release` exactly once when the issuance is done (extra calls are ignored). */
export interface IssuanceSlot {
  release(): void;
}

/** What {@link IssuanceGate.acquire} came to. */
export type GateResult =
  | { readonly kind: 'granted'; readonly slot: IssuanceSlot }
  | { readonly kind: 'refused'; readonly reason: BusyRefusal; readonly retryAfterSeconds: number };

interface Waiter {
  readonly grant: (slot: IssuanceSlot) => void;
  readonly refuse: (reason: BusyRefusal) => void;
  readonly timer: NodeJS.Timeout;
}

/** The queue of `/edge.crt` requests in front of the issuances. */
export class IssuanceGate {
  readonly #options: IssuanceGateOptions;
  readonly #waiting: Waiter[] = [];
  #running = 0;
  /** Exponential mean of issuance time, ms (seeded with a typical loaded value). */
  #meanMs = 20;
  readonly #now: () => number;

  constructor(options: IssuanceGateOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#now = now;
  }

  /** Issuances running now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Waits for a slot. Resolves `refused` at once when the queue is full, or after `maxWaitMs` in the
   * queue. `signal` (the client went away) takes the request out of the queue; it then resolves refused.
   */
  acquire(signal?: AbortSignal): Promise<GateResult> {
    const o = this.#options;
    if (this.#running < o.maxConcurrent && this.#waiting.length === 0)
      return Promise.resolve({ kind: 'granted', slot: this.#grant() });
    if (this.#waiting.length >= o.maxQueued) return Promise.resolve(this.#refusal('queue_full'));
    return new Promise<GateResult>((resolve) => {
      const leave = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const refuse = (reason: BusyRefusal): void => {
        leave();
        resolve(this.#refusal(reason));
      };
      const onAbort = (): void => {
        refuse('queue_timeout');
      };
      const waiter: Waiter = {
        grant: (slot) => {
          leave();
          resolve({ kind: 'granted', slot });
        },
        refuse,
        timer: setTimeout(() => {
          refuse('queue_timeout');
        }, o.maxWaitMs),
      };
      waiter.timer.unref();
      this.#waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Refuses every waiting request (the server is stopping). */
  close(): void {
    for (const waiter of [...this.#waiting]) waiter.refuse('queue_full');
  }

  #refusal(reason: BusyRefusal): GateResult {
    const o = this.#options;
    return {
      kind: 'refused',
      reason,
      retryAfterSeconds: retryAfterSeconds(
        this.#waiting.length,
        o.maxConcurrent,
        this.#meanMs,
        Math.random(),
      ),
    };
  }

  #grant(): IssuanceSlot {
    this.#running += 1;
    const started = this.#now();
    let isReleased = false;
    return {
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.#running -= 1;
        this.#meanMs = 0.9 * this.#meanMs + 0.1 * (this.#now() - started);
        const next = this.#waiting[0];
        if (next !== undefined && this.#running < this.#options.maxConcurrent) next.grant(this.#grant());
      },
    };
  }
}
