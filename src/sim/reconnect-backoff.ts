/**
 * When a simulated EdgeCore redials after losing its link. KubeEdge's edge waits a fixed 2 × heartbeat
 * (30 s, kubeedge-wire.md §5.5), so every node cut by one cloud restart comes back in the same second; we
 * use "full jitter" exponential backoff instead (a uniformly random delay up to a doubling cap), which
 * spreads a reconnect storm over the window. Pure: the random number comes in.
 * @module
 */

/** Backoff settings; see {@link reconnectBackoffDefaults}. */
export interface ReconnectBackoff {
  /** Cap of the first retry's delay, in ms. */
  readonly initialDelayMs: number;
  /** Largest cap, in ms. */
  readonly maxDelayMs: number;
}

/** Defaults: first retry within 1 s, caps doubling to 30 s (KubeEdge's fixed wait). */
export const reconnectBackoffDefaults: Readonly<ReconnectBackoff> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
});

/**
 * The delay before retry number `attempt` (0 for the first retry after a loss): `random × min(max,
 * initial × 2^attempt)`, with `random` in [0, 1). Never negative; never above `maxDelayMs`.
 */
export function reconnectDelayMs(attempt: number, random: number, backoff: ReconnectBackoff): number {
  const cap = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(Math.min(Math.max(random, 0), 1) * cap);
}
