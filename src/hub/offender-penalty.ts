/**
 * Repeat offenders (issue 12 item 1): a node disconnected for cause (over its memory budget, or not
 * reading) is refused at connect for a while, twice as long at each new offence (1 s, 2 s, 4 s … capped
 * at 5 min), so that a misbehaving edge cannot rebuild its backlog in a tight reconnect loop. An offender
 * that stays clean for `forgetAfterMs` after its penalty is forgotten. Pure: time comes in as `now`.
 * @module
 */
import { exponentialDelayMs } from '../backoff/index.js';

/** Shape of the penalty. */
export interface OffenderPenaltyOptions {
  /** Refusal after the first offence, ms. Default 1,000. */
  readonly baseDelayMs: number;
  /** Longest refusal, ms. Default 300,000 (5 min). */
  readonly maxDelayMs: number;
  /** An offender is forgotten this long after its refusal ends without a new offence, ms. Default 600,000. */
  readonly forgetAfterMs: number;
}

/** The defaults. */
export const offenderPenaltyDefaults: Readonly<OffenderPenaltyOptions> = Object.freeze({
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  forgetAfterMs: 600_000,
});

interface Record {
  offences: number;
  refusedUntil: number;
}

/** Sweep expired records once the table holds this many (amortises the cost; records are tiny). */
const sweepAt = 1024;

/**
 * Offenders by node name. Bounded: a record lives at most `maxDelayMs + forgetAfterMs` after its last
 * offence, and expired records are swept whenever the table grows past {@link sweepAt}.
 */
export class OffenderPenalty {
  readonly #options: OffenderPenaltyOptions;
  readonly #records = new Map<string, Record>();

  constructor(options: OffenderPenaltyOptions) {
    this.#options = options;
  }

  /** Records an offence at `now`; returns how long the node is now refused, ms. */
  offend(node: string, now: number): number {
    const record = this.#live(node, now) ?? { offences: 0, refusedUntil: now };
    record.offences += 1;
    const delayMs = exponentialDelayMs(record.offences - 1, {
      initialDelayMs: this.#options.baseDelayMs,
      maxDelayMs: this.#options.maxDelayMs,
    });
    record.refusedUntil = now + delayMs;
    this.#records.set(node, record);
    if (this.#records.size > sweepAt) this.#sweep(now);
    return delayMs;
  }

  /** How much longer `node` is refused at `now`, ms; 0 when it may connect. */
  refusedForMs(node: string, now: number): number {
    const record = this.#live(node, now);
    return record === undefined ? 0 : Math.max(0, record.refusedUntil - now);
  }

  /** Offences on record for `node` (0 once forgotten). */
  offences(node: string, now: number): number {
    return this.#live(node, now)?.offences ?? 0;
  }

  /** Records held (for tests and diagnostics). */
  get size(): number {
    return this.#records.size;
  }

  #live(node: string, now: number): Record | undefined {
    const record = this.#records.get(node);
    if (record === undefined) return undefined;
    if (now - record.refusedUntil >= this.#options.forgetAfterMs) {
      this.#records.delete(node);
      return undefined;
    }
    return record;
  }

  #sweep(now: number): void {
    for (const [node, record] of this.#records) {
      if (now - record.refusedUntil >= this.#options.forgetAfterMs) this.#records.delete(node);
    }
  }
}
