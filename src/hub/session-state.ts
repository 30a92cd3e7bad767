/**
 * The pure state of one session: when its keepalive expires and whether its malformed frames are
 * frequent enough to disconnect it. Time comes in as `now` (ms); the hub server owns the timers.
 * @module
 */

/** Limits for one session. */
export interface SessionLimits {
  /** Close the session when no keepalive arrived for this long (KubeEdge keepaliveInterval, 30 s). */
  readonly keepaliveTimeoutMs: number;
  /** Disconnect after this many malformed frames within `badFrameWindowMs`. */
  readonly maxBadFrames: number;
  readonly badFrameWindowMs: number;
}

/** What to do after a malformed frame. */
export type BadFrameVerdict =
  { readonly disconnect: false } | { readonly disconnect: true; readonly count: number };

/** One session's clock-driven state. */
export class SessionState {
  readonly #limits: SessionLimits;
  #keepaliveDeadline: number;
  /** Times of recent malformed frames; none until the first (nearly every session has none). */
  #badFrames: number[] | undefined;

  constructor(limits: SessionLimits, now: number) {
    this.#limits = limits;
    this.#keepaliveDeadline = now + limits.keepaliveTimeoutMs;
  }

  /** A keepalive arrived: the session lives another timeout. */
  onKeepalive(now: number): void {
    this.#keepaliveDeadline = now + this.#limits.keepaliveTimeoutMs;
  }

  /** When the session expires unless a keepalive arrives first. */
  get keepaliveDeadline(): number {
    return this.#keepaliveDeadline;
  }

  isExpired(now: number): boolean {
    return now >= this.#keepaliveDeadline;
  }

  /** Records a malformed frame; disconnect once `maxBadFrames` fall within the window. */
  onBadFrame(now: number): BadFrameVerdict {
    const since = now - this.#limits.badFrameWindowMs;
    const badFrames = (this.#badFrames ?? []).filter((t) => t > since);
    badFrames.push(now);
    this.#badFrames = badFrames;
    return badFrames.length >= this.#limits.maxBadFrames
      ? { disconnect: true, count: badFrames.length }
      : { disconnect: false };
  }
}
