/**
 * One edge node's open WebSocket session: frames in (decode, classify, act), deliveries out (drain the
 * node's queue within the write high-water mark), and the keepalive deadline. The queue outlives the
 * session: on close, un-ACKed deliveries go back to it and are resent first on the next session.
 * @module
 */
import type WebSocket from 'ws';
import {
  classifyUpstream,
  decodeFrame,
  encodeMessage,
  newErrorResponse,
  newRespByMessage,
  newResponse,
  sources,
} from '../protocol/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import type { NodeQueue } from '../queues/index.js';
import type { DisconnectReason, HubMetrics, Logger } from '../observability/index.js';
import { WarnLimiter } from '../warnings/index.js';
import type { HubOptions } from './hub-options.js';
import { withMessageId } from './outbound.js';
import { SessionState } from './session-state.js';
import type { HubHooks } from './hooks.js';

/** What a session needs from the hub. */
export interface SessionContext {
  readonly nodeName: NodeName;
  readonly ws: WebSocket;
  readonly queue: NodeQueue<Message>;
  readonly options: HubOptions;
  readonly hooks: HubHooks;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => MessageId;
  /** Called once when the session has closed, whatever the reason. */
  readonly onClosed: (session: Session, reason: DisconnectReason) => void;
}

/** How often a session may log a warning about its bad frames. */
const warnIntervalMs = 10_000;

/** A live session. Created by the hub server after it accepted the upgrade. */
export class Session {
  readonly nodeName: NodeName;
  readonly connectedAt: number;
  /** When the last keepalive arrived (ms); undefined before the first. */
  lastKeepaliveAt: number | undefined;
  readonly #ctx: SessionContext;
  readonly #state: SessionState;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #closeReason: DisconnectReason | undefined;
  readonly #warnings = new WarnLimiter({ intervalMs: warnIntervalMs });
  #isClosed = false;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
    this.nodeName = ctx.nodeName;
    this.connectedAt = ctx.now();
    this.#state = new SessionState(ctx.options, this.connectedAt);
    // Gorilla's ReadJSON accepts text and binary frames alike, and so do we.
    ctx.ws.on('message', (data: Buffer) => {
      this.#onFrame(data);
    });
    ctx.ws.on('close', () => {
      this.#onSocketClosed();
    });
    ctx.ws.on('error', (err: Error) => {
      // ws closes the socket after an error; the reason is recorded for the close handler.
      const tooLarge = (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.#closeReason ??= tooLarge ? 'frame_too_large' : 'socket_error';
      if (tooLarge) ctx.metrics.badFrames.inc({ reason: 'too_large' });
      ctx.logger.warn({ node: this.nodeName, err: err.message }, 'Edge connection failed');
    });
    this.#armKeepalive();
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Whether the session is closed or closing (a close was asked for, or the socket failed). */
  get isClosing(): boolean {
    return this.#isClosed || this.#closeReason !== undefined;
  }

  /** When this session expires without a keepalive, ms (the lease renewal plan reads it). */
  get keepaliveDeadline(): number {
    return this.#state.keepaliveDeadline;
  }

  /** Writes whatever the queue allows now, and sets a timer for the next resend deadline. */
  pump(): void {
    if (this.#isClosed) return;
    const { ws, queue, metrics, options } = this.#ctx;
    if (ws.bufferedAmount > options.writeHighWaterBytes) return; // resumed from a send callback
    const now = this.#ctx.now();
    const plan = queue.takeSendable(now);
    for (const retired of plan.retired) {
      metrics.droppedDeliveries.inc({
        reason: retired.reason === 'resend-limit' ? 'reply_expired' : 'superseded',
      });
    }
    for (const delivery of plan.deliveries) {
      const payload = delivery.kind === 'ack' ? delivery.item.payload : delivery.payload;
      if (delivery.kind === 'ack' && delivery.reason !== 'first' && delivery.reason !== 'superseding') {
        metrics.resends.inc();
      }
      this.#write(withMessageId(payload, delivery.id as MessageId));
    }
    this.#armWake();
  }

  /** Closes the session (1000 normal, 1001 going away, 1008 policy). Safe to call twice. */
  close(code: number, reason: DisconnectReason): void {
    if (this.#isClosed) return;
    this.#closeReason ??= reason;
    this.#ctx.ws.close(code, reason);
    // A peer that never answers the close handshake is cut after a grace period.
    setTimeout(() => {
      if (!this.#isClosed) this.#ctx.ws.terminate();
    }, 5_000).unref();
  }

  /** Sends a reply or notice once, outside the ACK bookkeeping. */
  sendNoAck(message: Message): void {
    this.#ctx.queue.enqueueNoAck(message);
    this.pump();
  }

  #write(message: Message): void {
    const { ws, metrics, options } = this.#ctx;
    const frame = encodeMessage(message);
    metrics.messages.inc({ direction: 'out' });
    metrics.bytes.inc({ direction: 'out' }, Buffer.byteLength(frame));
    ws.send(frame, (err) => {
      if (err !== undefined) return; // the close handler requeues what was in flight
      if (ws.bufferedAmount <= options.writeHighWaterBytes / 2) this.pump();
    });
  }

  #onFrame(data: Buffer): void {
    const { metrics, logger } = this.#ctx;
    metrics.messages.inc({ direction: 'in' });
    metrics.bytes.inc({ direction: 'in' }, data.length);
    const decoded = decodeFrame(data, { maxFrameBytes: this.#ctx.options.maxFrameBytes });
    const now = this.#ctx.now();
    if (!decoded.ok) {
      metrics.badFrames.inc({ reason: decoded.error.reason });
      const verdict = this.#state.onBadFrame(now);
      const warning = this.#warnings.admit('bad-frame', now);
      if (warning.admit || verdict.disconnect) {
        logger.warn(
          {
            node: this.nodeName,
            reason: decoded.error.reason,
            bytes: data.length,
            suppressed: warning.suppressed,
          },
          'Dropped a malformed frame',
        );
      }
      if (verdict.disconnect) {
        logger.warn(
          { node: this.nodeName, badFrames: verdict.count },
          'Disconnected a node that kept sending malformed frames',
        );
        this.close(1008, 'bad_frames');
      }
      return;
    }
    this.#onMessage(decoded.message, now);
  }

  #onMessage(message: Message, now: number): void {
    const { hooks, metrics, logger, queue } = this.#ctx;
    const kind = classifyUpstream(message);
    switch (kind.kind) {
      case 'keepalive':
        this.#state.onKeepalive(now);
        this.lastKeepaliveAt = now;
        return;
      case 'control':
        // KubeEdge's viaduct answers these reserved operations itself with "ack" (spec §1.3).
        this.sendNoAck(newRespByMessage(message, 'ack', { id: this.#ctx.newId(), now }));
        return;
      case 'ack': {
        // `recognized` (the edge ACKed a reply, or another copy of a resend) and `unknown` change nothing;
        // the queue counts both for the node's state (`/nodes`).
        const outcome = queue.ack(kind.parentId, now);
        if (outcome.kind === 'acked') {
          metrics.ackLatency.observe(outcome.latencyMs / 1000);
          hooks.onAck?.(this.nodeName, outcome.item);
          this.pump();
        }
        return;
      }
      case 'error-report':
        logger.debug(
          { node: this.nodeName, parentMsgId: kind.parentId },
          'Edge reported an error for a message',
        );
        return;
      case 'ca-query':
        this.sendNoAck(
          newResponse(message, hooks.clusterCaPem(), {
            id: this.#ctx.newId(),
            now,
            source: sources.cloudHub,
          }),
        );
        return;
      case 'request':
        hooks.upstream.handle(this.nodeName, message, kind);
        return;
      case 'unsupported':
        metrics.unsupportedMessages.inc({ reason: kind.reason });
        logger.debug(
          { node: this.nodeName, reason: kind.reason, resource: message.route.resource },
          'Answered an unsupported message with an error',
        );
        this.sendNoAck(
          newErrorResponse(message, `not supported: ${kind.detail}`, { id: this.#ctx.newId(), now }),
        );
        return;
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  #armKeepalive(): void {
    const delay = Math.max(0, this.#state.keepaliveDeadline - this.#ctx.now());
    this.#keepaliveTimer = setTimeout(() => {
      if (this.#state.isExpired(this.#ctx.now())) this.close(1001, 'keepalive_timeout');
      else this.#armKeepalive();
    }, delay);
  }

  #armWake(): void {
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    const at = this.#ctx.queue.nextWakeAt();
    this.#wakeTimer =
      at === undefined
        ? undefined
        : setTimeout(
            () => {
              this.pump();
            },
            Math.max(0, at - this.#ctx.now()),
          );
  }

  #onSocketClosed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#keepaliveTimer !== undefined) clearTimeout(this.#keepaliveTimer);
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#ctx.queue.onDisconnect();
    this.#ctx.onClosed(this, this.#closeReason ?? 'closed_by_edge');
  }
}
