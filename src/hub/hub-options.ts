/**
 * Options of the hub with their defaults and validation. Defaults follow KubeEdge where the wire needs
 * it (keepalive 30 s) and are better where it does not (node limit, pipelined window).
 * @module
 */
import { EdgeControllerError } from '../errors/index.js';

/** Everything the hub server can be told. All durations in ms, sizes in bytes. */
export interface HubOptions {
  /** Listen address of the WebSocket server. Default `0.0.0.0`. */
  readonly host: string;
  /** Listen port. Default 10000 (KubeEdge). 0 picks a free one; the bound port is reported. */
  readonly port: number;
  /** Most sessions held at once. Default 10,000 (KubeEdge: 500, and it leaks the refused sockets). */
  readonly nodeLimit: number;
  /** A session without a keepalive for this long is closed. Default 30,000 (KubeEdge keepaliveInterval). */
  readonly keepaliveTimeoutMs: number;
  /** Largest inbound frame parsed; larger ones are counted and dropped. Default 4 MiB. */
  readonly maxFrameBytes: number;
  /** A node sending this many malformed frames within `badFrameWindowMs` is disconnected. Default 10 / 60,000. */
  readonly maxBadFrames: number;
  readonly badFrameWindowMs: number;
  /** Un-ACKed messages in flight per node (never more than one per object key). Default 64. */
  readonly windowSize: number;
  /** First resend after this long without an ACK, doubling up to `maxAckTimeoutMs`. Default 5,000 / 60,000. */
  readonly ackTimeoutMs: number;
  readonly maxAckTimeoutMs: number;
  /** Stop writing to a socket while this many bytes wait in its send buffer. Default 1 MiB. */
  readonly writeHighWaterBytes: number;
  /** Accept KubeEdge's legacy shared `CN=kubeedge.io` edge certificate. Default false. */
  readonly allowLegacyEdgeCert: boolean;
  /**
   * Most bytes one node's own input may make us hold: its replies waiting to be written, its partial
   * inbound frame, its upstream requests waiting for the API (memory-budget.ts). Past it the node is
   * disconnected (`over_budget`). Default 8 MiB: twice the largest frame we parse (4 MiB), so a node
   * sending one largest frame while a few replies wait is never cut, and 20 abusive identities at once
   * stay around 160 MiB. Pushes are not counted: they are backpressure, never a reason to disconnect.
   */
  readonly nodeMemoryBudgetBytes: number;
  /**
   * Most bytes all nodes' input together may make us hold; past it the largest consumers are disconnected
   * first. Default 256 MiB: 32 nodes at their full budget, well inside a 1 GiB process.
   */
  readonly globalMemoryBudgetBytes: number;
  /** Longest `msg_id` (and other header or route string but the resource) accepted, UTF-8 bytes. Default 128. */
  readonly maxMsgIdBytes: number;
  /** Longest `route.resource` accepted, UTF-8 bytes. Default 1,024 (a real one is under 330). */
  readonly maxResourceBytes: number;
  /**
   * A node whose socket send buffer stays above `notReadingBytes` with no write completing for
   * `notReadingTimeoutMs` is not reading, and is disconnected (`not_reading`). Default 1 MiB / 60,000.
   */
  readonly notReadingBytes: number;
  readonly notReadingTimeoutMs: number;
  /** A TLS handshake must finish within this, ms. Default 10,000 (Node's own default is 120 s). */
  readonly handshakeTimeoutMs: number;
  /** After the TLS handshake, the WebSocket upgrade request must be handled within this, ms. Default 10,000. */
  readonly upgradeTimeoutMs: number;
  /**
   * Most connections in their TLS handshake or WebSocket upgrade at once; more wait, unread, in the
   * handshake guard's queue. Default 256. Few, so that those admitted finish in a few turns of the loop
   * instead of all advancing a little per turn: on the certificate server, 1,000 at once over 100 ms
   * links on a loaded machine left 193 past the 10 s handshake timeout, and 128 left none. A hub slot is
   * held one round trip longer (through the upgrade), hence twice that: over 100 ms links 256 slots still
   * admit some 800 edges a second, about what one core completes of mutual-TLS handshakes.
   */
  readonly maxPendingHandshakes: number;
  /**
   * Most connections waiting beyond the handshake slots (for their ClientHello, or for a slot); one more
   * is turned away at accept (a close, never a reset), counted and logged. Default 10,000, the default
   * `nodeLimit`: when the whole fleet drops at once and redials together 30 s later (EdgeCore's fixed wait,
   * no jitter), every edge can wait its turn. A waiting connection holds a socket and its ClientHello, a
   * few KiB.
   */
  readonly maxQueuedHandshakes: number;
  /**
   * A connection still waiting for a handshake slot after this long is turned away with a close, ms.
   * Default 20,000: below EdgeCore's 30 s dial timeout (TLS and upgrade included), so that an edge gets
   * a close it retries 5 s later rather than timing out itself, and one admitted near the limit still has
   * time for its handshake and upgrade.
   */
  readonly handshakeQueueWaitMs: number;
  /**
   * A node disconnected for cause (`over_budget`, `not_reading`) is refused at connect for
   * `offenderBaseDelayMs`, doubling per repeat up to `offenderMaxDelayMs`, and forgotten after
   * `offenderForgetAfterMs` without a new offence. Default 1,000 / 300,000 / 600,000.
   */
  readonly offenderBaseDelayMs: number;
  readonly offenderMaxDelayMs: number;
  readonly offenderForgetAfterMs: number;
  /** At most one warning per node and reason per this interval; the rest are counted. Default 10,000. */
  readonly warnIntervalMs: number;
  /**
   * Most bytes handed to edge sockets and not yet drained, all nodes together (send-schedule.ts). While
   * it is reached, pushes and resends wait (replies an edge waits for do not): a 1 MiB ConfigMap fanned
   * out to 10,000 nodes is written as fast as sockets drain, not into 10 GiB of send buffers. Default
   * 64 MiB. A node's bytes leave the budget once its socket has taken nothing for `sendStallMs`.
   */
  readonly sendBudgetBytes: number;
  /**
   * A node whose socket has completed no write for this long is stalled: its bytes not yet drained leave
   * the global budget (they stay in its own budget, and the not-reading rule still cuts it), and its later
   * writes do not count until a write completes. Without this, 64 edges on slow links, or 32 that stopped
   * reading, each holding a 1 MiB frame, held the budget and paced a fan-out to the whole fleet at their
   * speed. Default 1 s.
   */
  readonly sendStallMs: number;
  /**
   * The send scheduler writes at most this many bytes, or for at most `sendBatchMs`, in one turn of the
   * event loop, then yields. Default 4 MiB / 5 ms.
   */
  readonly sendBatchBytes: number;
  readonly sendBatchMs: number;
  /** One node's turn writes at most this many bytes (one delivery at least), then the next node's. Default 256 KiB. */
  readonly sendTurnBytes: number;
}

/** The defaults, merged under whatever the caller sets. */
export const hubDefaults: Readonly<HubOptions> = Object.freeze({
  host: '0.0.0.0',
  port: 10000,
  nodeLimit: 10_000,
  keepaliveTimeoutMs: 30_000,
  maxFrameBytes: 4 * 1024 * 1024,
  maxBadFrames: 10,
  badFrameWindowMs: 60_000,
  windowSize: 64,
  ackTimeoutMs: 5_000,
  maxAckTimeoutMs: 60_000,
  writeHighWaterBytes: 1024 * 1024,
  allowLegacyEdgeCert: false,
  nodeMemoryBudgetBytes: 8 * 1024 * 1024,
  globalMemoryBudgetBytes: 256 * 1024 * 1024,
  maxMsgIdBytes: 128,
  maxResourceBytes: 1024,
  notReadingBytes: 1024 * 1024,
  notReadingTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
  upgradeTimeoutMs: 10_000,
  maxPendingHandshakes: 256,
  maxQueuedHandshakes: 10_000,
  handshakeQueueWaitMs: 20_000,
  offenderBaseDelayMs: 1_000,
  offenderMaxDelayMs: 300_000,
  offenderForgetAfterMs: 600_000,
  warnIntervalMs: 10_000,
  sendBudgetBytes: 64 * 1024 * 1024,
  sendStallMs: 1_000,
  sendBatchBytes: 4 * 1024 * 1024,
  sendBatchMs: 5,
  sendTurnBytes: 256 * 1024,
});

/** Merges `partial` over the defaults and rejects values that cannot work, naming the field. */
export function resolveHubOptions(partial: Partial<HubOptions> = {}): HubOptions {
  const options = { ...hubDefaults, ...partial };
  const positive: (keyof HubOptions)[] = [
    'nodeLimit',
    'keepaliveTimeoutMs',
    'maxFrameBytes',
    'maxBadFrames',
    'badFrameWindowMs',
    'windowSize',
    'ackTimeoutMs',
    'maxAckTimeoutMs',
    'writeHighWaterBytes',
    'nodeMemoryBudgetBytes',
    'globalMemoryBudgetBytes',
    'maxMsgIdBytes',
    'maxResourceBytes',
    'notReadingBytes',
    'notReadingTimeoutMs',
    'handshakeTimeoutMs',
    'upgradeTimeoutMs',
    'maxPendingHandshakes',
    'maxQueuedHandshakes',
    'handshakeQueueWaitMs',
    'offenderBaseDelayMs',
    'offenderMaxDelayMs',
    'offenderForgetAfterMs',
    'warnIntervalMs',
    'sendBudgetBytes',
    'sendStallMs',
    'sendBatchBytes',
    'sendBatchMs',
    'sendTurnBytes',
  ];
  for (const field of positive) {
    const value = options[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
      throw new EdgeControllerError(
        'EC_CONFIG_INVALID',
        `hub option ${field} must be a positive number, got ${String(value)}`,
      );
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      `hub option port must be 0-65535, got ${String(options.port)}`,
    );
  }
  if (options.maxAckTimeoutMs < options.ackTimeoutMs) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      'hub option maxAckTimeoutMs must be at least ackTimeoutMs',
    );
  }
  if (options.globalMemoryBudgetBytes < options.nodeMemoryBudgetBytes) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      'hub option globalMemoryBudgetBytes must be at least nodeMemoryBudgetBytes',
    );
  }
  if (options.offenderMaxDelayMs < options.offenderBaseDelayMs) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      'hub option offenderMaxDelayMs must be at least offenderBaseDelayMs',
    );
  }
  return options;
}
