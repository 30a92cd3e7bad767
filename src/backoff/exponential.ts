/**
 * The one backoff curve of the project: a delay that doubles per attempt up to a cap, and the two ways
 * of spreading it that callers use. Every retry loop takes its delay from here: the per-node queue's ACK
 * timeout, the informer's list/watch retry, the upstream API retry, the join-token Secret retry and the
 * simulator's redial. Pure: the attempt number and the random number come in, so tests pin both.
 * @module
 */

/** The shape of an exponential backoff. */
export interface ExponentialBackoff {
  /** Delay of attempt 0, in ms. */
  readonly initialDelayMs: number;
  /** Largest delay, in ms; applied before any jitter, so no delay exceeds it. */
  readonly maxDelayMs: number;
}

/**
 * The delay of attempt `attempt` (0 = the first): `min(initialDelayMs × 2^attempt, maxDelayMs)`. A
 * negative attempt counts as 0; any attempt count, however large, stays finite.
 */
export function exponentialDelayMs(attempt: number, backoff: ExponentialBackoff): number {
  // 2^1024 is Infinity; capping the exponent keeps the product finite before Math.min.
  const exponent = Math.min(Math.max(attempt, 0), 64);
  return Math.min(backoff.initialDelayMs * 2 ** exponent, backoff.maxDelayMs);
}

/**
 * "Full jitter": a uniformly random delay in `[0, exponentialDelayMs)`, floored to whole ms, with `random`
 * clamped to [0, 1]. Spreads a storm of clients that failed together over the whole window; the delay
 * may be 0.
 */
export function fullJitterDelayMs(attempt: number, backoff: ExponentialBackoff, random: number): number {
  return Math.floor(Math.min(Math.max(random, 0), 1) * exponentialDelayMs(attempt, backoff));
}

/**
 * Proportional jitter: {@link exponentialDelayMs} reduced by up to `jitter` (a fraction in [0, 1]) of
 * itself, rounded to whole ms. With `jitter` 0.5 delays fall in (d/2, d]: spread, but never much shorter
 * than the curve, for retries that must not hammer a recovering server.
 */
export function proportionalJitterDelayMs(
  attempt: number,
  backoff: ExponentialBackoff,
  jitter: number,
  random: number,
): number {
  return Math.round(exponentialDelayMs(attempt, backoff) * (1 - jitter * random));
}
