/**
 * The ACK timeout of a delivery: doubles with each resend up to a cap. No jitter: resends of one node are
 * already spread by their send times, and a deterministic schedule keeps the queue testable.
 * @module
 */

/** The two options that shape the timeout. */
export interface BackoffOptions {
  readonly ackTimeoutMs: number;
  readonly maxAckTimeoutMs: number;
}

/**
 * How long to wait for an ACK after send number `attempt` (0 = first send):
 * `min(ackTimeoutMs * 2^attempt, maxAckTimeoutMs)`. KubeEdge resends every 5 s, four times, then requeues
 * with rate-limited backoff (spec §5.6); we keep resending, ever more slowly, until ACKed.
 */
export function ackTimeoutForAttempt(attempt: number, options: BackoffOptions): number {
  // 2^1024 is Infinity; capping the exponent keeps the product finite before Math.min.
  const factor = 2 ** Math.min(Math.max(attempt, 0), 64);
  return Math.min(options.ackTimeoutMs * factor, options.maxAckTimeoutMs);
}
