/**
 * Options of a per-node queue: the frozen defaults and the validation that runs at construction.
 * @module
 */
import { EdgeControllerError } from '../errors/index.js';

/** Options of {@link NodeQueue}. Every field but `newId` is optional; see {@link nodeQueueDefaults}. */
export interface NodeQueueOptions {
  /**
   * Makes a delivery id, which the hub writes as the frame's `msg_id`. Must not repeat while a delivery is
   * un-ACKed (e.g. `crypto.randomUUID`). Injected so that tests and simulations are deterministic.
   */
  readonly newId: () => string;
  /**
   * Most un-ACKed ACK-path deliveries at once, across objects (default 64). KubeEdge sends stop-and-wait,
   * i.e. 1, which caps a node at one object per round trip (field-lessons #7278).
   */
  readonly windowSize?: number;
  /** Wait for an ACK before the first resend, in ms (default 5000, KubeEdge's resend period). */
  readonly ackTimeoutMs?: number;
  /** Cap of the doubling ACK timeout, in ms (default 60000). At least `ackTimeoutMs`. */
  readonly maxAckTimeoutMs?: number;
  /**
   * Most no-ACK payloads held before the oldest is evicted (default 10000). They are replies and
   * notifications that are not coalesced, so only this bounds them while the node is away.
   */
  readonly maxPendingNoAck?: number;
  /**
   * Most ids remembered of messages whose ACK may still come though nothing waits for it: replies sent
   * with `enqueueReply`, resent deliveries once ACKed, retired deliveries (default 1024). Past it the
   * oldest is forgotten and its late ACK counts as unknown. Bounds the memory a node can cause.
   */
  readonly maxRecognizedIds?: number;
  /**
   * How long such an id is remembered after its send, ACK or retirement, in ms (default 60000). The edge
   * ACKs a reply as soon as it has it (`edge/pkg/metamanager/process.go` feedbackResponse), so this only
   * has to cover a round trip and a busy edge.
   */
  readonly recognizedIdTtlMs?: number;
}

/** The defaults of {@link NodeQueueOptions}. */
export const nodeQueueDefaults = Object.freeze({
  windowSize: 64,
  ackTimeoutMs: 5_000,
  maxAckTimeoutMs: 60_000,
  maxPendingNoAck: 10_000,
  maxRecognizedIds: 1024,
  recognizedIdTtlMs: 60_000,
});

/** {@link NodeQueueOptions} with every default applied. */
export type ResolvedNodeQueueOptions = Readonly<Required<NodeQueueOptions>>;

/**
 * Applies the defaults and validates.
 * @throws EdgeControllerError `EC_CONFIG_INVALID` naming the field and the fix.
 */
export function resolveNodeQueueOptions(options: NodeQueueOptions): ResolvedNodeQueueOptions {
  const resolved: ResolvedNodeQueueOptions = { ...nodeQueueDefaults, ...options };
  if (typeof resolved.newId !== 'function') {
    invalid('newId', 'must be a function returning a unique id; pass e.g. crypto.randomUUID');
  }
  requireInteger('windowSize', resolved.windowSize, 1);
  requirePositive('ackTimeoutMs', resolved.ackTimeoutMs);
  requirePositive('maxAckTimeoutMs', resolved.maxAckTimeoutMs);
  if (resolved.maxAckTimeoutMs < resolved.ackTimeoutMs) {
    invalid(
      'maxAckTimeoutMs',
      `(${String(resolved.maxAckTimeoutMs)}) must be at least ackTimeoutMs (${String(resolved.ackTimeoutMs)}); raise it or lower ackTimeoutMs`,
    );
  }
  requireInteger('maxPendingNoAck', resolved.maxPendingNoAck, 1);
  requireInteger('maxRecognizedIds', resolved.maxRecognizedIds, 1);
  requirePositive('recognizedIdTtlMs', resolved.recognizedIdTtlMs);
  return Object.freeze(resolved);
}

function requireInteger(field: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    const fallback = String(nodeQueueDefaults[field as keyof typeof nodeQueueDefaults]);
    invalid(
      field,
      `must be an integer >= ${String(min)} (got ${String(value)}); set it to at least ${String(min)}, e.g. the default ${fallback}`,
    );
  }
}

function requirePositive(field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    const fallback = String(nodeQueueDefaults[field as keyof typeof nodeQueueDefaults]);
    invalid(
      field,
      `must be a finite number of ms > 0 (got ${String(value)}); use e.g. the default ${fallback}`,
    );
  }
}

function invalid(field: string, what: string): never {
  throw new EdgeControllerError('EC_CONFIG_INVALID', `queue option ${field} ${what}`);
}
