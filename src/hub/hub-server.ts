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
import { newMessageId, parseNodeName } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { NodeQueue } from '../queues/index.js';
import type { QueueStats } from '../queues/index.js';
import type { DisconnectReason, HubMetrics, Logger } from '../observability/index.js';
import { decideConnect } from './connect-decision.js';
import { planLeaseRenewals } from './lease-renewal.js';
import type { LeaseRenewalReason, SessionSnapshot } from './lease-renewal.js';
import type { HubHooks } from './hooks.js';
import { resolveHubOptions } from './hub-options.js';
import type { HubOptions } from './hub-options.js';
import { routeOutbound } from './outbound.js';
import { Session } from './session-worker.js';

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
}

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
    this.#metrics.setQueueSource(() => ({
      depth: this.#sum((s) => s.pendingAck + s.pendingNoAck),
      inFlight: this.#sum((s) => s.inFlight),
    }));
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
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
    });
    server.on('tlsClientError', () => {
      this.#metrics.connects.inc({ result: 'tls_handshake_failed' });
    });
    this.#server = server;
    this.#wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.options.port, host: this.options.host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
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
      if (route.isAckedReply) queue.enqueueReply(route.payload);
      else queue.enqueueNoAck(route.payload);
    } else {
      const outcome = queue.enqueueAck(route.item, this.#now());
      result = outcome.kind;
      if (outcome.kind === 'dropped-stale') this.#metrics.droppedDeliveries.inc({ reason: 'stale' });
      if (outcome.kind === 'dropped-after-delete')
        this.#metrics.droppedDeliveries.inc({ reason: 'superseded_by_delete' });
      if (outcome.kind === 'dropped-duplicate-delete')
        this.#metrics.droppedDeliveries.inc({ reason: 'duplicate_delete' });
      if (outcome.kind === 'dropped-invalid') this.#metrics.droppedDeliveries.inc({ reason: 'invalid' });
    }
    this.#sessions.get(node)?.pump();
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
    };
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
    return this.#server?.listening === true && !this.#isStopping;
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
      refuse(socket, 503, 'shutting down');
      return;
    }
    const decision = decideConnect(
      {
        headers: req.headers,
        peer: peerIdentity(socket),
        connectedCount: this.#sessions.size,
        isNodeConnected: (name) => this.isConnected(name),
      },
      this.options,
    );
    if (!decision.accept) {
      this.#metrics.connects.inc({ result: decision.reason });
      this.#logger.warn(
        { node: req.headers['node_id'], reason: decision.reason },
        'Refused an edge connection',
      );
      refuse(socket, decision.status, decision.detail);
      return;
    }
    const nodeName = decision.nodeName;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      this.#openSession(nodeName, ws);
    });
  }

  #openSession(nodeName: NodeName, ws: WebSocket): void {
    const previous = this.#sessions.get(nodeName);
    if (previous !== undefined) {
      // A second connection replaces the first at once (KubeEdge #4070): the old socket is closed and its
      // un-ACKed messages go back to the queue before the new session starts sending.
      this.#sessions.delete(nodeName);
      previous.close(1000, 'replaced');
    }
    const session = new Session({
      nodeName,
      ws,
      queue: this.#queueOf(nodeName),
      options: this.options,
      hooks: this.#hooks,
      metrics: this.#metrics,
      logger: this.#logger,
      now: this.#now,
      newId: newMessageId,
      onClosed: (closed, reason) => {
        this.#onSessionClosed(closed, reason);
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

  #onSessionClosed(session: Session, reason: DisconnectReason): void {
    if (this.#sessions.get(session.nodeName) === session) this.#sessions.delete(session.nodeName);
    this.#metrics.disconnects.inc({ reason });
    this.#lastDisconnect.set(session.nodeName, reason);
    this.#metrics.connectedNodes.set(this.#sessions.size);
    this.#logger.info({ node: session.nodeName, reason }, 'Edge node disconnected');
    this.#hooks.onSessionClosed?.(session.nodeName, reason);
    this.#waitClosed.get(session)?.();
    this.#waitClosed.delete(session);
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

  #sum(pick: (stats: QueueStats) => number): number {
    let total = 0;
    for (const queue of this.#queues.values()) total += pick(queue.stats());
    return total;
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

function refuse(socket: Socket, status: number, detail: string): void {
  const body = detail + '\n';
  socket.end(
    `HTTP/1.1 ${String(status)} Refused\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`,
  );
}
