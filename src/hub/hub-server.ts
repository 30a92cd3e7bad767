/**
 * The hub: the mutually authenticated TLS WebSocket server real EdgeCores connect to (KubeEdge CloudHub,
 * v1.23.1 `cloud/pkg/cloudhub/servers/server.go` and `handler/message_handler.go`), and the per-node
 * queues behind it. Downstream and upstream hand messages to {@link Hub.enqueue}; the hub keeps them per
 * node, whether or not the node is connected, until the node ACKs them or the node is forgotten.
 * @module
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { HandshakeGuard, isGuardClose } from '../certs/index.js';
import type { HandshakeRefusal } from '../certs/index.js';
import {
  FrameEncoder,
  isResourceType,
  newMessageId,
  parseNodeName,
  resourceTypeOf,
} from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { NodeQueue } from '../queues/index.js';
import type { QueueStats } from '../queues/index.js';
import type { DisconnectReason, HubMetrics, Logger } from '../observability/index.js';
import { WarnLimiter } from '../warnings/index.js';
import { decideConnect } from './connect-decision.js';
import { planLeaseRenewals } from './lease-renewal.js';
import type { LeaseRenewalReason, SessionSnapshot } from './lease-renewal.js';
import type { HubHooks } from './hooks.js';
import { resolveHubOptions } from './hub-options.js';
import type { HubOptions } from './hub-options.js';
import { MemoryBudget } from './memory-budget.js';
import type { BudgetVerdict, MemoryKind } from './memory-budget.js';
import { OffenderPenalty } from './offender-penalty.js';
import { displacedReply, routeOutbound } from './outbound.js';
import { SendScheduler } from './send-scheduler-worker.js';
import { Session } from './session-worker.js';
import type { MemoryReservation, UpstreamMemory } from './upstream-memory.js';

/** TLS material of the WebSocket server, PEM. */
export interface HubTls {
  /** CA that signs edge client certificates (and normally our server certificate). */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Constructor options of {@link Hub}. */
export interface HubServerOptions {
  readonly tls: HubTls;
  readonly hooks: HubHooks;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  /** Anything not set takes its default from `hubDefaults`. */
  readonly options?: Partial<HubOptions>;
  /** Clock in ms; default `Date.now`. */
  readonly now?: () => number;
}

/** What {@link Hub.enqueue} did with a message. */
export type EnqueueResult =
  | 'queued'
  | 'replaced'
  | 'dropped-stale'
  | 'dropped-after-delete'
  | 'dropped-duplicate-delete'
  | 'dropped-invalid';

/** One node's view for diagnostics. */
export interface NodeHubState {
  readonly connected: boolean;
  readonly connectedAt?: number;
  readonly lastKeepaliveAt?: number;
  /** Why the node's last session ended, if one did. */
  readonly lastDisconnect?: string;
  readonly queue: QueueStats;
  /** Bytes the node's input makes the hub hold now (replies, partial frame, upstream requests). */
  readonly memoryBytes: number;
}

/** The hub's byte ledger, over all nodes (issue 12 item 1). */
export interface HubMemoryStats {
  readonly totalBytes: number;
  readonly repliesBytes: number;
  readonly partialFramesBytes: number;
  readonly upstreamBytes: number;
  /** Nodes holding anything. */
  readonly nodes: number;
}

/** Why the hub disconnects a node for cause. */
type CauseReason = Extract<DisconnectReason, 'over_budget' | 'not_reading'>;

// TLS 1.2 suites as KubeEdge (ECDHE-ECDSA only: the server key is P-256); TLS 1.3 ignores the list.
const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

/** The hub server and the per-node queues. `start()` listens; `stop()` closes every session. */
export class Hub {
  readonly options: HubOptions;
  readonly #tls: HubTls;
  readonly #hooks: HubHooks;
  readonly #metrics: HubMetrics;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #queues = new Map<NodeName, NodeQueue<Message>>();
  readonly #sessions = new Map<NodeName, Session>();
  readonly #lastDisconnect = new Map<NodeName, string>();
  /** Resolvers of stop() waiting for sessions to finish closing. */
  readonly #waitClosed = new Map<Session, () => void>();
  readonly #budget: MemoryBudget;
  readonly #offenders: OffenderPenalty;
  /** Per node, one warning per reason per interval; kept across sessions, dropped when the node is forgotten. */
  readonly #warnings = new Map<NodeName, WarnLimiter>();
  /** Refused connections, per refusal reason (the node is not known yet, or not proven). */
  readonly #connectWarnings: WarnLimiter;
  readonly #guard: HandshakeGuard;
  /** One serialization per content object, shared by every node's frame (issue 15). */
  readonly #encoder: FrameEncoder;
  /** Every session's ACK-path writes, in bounded batches under one byte budget (issue 15). */
  readonly #sends: SendScheduler;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #isStopping = false;

  constructor(options: HubServerOptions) {
    this.options = resolveHubOptions(options.options);
    this.#tls = options.tls;
    this.#hooks = options.hooks;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#budget = new MemoryBudget({
      nodeBudgetBytes: this.options.nodeMemoryBudgetBytes,
      globalBudgetBytes: this.options.globalMemoryBudgetBytes,
    });
    this.#offenders = new OffenderPenalty({
      baseDelayMs: this.options.offenderBaseDelayMs,
      maxDelayMs: this.options.offenderMaxDelayMs,
      forgetAfterMs: this.options.offenderForgetAfterMs,
    });
    this.#connectWarnings = new WarnLimiter({ intervalMs: this.options.warnIntervalMs });
    this.#encoder = new FrameEncoder({
      onContentEncoded: (message) => {
        const type = resourceTypeOf(message.route.resource ?? '');
        this.#metrics.contentEncodes.inc({
          type: type !== undefined && isResourceType(type) ? type : 'other',
        });
      },
    });
    this.#sends = new SendScheduler(
      {
        sendBudgetBytes: this.options.sendBudgetBytes,
        sendBatchBytes: this.options.sendBatchBytes,
        sendBatchMs: this.options.sendBatchMs,
        sendTurnBytes: this.options.sendTurnBytes,
      },
      this.#metrics,
    );
    this.#guard = new HandshakeGuard({
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      upgradeTimeoutMs: this.options.upgradeTimeoutMs,
      maxPending: this.options.maxPendingHandshakes,
      maxQueued: this.options.maxQueuedHandshakes,
      maxQueueWaitMs: this.options.handshakeQueueWaitMs,
      onRefused: (reason) => {
        this.#handshakeRefused(reason);
      },
    });
    this.#metrics.setQueueSource(() => this.#queueTotals());
    this.#metrics.setMemorySource(() => [
      { kind: 'replies', bytes: this.#budget.totalOf('replies') },
      { kind: 'partial_frames', bytes: this.#budget.totalOf('partialFrames') },
      { kind: 'upstream', bytes: this.#budget.totalOf('upstream') },
    ]);
  }

  /** Listens; resolves with the bound address (port 0 picks a free one). */
  async start(): Promise<AddressInfo> {
    const server = createServer({
      ca: this.#tls.caPem,
      cert: this.#tls.certPem,
      key: this.#tls.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: tls12Ciphers,
      // Node's own timer as a backstop of the guard's, a second later so that the guard counts the timeout
      // (Node's default is 120 s).
      handshakeTimeout: this.options.handshakeTimeoutMs + 1_000,
    });
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      // ws closes with 1009 past this; frames between maxFrameBytes and this are counted and dropped.
      maxPayload: this.options.maxFrameBytes * 2,
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (socket instanceof TLSSocket) this.#onUpgrade(wss, req, socket, head);
      else socket.destroy();
    });
    server.on('request', (req: IncomingMessage, res) => {
      this.#guard.settle(req.socket);
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
    });
    server.on('tlsClientError', (err) => {
      // A connection the guard closed in its handshake is counted in handshakes_refused, not here.
      if (!isGuardClose(err)) this.#metrics.connects.inc({ result: 'tls_handshake_failed' });
    });
    this.#server = server;
    this.#wss = wss;
    // The guard accepts for the server: connections over the handshake limit wait unread in its queue
    // instead of being reset at accept (a reset sends a KubeEdge edge into its 5-tries-5-s-apart loop).
    const address = await this.#guard.listen(server, {
      host: this.options.host,
      port: this.options.port,
      // Kernel accept queue (capped by net.core.somaxconn); the guard accepts at once, so it drains fast.
      backlog: 4096,
    });
    server.on('error', (err) => {
      this.#logger.error({ err }, 'Hub server failed'); // e.g. EMFILE on accept; it keeps serving
    });
    return address;
  }

  /**
   * Queues a message for a node (resource in wire form). ACK-path messages are coalesced per object and
   * kept until ACKed; no-ACK messages are sent once. Sent at once when the node is connected, otherwise on
   * its next session.
   */
  enqueue(node: NodeName, message: Message): EnqueueResult {
    const queue = this.#queueOf(node);
    const route = routeOutbound(message);
    let result: EnqueueResult = 'queued';
    if (route.path === 'no-ack') {
      const bytes = this.#encoder.byteLength(route.payload);
      if (route.isAckedReply) queue.enqueueReply(route.payload, bytes);
      else queue.enqueueNoAck(route.payload, bytes);
      // A reply is what a node's own requests make us hold: it counts against the node's budget.
      this.#account(node, 'replies', queue.pendingNoAckBytes);
    } else {
      const outcome = queue.enqueueAck(route.item, this.#now());
      result = outcome.kind;
      const owed = outcome.kind === 'replaced' ? displacedReply(outcome.replaced, route.item) : undefined;
      if (owed !== undefined) {
        queue.enqueueReply(owed, this.#encoder.byteLength(owed));
        this.#account(node, 'replies', queue.pendingNoAckBytes);
        this.#metrics.displacedReplies.inc();
      }
      if (outcome.kind === 'dropped-stale') this.#metrics.droppedDeliveries.inc({ reason: 'stale' });
      if (outcome.kind === 'dropped-after-delete')
        this.#metrics.droppedDeliveries.inc({ reason: 'superseded_by_delete' });
      if (outcome.kind === 'dropped-duplicate-delete')
        this.#metrics.droppedDeliveries.inc({ reason: 'duplicate_delete' });
      if (outcome.kind === 'dropped-invalid') this.#metrics.droppedDeliveries.inc({ reason: 'invalid' });
    }
    // A query's answer goes in the scheduler's reply lane: the edge waits for it, a fan-out does not.
    this.#sessions.get(node)?.pump(route.path === 'ack' && route.item.isResponse === true ? 'reply' : 'bulk');
    return result;
  }

  isConnected(node: string): boolean {
    const parsed = parseNodeName(node);
    return parsed !== undefined && this.#sessions.has(parsed);
  }

  connectedNodes(): NodeName[] {
    return [...this.#sessions.keys()];
  }

  /** Per-node state for diagnostics (`edge-controller nodes`); undefined for a node the hub does not hold. */
  nodeState(node: NodeName): NodeHubState | undefined {
    const queue = this.#queues.get(node);
    if (queue === undefined) return undefined;
    const session = this.#sessions.get(node);
    const lastDisconnect = this.#lastDisconnect.get(node);
    return {
      connected: session !== undefined,
      ...(session !== undefined ? { connectedAt: session.connectedAt } : {}),
      ...(session?.lastKeepaliveAt !== undefined ? { lastKeepaliveAt: session.lastKeepaliveAt } : {}),
      ...(lastDisconnect !== undefined ? { lastDisconnect } : {}),
      queue: queue.stats(),
      memoryBytes: this.#budget.usage(node).total,
    };
  }

  /** The hub's byte ledger (the `edgecontroller_hub_memory_bytes` gauge reads the same). */
  memoryStats(): HubMemoryStats {
    return {
      totalBytes: this.#budget.totalBytes,
      repliesBytes: this.#budget.totalOf('replies'),
      partialFramesBytes: this.#budget.totalOf('partialFrames'),
      upstreamBytes: this.#budget.totalOf('upstream'),
      nodes: this.#budget.nodeCount,
    };
  }

  /**
   * The per-node byte charge for upstream requests waiting for the API (see {@link UpstreamMemory}). The
   * composition root hands it to the upstream worker.
   */
  get upstreamMemory(): UpstreamMemory {
    return {
      reserve: (node, bytes) => this.#reserveUpstream(node, bytes),
    };
  }

  /** Every node the hub holds a queue for (connected or not), in no order: {@link nodeStates} without the states. */
  heldNodes(): IterableIterator<NodeName> {
    return this.#queues.keys();
  }

  /** Every node the hub holds a queue for, with its state, sorted by name. */
  nodeStates(): { readonly node: NodeName; readonly state: NodeHubState }[] {
    return [...this.#queues.keys()].sort().flatMap((node) => {
      const state = this.nodeState(node);
      return state === undefined ? [] : [{ node, state }];
    });
  }

  /** Whether the server is listening. */
  get isListening(): boolean {
    // The TLS server never listens itself: the guard's listener accepts for it.
    return this.#guard.isListening && !this.#isStopping;
  }

  /** Closes a node's session (its queue stays). */
  disconnect(node: NodeName, reason: DisconnectReason): void {
    this.#sessions.get(node)?.close(1000, reason);
  }

  /**
   * Forgets the versions the node's edge ACKed (what waits or is in flight stays): a full resync of an
   * edge whose store may be empty must not be dropped as stale (issue 13).
   */
  forgetAcked(node: NodeName): void {
    this.#queues.get(node)?.forgetAcked();
  }

  /** The node is gone (deleted, or no longer an edge node): close its session and drop its queue. */
  forgetNode(node: NodeName): void {
    this.disconnect(node, 'node_deleted');
    this.#queues.get(node)?.clear();
    this.#queues.delete(node);
    this.#lastDisconnect.delete(node);
    this.#warnings.delete(node);
    this.#budget.forget(node);
  }

  /**
   * Stops accepting; renews the lease of every node still connected and alive (the `renewLeases` hook,
   * bounded by its own deadline) so that the edge's fixed 30 s redial cannot flip it NotReady; then closes
   * every session with 1001 so edges reconnect elsewhere, and waits.
   */
  async stop(): Promise<void> {
    this.#isStopping = true;
    // The last step before the close: no session can open any more, and each one renewed is still open.
    await this.#renewLeases([...this.#sessions.values()], 'shutdown');
    const sessions = [...this.#sessions.values()];
    const closed = sessions.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.isClosed) resolve();
          else this.#waitClosed.set(s, resolve);
        }),
    );
    for (const s of sessions) s.close(1001, 'shutdown');
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 6_000).unref())]);
    this.#guard.close();
    this.#wss?.close();
    const server = this.#server;
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    }
  }

  #onUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: TLSSocket, head: Buffer): void {
    socket.on('error', () => undefined); // a reset during the upgrade is reported as a refused connect
    if (this.#isStopping) {
      this.#guard.settle(socket);
      refuse(socket, 503, 'shutting down');
      return;
    }
    const decision = decideConnect(
      {
        headers: req.headers,
        peer: peerIdentity(socket),
        connectedCount: this.#sessions.size,
        isNodeConnected: (name) => this.isConnected(name),
        refusedForMs: (name) => this.#offenders.refusedForMs(name, this.#now()),
      },
      this.options,
    );
    if (!decision.accept) {
      this.#guard.settle(socket);
      this.#metrics.connects.inc({ result: decision.reason });
      const warning = this.#connectWarnings.admit(decision.reason, this.#now());
      if (warning.admit) {
        // The header is the peer's to choose: logged only when it is a valid node name.
        const node = parseNodeName(firstHeader(req.headers['node_id']));
        this.#logger.warn(
          {
            ...(node !== undefined ? { node } : {}),
            reason: decision.reason,
            suppressed: warning.suppressed,
          },
          'Refused an edge connection',
        );
      }
      refuse(socket, decision.status, decision.detail, decision.retryAfterSeconds);
      return;
    }
    const nodeName = decision.nodeName;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      this.#guard.settle(socket);
      this.#openSession(nodeName, ws, socket);
    });
  }

  #openSession(nodeName: NodeName, ws: WebSocket, socket: TLSSocket): void {
    const previous = this.#sessions.get(nodeName);
    // A second connection replaces the first at once (KubeEdge #4070). Closing detaches the old session
    // synchronously (issue 13 item 4): its un-ACKed messages go back to the queue and it leaves #sessions
    // before the new session exists, so its late socket close cannot touch the new session's in-flight
    // messages or timers, and it writes nothing more.
    previous?.close(1000, 'replaced');
    let warnings = this.#warnings.get(nodeName);
    if (warnings === undefined) {
      warnings = new WarnLimiter({ intervalMs: this.options.warnIntervalMs });
      this.#warnings.set(nodeName, warnings);
    }
    const queue = this.#queueOf(nodeName);
    const session = new Session({
      nodeName,
      ws,
      socket,
      queue,
      options: this.options,
      encoder: this.#encoder,
      sends: this.#sends,
      hooks: this.#hooks,
      metrics: this.#metrics,
      logger: this.#logger,
      now: this.#now,
      newId: newMessageId,
      warnings,
      enqueueNoAck: (message) => {
        queue.enqueueNoAck(message, this.#encoder.byteLength(message));
        this.#account(nodeName, 'replies', queue.pendingNoAckBytes);
        this.#sessions.get(nodeName)?.pump();
      },
      account: (kind, bytes) => {
        this.#account(nodeName, kind, bytes);
      },
      onNotReading: (stalled, stalledMs) => {
        if (this.#sessions.get(nodeName) === stalled) this.#evict(nodeName, 'not_reading', { stalledMs });
      },
      onDetached: (detached, reason) => {
        this.#onSessionDetached(detached, reason);
      },
      onClosed: (closed) => {
        this.#waitClosed.get(closed)?.();
        this.#waitClosed.delete(closed);
      },
    });
    this.#sessions.set(nodeName, session);
    this.#metrics.connects.inc({ result: 'accepted' });
    this.#metrics.connectedNodes.set(this.#sessions.size);
    this.#logger.info({ node: nodeName, replaced: previous !== undefined }, 'Edge node connected');
    this.#hooks.onSessionOpened?.(nodeName);
    session.pump();
    // The edge's own next renewal may be up to a lease period away (after a restart, on top of its 30 s
    // redial); renewing now gives the node a full grace period from the moment it is back.
    void this.#renewLeases([session], 'session_opened');
  }

  /** Hands the plan for `sessions` to the `renewLeases` hook; never rejects. */
  async #renewLeases(sessions: readonly Session[], reason: LeaseRenewalReason): Promise<void> {
    const renew = this.#hooks.renewLeases;
    if (renew === undefined) return;
    const snapshots: SessionSnapshot[] = sessions.map((s) => ({
      node: s.nodeName,
      isOpen: !s.isClosing,
      keepaliveDeadline: s.keepaliveDeadline,
    }));
    const renewals = planLeaseRenewals(snapshots, this.#now());
    if (renewals.length === 0) return;
    try {
      await renew(renewals, reason);
    } catch (err) {
      // The hook must not reject; if it does anyway, a shutdown must still close the sessions.
      this.#logger.error({ err, reason }, 'The lease renewal hook failed');
    }
  }

  /** A connection the guard closed: counted each time; an overload logged at most once per interval. */
  #handshakeRefused(reason: HandshakeRefusal): void {
    this.#metrics.handshakesRefused.inc({ server: 'hub', reason });
    // A timeout is a slow or silent client; a full queue or a wait past its limit is our overload.
    if (reason !== 'too_many_pending' && reason !== 'queue_timeout') return;
    const warning = this.#connectWarnings.admit(`handshake:${reason}`, this.#now());
    if (!warning.admit) return;
    this.#logger.warn(
      {
        reason,
        pending: this.#guard.pending,
        queued: this.#guard.queued,
        suppressed: warning.suppressed,
      },
      'Turned a connection away before its TLS handshake: too many connections waiting',
    );
  }

  /** A session ended for the hub (its socket may still be closing): forget it and report once. */
  #onSessionDetached(session: Session, reason: DisconnectReason): void {
    if (this.#sessions.get(session.nodeName) === session) this.#sessions.delete(session.nodeName);
    this.#budget.set(session.nodeName, 'partialFrames', 0);
    this.#metrics.disconnects.inc({ reason });
    this.#lastDisconnect.set(session.nodeName, reason);
    this.#metrics.connectedNodes.set(this.#sessions.size);
    this.#logger.info({ node: session.nodeName, reason }, 'Edge node disconnected');
    // Cut for malformed frames: an offence like over_budget and not_reading, so a node that loops
    // (connect, garbage, cut) is refused at connect for a growing while instead of costing us a parse
    // per frame.
    if (reason === 'bad_frames') this.#offenders.offend(session.nodeName, this.#now());
    this.#hooks.onSessionClosed?.(session.nodeName, reason);
  }

  /** Records what `node` holds for `kind` and carries out the budget's verdict. */
  #account(node: NodeName, kind: MemoryKind, bytes: number): void {
    this.#carryOut(this.#budget.set(node, kind, bytes));
  }

  #reserveUpstream(node: NodeName, bytes: number): MemoryReservation | undefined {
    const charged = Math.max(0, Math.ceil(bytes));
    const verdict = this.#budget.add(node, 'upstream', charged);
    const generation = this.#budget.generation(node);
    this.#carryOut(verdict);
    if (this.#budget.generation(node) !== generation) return undefined; // this very charge evicted it
    let isReleased = false;
    return {
      release: () => {
        if (isReleased) return;
        isReleased = true;
        // After a write-off, the bytes are no longer on the ledger: releasing them again would drift.
        if (this.#budget.generation(node) === generation) this.#budget.add(node, 'upstream', -charged);
      },
    };
  }

  #carryOut(verdict: BudgetVerdict): void {
    switch (verdict.kind) {
      case 'within':
        return;
      case 'over-node':
        this.#evict(verdict.node as NodeName, 'over_budget', {
          usedBytes: verdict.usedBytes,
          budget: 'node',
        });
        return;
      case 'over-global':
        for (const node of verdict.evict) {
          this.#evict(node as NodeName, 'over_budget', {
            usedBytes: this.#budget.usage(node).total,
            budget: 'global',
            totalBytes: verdict.totalBytes,
          });
        }
        return;
      default: {
        const never: never = verdict;
        return never;
      }
    }
  }

  /**
   * Disconnects a node for cause: one log line, its replies dropped, its ledger written off (its upstream
   * reservations void; `onSessionClosed` tells the upstream worker to drop its waiting requests), and an
   * offence recorded so that it is refused at connect for a growing while.
   */
  #evict(node: NodeName, reason: CauseReason, fields: Record<string, unknown>): void {
    const usage = this.#budget.usage(node);
    const session = this.#sessions.get(node);
    const refusedForMs = session === undefined ? 0 : this.#offenders.offend(node, this.#now());
    this.#logger.warn(
      {
        node,
        reason,
        wasConnected: session !== undefined,
        ...fields,
        repliesBytes: usage.replies,
        partialFrameBytes: usage.partialFrames,
        upstreamBytes: usage.upstream,
        refusedForMs,
      },
      'Disconnected a node for cause',
    );
    this.#queues.get(node)?.dropNoAck();
    this.#budget.writeOff(node);
    // A node that does not read would never read the close frame either: its socket goes at once.
    session?.close(1008, reason, { terminate: reason === 'not_reading' });
  }

  #queueOf(node: NodeName): NodeQueue<Message> {
    let queue = this.#queues.get(node);
    if (queue === undefined) {
      queue = new NodeQueue<Message>({
        newId: newMessageId,
        windowSize: this.options.windowSize,
        ackTimeoutMs: this.options.ackTimeoutMs,
        maxAckTimeoutMs: this.options.maxAckTimeoutMs,
      });
      this.#queues.set(node, queue);
    }
    return queue;
  }

  /**
   * Both queue gauges in one pass over the nodes, reading two counters of each queue: a scrape at
   * 5,000 nodes spent 4 passes building every queue's full stats, about 12 ms of the event loop.
   */
  #queueTotals(): { readonly depth: number; readonly inFlight: number } {
    let depth = 0;
    let inFlight = 0;
    for (const queue of this.#queues.values()) {
      depth += queue.waitingCount;
      inFlight += queue.inFlightCount;
    }
    return { depth, inFlight };
  }
}

/** The verified peer certificate's CN and O values, or undefined when there is none. */
function peerIdentity(socket: TLSSocket): { commonName: string; organizations: string[] } | undefined {
  if (!socket.authorized) return undefined;
  const subject = socket.getPeerCertificate().subject as
    Record<string, string | string[] | undefined> | undefined;
  const cn = subject?.['CN'];
  const o = subject?.['O'];
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  if (commonName === undefined) return undefined;
  return { commonName, organizations: o === undefined ? [] : Array.isArray(o) ? o : [o] };
}

function refuse(socket: Socket, status: number, detail: string, retryAfterSeconds?: number): void {
  const body = detail + '\n';
  const retryAfter = retryAfterSeconds === undefined ? '' : `Retry-After: ${String(retryAfterSeconds)}\r\n`;
  socket.end(
    `HTTP/1.1 ${String(status)} Refused\r\nConnection: close\r\nContent-Type: text/plain\r\n${retryAfter}` +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`,
  );
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
