/**
 * How long a `/edge.crt` request refused for overload (503) is told to wait before it retries: the time
 * the requests ahead of it would take. Pure; the queue that uses it is issuance-gate-worker.ts.
 * @module
 */

/** Why a request was refused before its issuance started (metric label value). */
export type BusyRefusal = 'queue_full' | 'queue_timeout';

/**
 * The seconds a refused edge should wait: the time the requests ahead of it would take (queued divided
 * by the slots, times the mean issuance time observed), stretched by up to half by `random` (0 ≤ r < 1)
 * so that edges refused in the same instant do not all come back in the same second; at least 1 s and
 * at most `maxSeconds`.
 */
export function retryAfterSeconds(
  queued: number,
  maxConcurrent: number,
  meanIssuanceMs: number,
  random: number,
  maxSeconds = 30,
): number {
  const ahead = ((queued + 1) / maxConcurrent) * (meanIssuanceMs / 1000);
  const seconds = Math.ceil(ahead * (1 + random / 2));
  return Math.min(maxSeconds, Math.max(1, Number.isFinite(seconds) ? seconds : 1));
}
