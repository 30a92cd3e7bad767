/**
 * One edge node's open WebSocket session: frames in (decode, check the envelope's sizes, classify, act),
 * deliveries out (drain the node's queue within the write high-water mark), the keepalive deadline, and
 * the two things a node's own input can grow here: its partial inbound frame and its replies (reported to
 * the hub's byte ledger), plus the "not reading" watch on its send buffer. The queue outlives the
 * session: when the session ends, un-ACKed deliveries go back to it and are resent first on the next one.
 *
 * A session ends synchronously (issue 13 item 4): the moment it is asked to close, or its socket fails or
 * closes, it is *detached*: its timers stop, its un-ACKed deliveries go back to the queue, it stops
 * writing and stops handling frames, and the hub forgets it. What its socket does afterwards (a close
 * handshake taking seconds) cannot touch a newer session's in-flight messages or timers.
 * @module
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import {
  classifyUpstream,
  decodeFrame,
  newErrorResponse,
  newRespByMessage,
  newResponse,
  sources,
} from '../protocol/index.js';
import type { FrameEncoder, Message, MessageId, NodeName } from '../protocol/index.js';
import type { NodeQueue, SendPlan } from '../queues/index.js';
import type { DisconnectReason, HubMetrics, Logger } from '../observability/index.js';
import type { WarnLimiter } from '../warnings/index.js';
import { checkEnvelope, replyableStub } from './envelope-limits.js';
import type { HubOptions } from './hub-options.js';
import { withMessageId } from './outbound.js';
import type { SendLane } from './send-schedule.js';
import type { SendScheduler, SendTarget } from './send-scheduler-worker.js';
import { SessionState } from './session-state.js';
import type { BadFrameVerdict } from './session-state.js';
import { judgeReader } from './slow-reader.js';
import type { HubHooks } from './hooks.js';

/** What a session needs from the hub. */
export interface SessionContext {
  readonly nodeName: NodeName;
  readonly ws: WebSocket;
  /** The socket under `ws`: its inbound bytes are counted as the node's partial frame until one completes. */
  readonly socket: Socket;
  readonly queue: NodeQueue<Message>;
  readonly options: HubOptions;
  /** The hub's frame encoder: one serialization per content object, shared by every node (issue 15). */
  readonly encoder: FrameEncoder;
  /** The hub's send scheduler: ACK-path writes happen in its turns, under its global byte budget. */
  readonly sends: SendScheduler;
  readonly hooks: HubHooks;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => MessageId;
  /** The node's warning limiter, per reason; the hub keeps it across sessions (one line per 10 s). */
  readonly warnings: WarnLimiter;
  /** Queues a no-ACK message (a reply of the session's own) in the node's reply budget. */
  readonly enqueueNoAck: (message: Message) => void;
  /** Reports what the node's replies and partial frame hold now, in bytes (the hub's ledger). */
  readonly account: (kind: 'replies' | 'partialFrames', bytes: number) => void;
  /** The node stopped reading (slow-reader.ts): the hub disconnects it. */
  readonly onNotReading: (session: Session, stalledMs: number) => void;
  /** Called once, synchronously, when the session ends (see the module doc), whatever the reason. */
  readonly onDetached: (session: Session, reason: DisconnectReason) => void;
  /** Called once when the socket has closed (after {@link onDetached}). */
  readonly onClosed: (session: Session) => void;
}

/** A live session. Created by the hub server after it accepted the upgrade. */
export class Session implements SendTarget {
  readonly nodeName: NodeName;
  readonly connectedAt: number;
  /** When the last keepalive arrived (ms); undefined before the first. */
  lastKeepaliveAt: number | undefined;
  readonly #ctx: SessionContext;
  readonly #state: SessionState;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #readerTimer: NodeJS.Timeout | undefined;
  #closeReason: DisconnectReason | undefined;
  #isDetached = false;
  #isClosed = false;
  /** When a write last completed, or the send buffer was last seen at or below `notReadingBytes`. */
  #lastProgressAt: number;
  /** Inbound bytes since the last complete frame: an upper bound of the partial frame ws holds. */
  #partialBytes = 0;
  /** A pump stopped at the high-water mark (or left replies waiting): the next drained write resumes it. */
  #isBlocked = false;
  /** Bytes this session handed to its socket and whose write has not completed (the scheduler's budget). */
  #unsentBytes = 0;
  /**
   * Bytes handed to the socket and not completed that no longer count in the scheduler's budget: the
   * socket stalled (`sendStallMs` with no write completing). Always older than {@link #unsentBytes}, since
   * while stalled nothing is charged; writes complete in order, so completions take from here first.
   */
  #stalledBytes = 0;
  #isStalled = false;
  #stallTimer: NodeJS.Timeout | undefined;
  /** When a write last completed (or the session started), for the stall check. */
  #lastCompletionAt: number;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
    this.nodeName = ctx.nodeName;
    this.connectedAt = ctx.now();
    this.#lastProgressAt = this.connectedAt;
    this.#lastCompletionAt = this.connectedAt;
    this.#state = new SessionState(ctx.options, this.connectedAt);
    // Gorilla's ReadJSON accepts text and binary frames alike, and so do we.
    ctx.ws.on('message', (data: Buffer) => {
      this.#frameCompleted();
      this.#onFrame(data);
    });
    // One listener for both: every closure here is kept per connected node.
    const controlFrame = (): void => {
      this.#frameCompleted();
    };
    ctx.ws.on('ping', controlFrame);
    ctx.ws.on('pong', controlFrame);
    // Registered after ws's own listener (set at upgrade), so a chunk that completes a frame is counted
    // after the reset: the count over-estimates the partial frame by at most one chunk, never under.
    ctx.socket.on('data', (chunk: Buffer) => {
      if (this.#isDetached) return;
      this.#partialBytes += chunk.length;
      ctx.account('partialFrames', this.#partialBytes);
    });
    ctx.ws.on('close', () => {
      this.#onSocketClosed();
    });
    ctx.ws.on('error', (err: Error) => {
      // ws closes the socket after an error; the reason is recorded for the close handler.
      const tooLarge = (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.#closeReason ??= tooLarge ? 'frame_too_large' : 'socket_error';
      if (tooLarge) ctx.metrics.badFrames.inc({ reason: 'too_large' });
      const warning = ctx.warnings.admit(tooLarge ? 'frame_too_large' : 'socket_error', ctx.now());
      if (warning.admit) {
        ctx.logger.warn(
          { node: this.nodeName, err: err.message.slice(0, 200), suppressed: warning.suppressed },
          'Edge connection failed',
        );
      }
    });
    this.#armKeepalive();
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Whether the session has ended for the hub (detached), its socket maybe still closing. */
  get isClosing(): boolean {
    return this.#isDetached;
  }

  /** When this session expires without a keepalive, ms (the lease renewal plan reads it). */
  get keepaliveDeadline(): number {
    return this.#state.keepaliveDeadline;
  }

  /**
   * Writes the node's replies now (they are small, the edge waits for them, and a reply written before
   * a close must not wait behind it), asks the send scheduler for a turn when ACK-path deliveries are
   * due (`reply` when one of them is a reply the edge waits for), and sets a timer for the next resend
   * deadline. Called after an enqueue, an ACK, a timer, a drained write and at session start.
   */
  pump(lane: SendLane = 'bulk'): void {
    if (this.#isDetached) return;
    const { ws, queue, options } = this.#ctx;
    const buffered = ws.bufferedAmount;
    if (buffered > options.writeHighWaterBytes) {
      this.#isBlocked = true; // resumed from a send callback
      return;
    }
    const now = this.#ctx.now();
    // Replies fill only the room left under the high-water mark: a backlog is not dumped at once into a
    // slow socket, where it would sit outside the node's byte budget.
    this.#writePlan(
      queue.takeSendable(now, { maxNoAckBytes: options.writeHighWaterBytes - buffered, maxAckDeliveries: 0 }),
    );
    this.#isBlocked = queue.pendingNoAckBytes > 0;
    if (queue.hasAckWork(now)) this.#ctx.sends.request(this, lane);
    this.#armWake();
  }

  /**
   * One turn of the send scheduler: writes deliveries one at a time until `maxBytes` were written (at
   * least one), the socket's send buffer passes the high-water mark (the drained write resumes the
   * node), or nothing more is due. Returns the bytes written and whether more is due now.
   */
  sendTurn(maxBytes: number): { readonly bytes: number; readonly hasMore: boolean } {
    if (this.#isDetached) return { bytes: 0, hasMore: false };
    const { ws, queue, options } = this.#ctx;
    const now = this.#ctx.now();
    let bytes = 0;
    while (bytes < maxBytes) {
      const buffered = ws.bufferedAmount;
      if (buffered > options.writeHighWaterBytes) {
        this.#isBlocked = true;
        return { bytes, hasMore: false };
      }
      const plan = queue.takeSendable(now, {
        maxNoAckBytes: options.writeHighWaterBytes - buffered,
        maxAckDeliveries: 1,
      });
      if (plan.deliveries.length === 0 && plan.retired.length === 0) break;
      bytes += this.#writePlan(plan);
      if (this.isClosing) return { bytes, hasMore: false }; // a write failed and ended the session
    }
    this.#isBlocked = queue.pendingNoAckBytes > 0;
    this.#armWake();
    return { bytes, hasMore: queue.hasAckWork(now) };
  }

  /** Writes a plan's deliveries in order and counts its retirements; returns the bytes written. */
  #writePlan(plan: SendPlan<Message>): number {
    const { queue, metrics } = this.#ctx;
    for (const retired of plan.retired) {
      metrics.droppedDeliveries.inc({
        reason: retired.reason === 'resend-limit' ? 'reply_expired' : 'superseded',
      });
    }
    let bytes = 0;
    for (const delivery of plan.deliveries) {
      const payload = delivery.kind === 'ack' ? delivery.item.payload : delivery.payload;
      if (delivery.kind === 'ack' && delivery.reason !== 'first' && delivery.reason !== 'superseding') {
        metrics.resends.inc();
      }
      bytes += this.#write(withMessageId(payload, delivery.id as MessageId));
    }
    if (plan.deliveries.some((d) => d.kind === 'no-ack'))
      this.#ctx.account('replies', queue.pendingNoAckBytes);
    return bytes;
  }

  /**
   * Ends the session (1000 normal, 1001 going away, 1008 policy): detaches it at once (see the module
   * doc), then closes the socket; a peer that never answers the close handshake is cut after 5 s. With
   * `terminate`, the socket is destroyed at once: for a peer that does not read, the close frame would
   * only wait behind what it does not read, holding that memory. Safe to call twice.
   */
  close(code: number, reason: DisconnectReason, options: { readonly terminate?: boolean } = {}): void {
    if (this.#isDetached) return;
    this.#detach(reason);
    const { ws } = this.#ctx;
    ws.close(code, reason);
    if (options.terminate === true) {
      ws.terminate();
      return;
    }
    setTimeout(() => {
      if (!this.#isClosed) ws.terminate();
    }, 5_000).unref();
  }

  /** Sends a reply or notice once, outside the ACK bookkeeping (and inside the node's reply budget). */
  sendNoAck(message: Message): void {
    this.#ctx.enqueueNoAck(message);
  }

  /**
   * Writes one frame (as text: KubeEdge's edge reads text frames) and returns its size. The frame's
   * bytes count against the scheduler's budget until the socket took them, or the session ended.
   */
  #write(message: Message): number {
    const { ws, metrics, options, sends } = this.#ctx;
    const frame = this.#ctx.encoder.encode(message);
    const size = frame.length;
    metrics.messages.inc({ direction: 'out' });
    metrics.bytes.inc({ direction: 'out' }, size);
    if (ws.bufferedAmount <= options.notReadingBytes) this.#lastProgressAt = this.#ctx.now();
    if (this.#isStalled) this.#stalledBytes += size;
    else {
      this.#unsentBytes += size;
      sends.charge(size);
      this.#watchStall();
    }
    ws.send(frame, { binary: false }, (err) => {
      // After a detach the session's bytes were released at once; nothing more to release.
      if (!this.#isDetached) this.#completed(size);
      // ws reports success as `null` (not `undefined`): testing for undefined never resumed the pump
      // here, so a backed-up node waited for the next resend timer.
      if (err instanceof Error) return; // the session is ending; detaching requeued what was in flight
      this.#lastProgressAt = this.#ctx.now();
      if (this.#isBlocked && ws.bufferedAmount <= options.writeHighWaterBytes / 2) this.pump();
    });
    this.#watchReader();
    return size;
  }

  /** A write of `size` bytes completed: the socket moves again, and the budget gets its bytes back. */
  #completed(size: number): void {
    const stalled = Math.min(size, this.#stalledBytes);
    this.#stalledBytes -= stalled;
    const charged = Math.min(size - stalled, this.#unsentBytes);
    this.#unsentBytes -= charged;
    if (charged > 0) this.#ctx.sends.release(charged);
    this.#isStalled = false;
    this.#lastCompletionAt = this.#ctx.now();
  }

  /**
   * Arms the stall check while charged bytes are out: a socket that completes no write for `sendStallMs`
   * gives its bytes back to the global budget (see `HubOptions.sendStallMs`).
   */
  #watchStall(): void {
    if (this.#stallTimer !== undefined || this.#isDetached) return;
    const { options } = this.#ctx;
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      if (this.#isDetached || this.#unsentBytes === 0) return;
      const quietMs = this.#ctx.now() - this.#lastCompletionAt;
      if (quietMs < options.sendStallMs) {
        this.#watchStall();
        return;
      }
      this.#isStalled = true;
      this.#stalledBytes += this.#unsentBytes;
      this.#ctx.sends.release(this.#unsentBytes);
      this.#unsentBytes = 0;
      this.#ctx.metrics.sendStalls.inc();
    }, options.sendStallMs);
  }

  /** Arms the "not reading" check when the send buffer is over its threshold (slow-reader.ts). */
  #watchReader(): void {
    if (this.#readerTimer !== undefined || this.#isDetached) return;
    const verdict = judgeReader(
      {
        bufferedBytes: this.#ctx.ws.bufferedAmount,
        lastProgressAt: this.#lastProgressAt,
        now: this.#ctx.now(),
      },
      this.#ctx.options,
    );
    switch (verdict.kind) {
      case 'reading':
        return;
      case 'watch':
        this.#readerTimer = setTimeout(
          () => {
            this.#readerTimer = undefined;
            this.#watchReader();
          },
          Math.max(1, verdict.checkAt - this.#ctx.now()),
        );
        return;
      case 'not-reading':
        this.#ctx.onNotReading(this, verdict.stalledMs);
        return;
      default: {
        const never: never = verdict;
        return never;
      }
    }
  }

  #frameCompleted(): void {
    if (this.#partialBytes === 0) return;
    this.#partialBytes = 0;
    if (!this.#isDetached) this.#ctx.account('partialFrames', 0);
  }

  #onFrame(data: Buffer): void {
    if (this.#isDetached) return; // a replaced or closing session handles nothing more
    const { metrics } = this.#ctx;
    metrics.messages.inc({ direction: 'in' });
    metrics.bytes.inc({ direction: 'in' }, data.length);
    const decoded = decodeFrame(data, { maxFrameBytes: this.#ctx.options.maxFrameBytes });
    const now = this.#ctx.now();
    if (!decoded.ok) {
      metrics.badFrames.inc({ reason: decoded.error.reason });
      this.#badFrame(decoded.error.reason, data.length, now, 'Dropped a malformed frame');
      return;
    }
    const envelope = checkEnvelope(decoded.message, this.#ctx.options);
    if (!envelope.ok) {
      // Never echoed: the reply, if any, names only the msg_id (itself within its limit), and the log line
      // only sizes. Counted as a malformed frame: no real EdgeCore sends such strings.
      metrics.refusedMessages.inc({ reason: envelope.reason });
      if (envelope.canReply) {
        this.sendNoAck(
          newErrorResponse(replyableStub(decoded.message), `refused: ${envelope.reason}`, {
            id: this.#ctx.newId(),
            now,
          }),
        );
      }
      // And the node is cut at once, an offence (hub-server.ts): a peer that sends megabytes of msg_id
      // is never an EdgeCore, and letting it send ten of them per connection made 20 such identities
      // starve a well-behaved node's leases of CPU (issue 12).
      this.#badFrame(
        envelope.reason,
        data.length,
        now,
        'Refused a message with an over-long envelope field',
        {
          isFatal: true,
        },
      );
      return;
    }
    this.#onMessage(decoded.message, data.length, now);
  }

  /**
   * Counts a bad frame toward disconnecting (`isFatal`: disconnects at once), with at most one warning per
   * reason per interval.
   */
  #badFrame(
    reason: string,
    bytes: number,
    now: number,
    message: string,
    options: { readonly isFatal?: boolean } = {},
  ): void {
    const { logger } = this.#ctx;
    const counted = this.#state.onBadFrame(now);
    const verdict: BadFrameVerdict =
      options.isFatal === true && !counted.disconnect ? { disconnect: true, count: 1 } : counted;
    const warning = this.#ctx.warnings.admit(reason, now);
    if (warning.admit) {
      logger.warn({ node: this.nodeName, reason, bytes, suppressed: warning.suppressed }, message);
    }
    if (verdict.disconnect) {
      // Rate-limited too: a node may reconnect and be cut again in a loop.
      const cut = this.#ctx.warnings.admit('bad_frames_disconnect', now);
      if (cut.admit) {
        logger.warn(
          { node: this.nodeName, badFrames: verdict.count, suppressed: cut.suppressed },
          'Disconnected a node that kept sending malformed frames',
        );
      }
      this.close(1008, 'bad_frames');
    }
  }

  #onMessage(message: Message, frameBytes: number, now: number): void {
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
        hooks.upstream.handle(this.nodeName, message, kind, { frameBytes });
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

  /** Ends the session for the hub, synchronously: timers off, in-flight back to the queue, hub told. */
  #detach(reason: DisconnectReason): void {
    if (this.#isDetached) return;
    this.#isDetached = true;
    this.#closeReason ??= reason;
    if (this.#keepaliveTimer !== undefined) clearTimeout(this.#keepaliveTimer);
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    if (this.#readerTimer !== undefined) clearTimeout(this.#readerTimer);
    if (this.#stallTimer !== undefined) clearTimeout(this.#stallTimer);
    this.#partialBytes = 0;
    this.#stalledBytes = 0; // already given back when the socket stalled
    // Its turn and its bytes leave the scheduler now: a socket that is closing may never report them.
    this.#ctx.sends.cancel(this);
    this.#ctx.sends.release(this.#unsentBytes);
    this.#unsentBytes = 0;
    this.#ctx.queue.onDisconnect();
    this.#ctx.onDetached(this, this.#closeReason);
  }

  #onSocketClosed(): void {
    if (this.#isClosed) return;
    this.#detach(this.#closeReason ?? 'closed_by_edge');
    this.#isClosed = true;
    this.#ctx.onClosed(this);
  }
}
