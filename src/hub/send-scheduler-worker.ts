/**
 * Carries out the send schedule (send-schedule.ts): sessions ask for a turn, and a drain step gives turns
 * until its batch is used up, then continues on the next turn of the event loop (`setImmediate`), so
 * that a fan-out to 10,000 nodes never holds the loop for more than a batch: inbound frames, keepalives
 * and query replies are handled in between. Bulk turns stop while the bytes handed to sockets and not
 * yet drained are over the budget, and resume from the write callback that brings them below.
 * @module
 */
import type { HubMetrics } from '../observability/index.js';
import { SendSchedule } from './send-schedule.js';
import type { SendLane, SendScheduleLimits } from './send-schedule.js';

/** A session as the scheduler sees it. */
export interface SendTarget {
  /**
   * Writes what the node may send now, up to about `maxBytes` (at least one delivery). Returns the bytes
   * written and whether the node could send more right away.
   */
  sendTurn(maxBytes: number): { readonly bytes: number; readonly hasMore: boolean };
}

/** The hub's one send scheduler. */
export class SendScheduler {
  readonly #schedule: SendSchedule<SendTarget>;
  readonly #metrics: HubMetrics;
  readonly #now: () => number;
  #isDrainScheduled = false;
  #isDraining = false;
  #isWaitingForBudget = false;

  constructor(limits: SendScheduleLimits, metrics: HubMetrics, now: () => number = () => performance.now()) {
    this.#schedule = new SendSchedule(limits);
    this.#metrics = metrics;
    this.#now = now;
    metrics.setSendSource(() => ({
      bufferedBytes: this.#schedule.bufferedBytes,
      waitingNodes: this.#schedule.waitingCount,
    }));
  }

  /** `target` has something to send: it gets a turn in a coming batch (replies first). */
  request(target: SendTarget, lane: SendLane): void {
    this.#schedule.request(target, lane);
    this.#kick();
  }

  /** `target` is gone: no more turns until it asks again. */
  cancel(target: SendTarget): void {
    this.#schedule.cancel(target);
  }

  /** `bytes` were handed to a socket. */
  charge(bytes: number): void {
    this.#schedule.charge(bytes);
  }

  /** `bytes` handed to a socket were drained (or dropped with it): bulk turns may resume. */
  release(bytes: number): void {
    this.#schedule.release(bytes);
    if (this.#isWaitingForBudget && !this.#schedule.isOverBudget) {
      this.#isWaitingForBudget = false;
      this.#kick();
    }
  }

  /** Bytes handed to sockets and not yet drained. */
  get bufferedBytes(): number {
    return this.#schedule.bufferedBytes;
  }

  #kick(): void {
    if (this.#isDrainScheduled || this.#isDraining) return;
    this.#isDrainScheduled = true;
    setImmediate(() => {
      this.#isDrainScheduled = false;
      this.#drain();
    });
  }

  /** One batch. */
  #drain(): void {
    this.#isDraining = true;
    let again = false;
    try {
      this.#schedule.beginBatch(this.#now());
      this.#metrics.sendBatches.inc();
      for (;;) {
        const step = this.#schedule.next(this.#now());
        if (step.kind === 'serve') {
          const turn = step.key.sendTurn(step.maxBytes);
          this.#schedule.served(step.key, turn.bytes, turn.hasMore);
          continue;
        }
        if (step.kind === 'yield') again = true;
        if (step.kind === 'over-budget' && !this.#isWaitingForBudget) {
          this.#isWaitingForBudget = true;
          this.#metrics.sendBudgetWaits.inc();
        }
        break;
      }
    } finally {
      this.#isDraining = false;
    }
    // A request made while draining (a write callback, an ACK) is served in this batch or the next.
    if (again || (this.#schedule.waitingCount > 0 && !this.#isWaitingForBudget)) this.#kick();
  }
}
