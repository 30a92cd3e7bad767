/**
 * The informer's timing decisions, pure so that they are table-tested: how long to wait after the n-th
 * consecutive failure, and how long to ask the server to keep a watch open. Randomness comes in as a
 * number in [0, 1) so a test can pin it.
 * @module
 */
import { proportionalJitterDelayMs } from '../../backoff/index.js';

/** The shape of the retry delay. */
export interface BackoffOptions {
  /** Delay after the first failure, in ms. */
  readonly initialBackoffMs: number;
  /** Largest delay, in ms; the cap is applied before jitter, so no delay exceeds it. */
  readonly maxBackoffMs: number;
  /** Fraction in [0, 1] of the delay that is randomized downwards: 0.5 spreads delays over (d/2, d]. */
  readonly backoffJitter: number;
}

/**
 * The delay after `failures` consecutive failures (1 = the first): `initialBackoffMs * 2^(failures-1)`,
 * capped at `maxBackoffMs`, then reduced by up to `backoffJitter` of itself so that many informers
 * that failed together (an API server restart) do not reconnect together. 0 for `failures <= 0`.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: number): number {
  if (failures <= 0) return 0;
  const curve = { initialDelayMs: options.initialBackoffMs, maxDelayMs: options.maxBackoffMs };
  return proportionalJitterDelayMs(failures - 1, curve, options.backoffJitter, random);
}

/** The bounds of the server-side watch timeout, in seconds. */
export interface WatchTimeoutOptions {
  readonly minWatchTimeoutSeconds: number;
  readonly maxWatchTimeoutSeconds: number;
}

/**
 * The `timeoutSeconds` of one watch request, uniform in [min, max) (client-go reflector: 5 to 10 min).
 * A bounded watch is how a connection that silently died is replaced even without the watchdog, and
 * the spread keeps a fleet of watches from ending at the same moment.
 */
export function watchTimeoutSeconds(options: WatchTimeoutOptions, random: number): number {
  const { minWatchTimeoutSeconds: min, maxWatchTimeoutSeconds: max } = options;
  return Math.floor(min + (max - min) * random);
}
