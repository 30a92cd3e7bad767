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
  return options;
}
