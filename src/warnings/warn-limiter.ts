/**
 * Rate limit for fault warnings: a flapping API server or a misbehaving edge must not flood the log. Per
 * fault kind, one warning per interval; the next admitted warning reports how many were held back. Used
 * by the informers, the hub's sessions and the certificate server. Pure (time comes in).
 * @module
 */

/** The verdict on one warning. */
export interface WarnVerdict {
  readonly admit: boolean;
  /** Warnings of this kind held back since the last admitted one (set when `admit`). */
  readonly suppressed: number;
}

/** One warning per `intervalMs` per kind. Kinds are few and fixed per caller, so state is never pruned. */
export class WarnLimiter {
  readonly #intervalMs: number;
  readonly #kinds = new Map<string, { lastMs: number; suppressed: number }>();

  constructor(options: { readonly intervalMs: number }) {
    this.#intervalMs = options.intervalMs;
  }

  /** Whether to log a warning of `kind` at `nowMs`. */
  admit(kind: string, nowMs: number): WarnVerdict {
    const state = this.#kinds.get(kind);
    if (state === undefined) {
      this.#kinds.set(kind, { lastMs: nowMs, suppressed: 0 });
      return { admit: true, suppressed: 0 };
    }
    if (nowMs - state.lastMs < this.#intervalMs) {
      state.suppressed += 1;
      return { admit: false, suppressed: state.suppressed };
    }
    const suppressed = state.suppressed;
    state.lastMs = nowMs;
    state.suppressed = 0;
    return { admit: true, suppressed };
  }
}
