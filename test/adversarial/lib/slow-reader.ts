/**
 * The slow-reader attack of issue 12: an edge that stops reading its socket and sends requests the hub
 * does not serve, each with a 1.9 MB msg_id and a 1.9 MB resource. A hub that echoes both fields in its
 * error replies and queues them by count, not bytes, holds 3.8 MB per request for a peer that never
 * drains them.
 * @module
 */
import { RawEdge, RefusedError } from '../../support/raw-edge/index.js';
import type { CloseInfo, RawIdentity } from '../../support/raw-edge/index.js';

const fieldBytes = 1_900_000;
const padId = 'i'.repeat(fieldBytes - 12);
const padResource = 'r'.repeat(fieldBytes - 20);

/** One unserved request (source `twin`) with a 1.9 MB msg_id and a 1.9 MB resource. */
export function slowReaderFrame(i: number): string {
  return (
    `{"header":{"msg_id":"${String(i).padStart(12, '0')}${padId}","timestamp":${String(Date.now())}},` +
    `"route":{"source":"twin","group":"twin","operation":"update","resource":"default/twin/${padResource}"},` +
    `"content":null}`
  );
}

/** What one attacker achieved. */
export interface SlowReaderResult {
  readonly node: string;
  /** Frames handed to the socket, over every connection. */
  sent: number;
  connects: number;
  /** Upgrades the hub refused (a repeat offender held off), by status. */
  refused: number;
  /** How each connection ended. */
  readonly closes: CloseInfo[];
}

/** Options of {@link slowReaderAttack}. */
export interface SlowReaderOptions {
  readonly hub: string;
  readonly identity: RawIdentity;
  /** Requests per connection. Default 1,090 (the probe). */
  readonly frames?: number;
  /** Connections to try (a disconnected attacker comes back). Default 1. */
  readonly connections?: number;
  /** Stop when this returns true (time is up, the controller died, memory ran away). */
  readonly shouldStop: () => boolean;
  /** After the last frame, wait this long for the hub to close the connection. Default 0. */
  readonly waitForCloseMs?: number;
}

/** Runs the attack from one identity. */
export async function slowReaderAttack(options: SlowReaderOptions): Promise<SlowReaderResult> {
  const result: SlowReaderResult = {
    node: options.identity.nodeName,
    sent: 0,
    connects: 0,
    refused: 0,
    closes: [],
  };
  const frames = options.frames ?? 1_090;
  for (let c = 0; c < (options.connections ?? 1) && !options.shouldStop(); c++) {
    let edge: RawEdge;
    try {
      // Keepalives go on while it does not read, so only the hub's own rules can end the session.
      edge = await RawEdge.connect({
        hub: options.hub,
        identity: options.identity,
        keepReceived: false,
        keepaliveMs: 5_000,
        handshakeTimeoutMs: 20_000,
      });
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      result.refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    result.connects += 1;
    edge.pause();
    for (let i = 0; i < frames && edge.isOpen && !options.shouldStop(); i++) {
      if (!(await edge.send(slowReaderFrame(i)))) break;
      result.sent += 1;
    }
    const waitMs = options.waitForCloseMs ?? 0;
    const closed = await Promise.race([
      edge.closed,
      new Promise<undefined>((resolve) => {
        const timer = setInterval(() => {
          if (options.shouldStop()) {
            clearInterval(timer);
            resolve(undefined);
          }
        }, 250);
        setTimeout(() => {
          clearInterval(timer);
          resolve(undefined);
        }, waitMs);
      }),
    ]);
    if (closed !== undefined) result.closes.push(closed);
    else edge.terminate();
  }
  return result;
}
