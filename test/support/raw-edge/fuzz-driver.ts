/**
 * Sends seeded fuzz frames at the hub over several connections at once. A hub rightly disconnects a
 * peer after a few malformed frames, so each connection changes (a clean close, then the next identity)
 * before it has sent `maxBadPerConnection` of them; a close or refusal by the hub is counted, never an
 * error. Replies are read and counted, so the hub never has to buffer for us.
 * @module
 */
import { FuzzFrames } from './fuzz-frames.js';
import type { RawIdentity } from './join.js';
import { RawEdge, RefusedError } from './raw-edge.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly hub: string;
  /** Identities to connect with, in turn (one lane per `lanes` picks its own). */
  readonly identities: readonly RawIdentity[];
  readonly frames: number;
  readonly seed: number;
  /**
   * Mints a fresh identity. When given, an identity the hub holds off (429, a repeat offender) is
   * replaced by a new one, as an attacker with the join token would do.
   */
  readonly mint?: () => Promise<RawIdentity>;
  /** Connections sending at once. Default 4. */
  readonly lanes?: number;
  /** Malformed frames one connection sends before it is replaced. Default 8. */
  readonly maxBadPerConnection?: number;
  /** Stop early when this returns true (e.g. the controller died). */
  readonly shouldStop?: () => boolean;
  /** Called every 10,000 frames. */
  readonly onProgress?: (sent: number) => void;
}

/** What a fuzz run did. */
export interface FuzzReport {
  readonly sent: number;
  readonly byKind: Record<string, number>;
  readonly connections: number;
  /** Closes initiated by the hub, by `code reason`. */
  readonly hubCloses: Record<string, number>;
  /** Upgrades the hub refused, by status. */
  readonly refusals: Record<string, number>;
  readonly framesIn: number;
  readonly elapsedMs: number;
}

/** Sends `frames` fuzz frames; resolves with the counts. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const lanes = options.lanes ?? 4;
  const maxBad = options.maxBadPerConnection ?? 8;
  const byKind: Record<string, number> = {};
  const hubCloses: Record<string, number> = {};
  const refusals: Record<string, number> = {};
  let sent = 0;
  /** Frames sent or being sent; a lane stops when these reach `frames`. */
  let claimed = 0;
  let connections = 0;
  let framesIn = 0;
  let nextIdentity = 0;
  const identities = [...options.identities];
  const started = performance.now();
  const count = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  const lane = async (laneIndex: number): Promise<void> => {
    const generator = new FuzzFrames(
      options.seed + laneIndex,
      identities[laneIndex % identities.length]?.nodeName ?? 'fuzz',
    );
    let failures = 0;
    while (claimed < options.frames && options.shouldStop?.() !== true) {
      const slot = nextIdentity % identities.length;
      const identity = identities[slot];
      nextIdentity += 1;
      if (identity === undefined) throw new Error('runFuzz needs identities');
      let edge: RawEdge;
      try {
        edge = await RawEdge.connect({
          hub: options.hub,
          identity,
          keepReceived: false,
          handshakeTimeoutMs: 15_000,
        });
        failures = 0;
      } catch (err) {
        count(refusals, err instanceof RefusedError ? String(err.status) : 'error');
        if (err instanceof RefusedError && err.status === 429 && options.mint !== undefined) {
          identities[slot] = await options.mint();
        }
        failures += 1;
        if (failures > 50)
          throw new Error(
            `fuzz lane ${String(laneIndex)}: 50 connects in a row failed: ${(err as Error).message}`,
            { cause: err },
          );
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * failures)));
        continue;
      }
      connections += 1;
      let bad = 0;
      let closedByUs = false;
      while (claimed < options.frames && edge.isOpen && bad < maxBad && options.shouldStop?.() !== true) {
        const frame = generator.next();
        if (!frame.envelope) bad += 1;
        // Claim the frame's place before awaiting the send: lanes check the total at once, and a
        // check against `sent` alone let two lanes each send the last frame.
        claimed += 1;
        if (!(await edge.send(frame.data, { binary: frame.binary }))) {
          claimed -= 1;
          break;
        }
        sent += 1;
        count(byKind, frame.kind);
        if (sent % 10_000 === 0) options.onProgress?.(sent);
      }
      if (edge.isOpen) {
        closedByUs = true;
        await edge.close();
      }
      const info = await edge.closed;
      framesIn += edge.stats.framesIn;
      if (!closedByUs) count(hubCloses, `${String(info.code)} ${info.reason}`);
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return { sent, byKind, connections, hubCloses, refusals, framesIn, elapsedMs: performance.now() - started };
}
