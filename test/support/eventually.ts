/**
 * Polls until an assertion passes or a deadline passes ("wait and retry", never "sleep and hope").
 * The deadline bounds a hang; it is not a speed assertion.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Give up after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Pause between attempts; default 250 ms. */
  readonly intervalMs?: number;
}

/** Runs `check` until it returns without throwing; rethrows its last error at the deadline. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    await delay(options.intervalMs ?? 250);
  }
}
