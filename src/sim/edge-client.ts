/**
 * One simulated EdgeCore's WebSocket connection to the hub, as a real edge makes it (KubeEdge v1.23.1
 * `edge/pkg/edgehub/clients/wsclient`): `wss://<server>/<projectID>/<node>/events` with headers `node_id`,
 * `project_id`, `ConnectionUse: msg` and the node's client certificate; a keepalive every 15 s; pushes
 * stored, ACKed with `"OK"` and the push's msg_id as parent, or not, as metamanager does
 * (push-handling.ts); replies matched to requests only in group `resource`/`func`. This is the seed of the
 * simulator (issue 4): it reconnects only when told to, so tests control every connection.
 * @module
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  decodeFrame,
  encodeMessage,
  newKeepalive,
  newRespByMessage,
  newMessageId,
  parseMessageId,
} from '../protocol/index.js';
import type { Message, MessageId } from '../protocol/index.js';
import type { EdgeIdentity } from './join-client.js';
import { inboundHandling, podRowMatches } from './push-handling.js';
import type { CloudReply, StoreChange } from './push-handling.js';

/** KubeEdge's default project id (`edge/pkg/edgehub/config/config.go`). */
export const defaultProjectId = 'e632aba927ea4ac2b575ec1603d56f10';

/** Options of {@link EdgeClient}. */
export interface EdgeClientOptions {
  /** `host:port` of the hub, as EdgeCore's `websocket.server`. */
  readonly server: string;
  readonly identity: EdgeIdentity;
  /** Keepalive period; default 15,000 ms (edgeHub.heartbeat). 0 disables keepalives. */
  readonly keepaliveIntervalMs?: number;
  /**
   * Answer pushes automatically as a real edge does (push-handling.ts: an ACK for most, the push itself
   * echoed back for a `patch`, nothing for an `update` from an unknown source). Default true; tests turn
   * it off to hold ACKs.
   */
  readonly autoAck?: boolean;
  /** Extra or overriding upgrade headers (tests of bad headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The store to write pushes into. Default: a new one per client. A simulated node passes its own so
   * that what it stored survives reconnects, as the edge's SQLite database does.
   */
  readonly store?: MetaStore;
  /**
   * Counters to add every frame sent and received to. Default: none. One object may be shared by many
   * clients (a simulator of thousands of nodes keeps one), so it costs nothing per node.
   */
  readonly counters?: TrafficCounters;
  /**
   * Keep every decoded inbound message in {@link EdgeClient.received}. Default true (tests inspect it);
   * a long-running simulator turns it off, otherwise memory grows with every reply and push.
   */
  readonly keepReceived?: boolean;
}

/** Message counters, incremented in place by every client given the object. */
export interface TrafficCounters {
  /** Frames received (pushes, replies, anything decoded). */
  messagesIn: number;
  /** Frames sent (requests, ACKs, keepalives, reports). */
  messagesOut: number;
}

/** What the edge stored from pushes, keyed by the wire resource (`default/pod/p1`). */
export type MetaStore = Map<
  string,
  { readonly operation: string; readonly resourceVersion?: string; readonly content: unknown }
>;

/**
 * A connected simulated edge. Events: `push` (message, InboundHandling) for every downstream push to
 * metamanager (whether or not it is ACKed), `message` for every decoded inbound message, `close` (code,
 * reason).
 */
export class EdgeClient extends EventEmitter {
  readonly nodeName: string;
  readonly store: MetaStore;
  readonly received: Message[] = [];
  readonly #options: EdgeClientOptions;
  #ws: WebSocket | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #linkDelayMs = 0;
  readonly #waiting = new Map<MessageId, (reply: Message) => void>();

  constructor(options: EdgeClientOptions) {
    super();
    this.#options = options;
    this.nodeName = options.identity.nodeName;
    this.store = options.store ?? (new Map() as MetaStore);
  }

  /** Opens the connection; rejects if the hub refuses it (the HTTP status is in the message). */
  connect(): Promise<void> {
    const { identity, server } = this.#options;
    const ws = new WebSocket(`wss://${server}/${defaultProjectId}/${identity.nodeName}/events`, {
      ca: identity.caPem,
      cert: identity.certPem,
      key: identity.keyPem,
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
      headers: {
        node_id: identity.nodeName,
        project_id: defaultProjectId,
        ConnectionUse: 'msg',
        ...this.#options.headers,
      },
    });
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      if (this.#linkDelayMs > 0) {
        setTimeout(() => {
          this.#onFrame(data);
        }, this.#linkDelayMs);
      } else {
        this.#onFrame(data);
      }
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.#stopKeepalive();
      this.emit('close', code, reason.toString());
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined); // reported through 'close'
        this.#startKeepalive();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`hub refused the connection: ${String(res.statusCode)}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Whether the connection is open (messages sent now reach the hub). */
  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one message as a text frame. */
  /**
   * Delays every frame this edge sends and every frame it receives by `ms` (0: no delay), as a slow link
   * would; order is kept (timers of equal delay fire in order). Applied in the edge, not in the network.
   */
  setLinkDelay(ms: number): void {
    this.#linkDelayMs = Math.max(0, ms);
  }

  send(message: Message): void {
    if (this.#ws === undefined) return;
    if (this.#linkDelayMs > 0) {
      setTimeout(() => {
        this.#sendNow(message);
      }, this.#linkDelayMs);
      return;
    }
    this.#sendNow(message);
  }

  #sendNow(message: Message): void {
    if (this.#ws === undefined) return;
    if (this.#options.counters !== undefined) this.#options.counters.messagesOut += 1;
    this.#ws.send(encodeMessage(message));
  }

  /** Sends raw bytes (tests of malformed frames). */
  sendRaw(data: string | Buffer): void {
    this.#ws?.send(data);
  }

  /** Sends a request and resolves with the reply whose parent_msg_id is the request's id. */
  request(message: Message, timeoutMs = 30_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(message.header.msg_id);
        reject(new Error(`no reply to ${message.route.operation ?? ''} ${message.route.resource ?? ''}`));
      }, timeoutMs);
      this.#waiting.set(message.header.msg_id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send(message);
    });
  }

  /** ACKs a push by hand (when `autoAck` is off). */
  ack(push: Message): void {
    this.send(newRespByMessage(push, 'OK', { id: newMessageId(), now: Date.now() }));
  }

  /** Closes the connection; resolves when it is closed. */
  close(): Promise<void> {
    const ws = this.#ws;
    this.#stopKeepalive();
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => {
        resolve();
      });
      ws.close(1000, 'edge closing');
    });
  }

  /** Drops the TCP connection without a close handshake (a crashed edge or a cut cable). */
  kill(): void {
    this.#stopKeepalive();
    this.#ws?.terminate();
  }

  /** Sends one keepalive now. */
  sendKeepalive(): void {
    this.send(newKeepalive({ id: newMessageId(), now: Date.now() }));
  }

  #onFrame(data: Buffer): void {
    const decoded = decodeFrame(data, { maxFrameBytes: 64 * 1024 * 1024 });
    if (!decoded.ok) return;
    const message = decoded.message;
    if (this.#options.counters !== undefined) this.#options.counters.messagesIn += 1;
    if (this.#options.keepReceived ?? true) this.received.push(message);
    this.emit('message', message);
    const handling = inboundHandling(message);
    switch (handling.kind) {
      case 'reply': {
        const parent = parseMessageId(message.header.parent_msg_id);
        if (parent === undefined) return;
        this.#waiting.get(parent)?.(message);
        this.#waiting.delete(parent);
        return;
      }
      case 'other-group':
        // A real edge hands these to devicetwin, eventbus or the task manager, or drops them ("no
        // handler found"); a reply in such a group never reaches the waiting request (errata W8).
        return;
      case 'push':
        applyStoreChange(this.store, message, handling.store);
        this.emit('push', message, handling);
        if (this.#options.autoAck ?? true) this.#answer(message, handling.toCloud);
        return;
      default: {
        const unreachable: never = handling;
        return unreachable;
      }
    }
  }

  #answer(push: Message, reply: CloudReply): void {
    switch (reply) {
      case 'ack':
        this.ack(push);
        return;
      case 'echo':
        this.send(push);
        return;
      case 'none':
        return;
      default: {
        const unreachable: never = reply;
        return unreachable;
      }
    }
  }

  #startKeepalive(): void {
    const interval = this.#options.keepaliveIntervalMs ?? 15_000;
    if (interval <= 0) return;
    this.sendKeepalive();
    this.#keepalive = setInterval(() => {
      this.sendKeepalive();
    }, interval);
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }
}

// Carries out metamanager's store decision (push-handling.ts).
function applyStoreChange(store: MetaStore, message: Message, change: StoreChange): void {
  switch (change.kind) {
    case 'none':
      return;
    case 'put':
      store.set(change.key, {
        operation: message.route.operation ?? '',
        content: message.content,
        ...(message.header.resourceversion !== undefined
          ? { resourceVersion: message.header.resourceversion }
          : {}),
      });
      return;
    case 'delete':
      store.delete(change.key);
      return;
    case 'delete-pod':
      if (!store.has(change.key) || !podRowMatches(store.get(change.key)?.content, change.uid)) return;
      store.delete(change.key);
      store.delete(change.podPatchKey);
      return;
    default: {
      const unreachable: never = change;
      return unreachable;
    }
  }
}
