/**
 * The demo's live line: nodes joined and Ready, pods Running, messages per second and the average ACK
 * latency since the last sample. Pure.
 * @module
 */

/** One sample of what the demo watches. */
export interface DemoCounts {
  readonly elapsedMs: number;
  readonly nodesJoined: number;
  readonly nodesReady: number;
  readonly podsRunning: number;
  /** Totals since start (hub message counters). */
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Totals of the ACK-latency histogram. */
  readonly ackSumSeconds: number;
  readonly ackCount: number;
}

/** The status line for `now`, with rates against `previous` (none on the first sample). */
export function summarize(
  now: DemoCounts,
  previous: DemoCounts | undefined,
  nodes: number,
  pods: number,
): string {
  const seconds = previous === undefined ? 0 : (now.elapsedMs - previous.elapsedMs) / 1000;
  const rate = (a: number, b: number | undefined): string =>
    seconds > 0 && b !== undefined ? String(Math.round((a - b) / seconds)) : '-';
  const acks = now.ackCount - (previous?.ackCount ?? 0);
  const ackMs =
    acks > 0 ? (((now.ackSumSeconds - (previous?.ackSumSeconds ?? 0)) / acks) * 1000).toFixed(1) : '-';
  return (
    `[${(now.elapsedMs / 1000).toFixed(0).padStart(3)}s] ` +
    `nodes ${String(now.nodesJoined)}/${String(nodes)} joined, ${String(now.nodesReady)} Ready | ` +
    `pods ${String(now.podsRunning)}/${String(pods)} Running | ` +
    `msgs/s in ${rate(now.messagesIn, previous?.messagesIn)} out ${rate(now.messagesOut, previous?.messagesOut)} | ` +
    `ACK avg ${ackMs} ms`
  );
}
