/**
 * An independent KubeEdge edge connection: `wss://<hub>/<project>/<node>/events` with the `node_id`,
 * `project_id` and `ConnectionUse: msg` headers and the node's client certificate (kubeedge-wire.md
 * §5.4), on the `ws` package directly. It sends whatever it is given (hand-built frames, raw text or
 * bytes, binary frames), can stop reading (the socket is paused, so the peer's writes pile up in its own
 * buffers), and counts what it receives. Replies are matched to requests by `parent_msg_id`.
 * @module
 */
import WebSocket from 'ws';
import type { RawIdentity } from './join.js';
import type { WireMessage } from './frames.js';
import { ackOf, keepalive } from './frames.js';

/** KubeEdge's default project id. */
const projectId = 'e632aba927ea4ac2b575ec1603d56f10';

/** Options of {@link RawEdge.connect}. */
export interface RawEdgeOptions {
  /** `host:port` of the hub. */
  readonly hub: string;
  readonly identity: RawIdentity;
  /** Extra or overriding upgrade headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Keep each decoded inbound message in `received` (default true; attackers turn it off). */
  readonly keepReceived?: boolean;
  /** ACK every push (a message without parent_msg_id in group `resource`). Default false. */
  readonly autoAck?: boolean;
  /** Send a keepalive this often, ms; 0 = never (default). */
  readonly keepaliveMs?: number;
  /** Give up on the TLS and upgrade handshake after this, ms (default 30,000). */
  readonly handshakeTimeoutMs?: number;
}

/** What the connection saw. */
export interface RawEdgeStats {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/** How the connection ended: the close code and reason the hub sent (1006 if none arrived). */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** `performance.now()` when it closed. */
  readonly at: number;
}

/** Every connection not yet closed, so a failed test can still cut them all ({@link RawEdge.terminateAll}). */
const live = new Set<RawEdge>();

/** An open connection. */
export class RawEdge {
  readonly nodeName: string;
  readonly stats: RawEdgeStats = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
  readonly received: WireMessage[] = [];
  /** Resolves once the socket closed. */
  readonly closed: Promise<CloseInfo>;
  readonly #ws: WebSocket;
  readonly #waiting = new Map<string, (reply: WireMessage) => void>();
  readonly #listeners: ((message: WireMessage) => void)[] = [];
  readonly #rawListeners: ((data: Buffer, isBinary: boolean) => void)[] = [];
  readonly #keepReceived: boolean;
  readonly #autoAck: boolean;
  #closeInfo: CloseInfo | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;

  private constructor(ws: WebSocket, options: RawEdgeOptions) {
    this.#ws = ws;
    this.nodeName = options.identity.nodeName;
    this.#keepReceived = options.keepReceived ?? true;
    this.#autoAck = options.autoAck ?? false;
    live.add(this);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      for (const listener of this.#rawListeners) listener(data, isBinary);
      this.#onFrame(data);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        if (this.#keepaliveTimer !== undefined) clearInterval(this.#keepaliveTimer);
        live.delete(this);
        this.#closeInfo = { code, reason: reason.toString(), at: performance.now() };
        resolve(this.#closeInfo);
      });
    });
    const every = options.keepaliveMs ?? 0;
    if (every > 0) {
      this.#keepaliveTimer = setInterval(() => {
        void this.send(keepalive());
      }, every);
      void this.send(keepalive());
    }
  }

  /** Drops every connection still open (test cleanup, whatever state a failed test left). */
  static terminateAll(): void {
    for (const edge of live) edge.terminate();
  }

  /** Connects; rejects with the HTTP status when the hub refuses the upgrade. */
  static connect(options: RawEdgeOptions): Promise<RawEdge> {
    const { identity } = options;
    const ws = new WebSocket(`wss://${options.hub}/${projectId}/${identity.nodeName}/events`, {
      ca: identity.caPem,
      cert: identity.certPem,
      key: identity.keyPem,
      perMessageDeflate: false,
      handshakeTimeout: options.handshakeTimeoutMs ?? 30_000,
      maxPayload: 256 * 1024 * 1024,
      headers: {
        node_id: identity.nodeName,
        project_id: projectId,
        ConnectionUse: 'msg',
        ...options.headers,
      },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined); // reported through 'close'
        resolve(new RawEdge(ws, options));
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          reject(new RefusedError(res.statusCode ?? 0, Buffer.concat(chunks).toString()));
        });
        res.on('error', () => {
          reject(new RefusedError(res.statusCode ?? 0, ''));
        });
      });
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /** Bytes this side queued but the kernel did not take yet (the peer is not reading). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /**
   * Sends a message (JSON-encoded), text or bytes as one frame (`binary` for a binary frame). Resolves
   * when handed to the socket, or at once if it is closed (the result says which).
   */
  send(data: WireMessage | string | Buffer, options: { binary?: boolean } = {}): Promise<boolean> {
    if (this.#ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    const payload = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    this.stats.framesOut += 1;
    this.stats.bytesOut += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    return new Promise((resolve) => {
      this.#ws.send(payload, { binary: options.binary ?? Buffer.isBuffer(payload) }, (err) => {
        // ws reports success with null or undefined, depending on the path taken.
        resolve(!(err instanceof Error));
      });
    });
  }

  /** Sends a request and resolves with the first message whose parent_msg_id is its msg_id. */
  request(message: WireMessage, timeoutMs = 30_000): Promise<WireMessage> {
    const id = message.header.msg_id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(
          new Error(
            `${this.nodeName}: no reply to ${message.route.operation ?? ''} ${message.route.resource ?? ''} within ${String(timeoutMs)} ms`,
          ),
        );
      }, timeoutMs);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      void this.send(message);
    });
  }

  /** Calls `listener` with every decoded inbound message. */
  onMessage(listener: (message: WireMessage) => void): void {
    this.#listeners.push(listener);
  }

  /** Calls `listener` with every frame's bytes as received, and whether it was a binary frame. */
  onRawFrame(listener: (data: Buffer, isBinary: boolean) => void): void {
    this.#rawListeners.push(listener);
  }

  /** Stops reading: the socket is paused, so what the hub writes stays in the kernel and in its buffers. */
  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  /** Closes with a close handshake; resolves when closed. */
  async close(): Promise<CloseInfo> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(1000, 'edge closing');
      const timer = setTimeout(() => {
        this.#ws.terminate();
      }, 3_000);
      const info = await this.closed;
      clearTimeout(timer);
      return info;
    }
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.#ws.terminate();
  }

  #onFrame(data: Buffer): void {
    this.stats.framesIn += 1;
    this.stats.bytesIn += data.length;
    let message: WireMessage;
    try {
      message = JSON.parse(data.toString('utf8')) as WireMessage;
    } catch {
      return;
    }
    if (typeof message !== 'object' || (message as WireMessage | null) === null) return;
    if (typeof (message.header as WireMessage['header'] | undefined) !== 'object') return;
    if (this.#keepReceived) this.received.push(message);
    for (const listener of this.#listeners) listener(message);
    const parent = message.header.parent_msg_id;
    if (parent !== undefined && parent !== '') {
      const waiter = this.#waiting.get(parent);
      if (waiter !== undefined) {
        this.#waiting.delete(parent);
        waiter(message);
      }
      return;
    }
    if (this.#autoAck && message.route.group === 'resource' && message.route.operation !== 'response') {
      void this.send(ackOf(message));
    }
  }
}

/** The hub answered the upgrade with an HTTP status instead of 101. */
export class RefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`hub refused the connection: ${String(status)} ${body.trim()}`);
    this.name = 'RefusedError';
  }
}
