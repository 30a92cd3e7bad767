/**
 * "Not reading" (issue 12 item 1): a node whose socket send buffer has stayed above a threshold with no
 * write completing for a while has stopped reading what we send. Such a node is disconnected; a slow but
 * draining one is not (each completed write is progress), so a large resync to a slow edge still
 * finishes. Pure: the session worker samples its socket and owns the timer.
 * @module
 */

/** The rule's two numbers. */
export interface SlowReaderLimits {
  /** Bytes waiting in the socket's send buffer above which a node may be not reading. Default 1 MiB. */
  readonly notReadingBytes: number;
  /** How long the buffer may stay above it with no write completing, ms. Default 60,000. */
  readonly notReadingTimeoutMs: number;
}

/** A sample of one session's send side. */
export interface SendSideSample {
  /** Bytes waiting to be written (ws `bufferedAmount`: ws's queue plus the socket's `writableLength`). */
  readonly bufferedBytes: number;
  /** When a write last completed (the peer took data), or when the session started, ms. */
  readonly lastProgressAt: number;
  readonly now: number;
}

/** What to do. */
export type SlowReaderVerdict =
  /** The buffer is below the threshold: nothing to watch. */
  | { readonly kind: 'reading' }
  /** Above the threshold but progress is recent: look again at `checkAt`. */
  | { readonly kind: 'watch'; readonly checkAt: number }
  /** Above the threshold with no progress for the whole timeout: disconnect. */
  | { readonly kind: 'not-reading'; readonly stalledMs: number };

/** Decides from one sample. */
export function judgeReader(sample: SendSideSample, limits: SlowReaderLimits): SlowReaderVerdict {
  if (sample.bufferedBytes <= limits.notReadingBytes) return { kind: 'reading' };
  const stalledMs = sample.now - sample.lastProgressAt;
  if (stalledMs >= limits.notReadingTimeoutMs) return { kind: 'not-reading', stalledMs };
  return { kind: 'watch', checkAt: sample.lastProgressAt + limits.notReadingTimeoutMs };
}
