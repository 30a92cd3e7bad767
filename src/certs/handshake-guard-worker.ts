/**
 * Connection hygiene for the two TLS ports (the hub's WebSocket port and the certificate server), issue
 * 12 item 5: a connection must finish its TLS handshake within a timeout and, where the server says so,
 * have its first request (the WebSocket upgrade) handled within another; at most `maxPending` connections
 * may be in either phase at once. Without it, 2,200 idle handshakes held the hub port for about 120 s
 * (Node's default `handshakeTimeout`) with no bound on how many.
 *
 * {@link HandshakeGuard.listen} accepts on the guard's own listener with `pauseOnConnect`, so a connection
 * over the limit waits in a queue before any TLS work (it costs no handshake), and is handed to the TLS
 * server when a slot frees. Only a connection that finds the guard full, or waits in the queue past its
 * wait limit, is turned away: its bytes are read and the socket ended, so the client gets a close, not a
 * reset.
 * Closing at accept instead (as the guard's former `attach` mode did for the hub) destroys a socket with
 * the ClientHello unread, which the kernel answers with a RST: a burst of 2,000 joins at once got
 * 804-1,000 `ECONNRESET`s that way, logged nowhere.
 *
 * A connection takes a handshake slot only once its first TLS record (the ClientHello) has fully arrived:
 * the guard reads it and gives it back to the socket (`unshift`) before handing the socket to TLS. An
 * attacker that opens thousands of connections and sends nothing, or trickles a record a byte a second,
 * never holds a slot: it waits, as a few KiB of socket, until the handshake timeout closes it, while a
 * real edge, whose ClientHello arrives at once, goes straight to a slot (issue 12's 2,200 stalled
 * handshakes: a node still joins meanwhile).
 *
 * A connection the guard closes in its handshake is destroyed with an error {@link isGuardClose} knows, so
 * that the server's `tlsClientError` (which Node raises for it) is not counted a second time as a failed
 * handshake.
 *
 * Shell: it owns timers and sockets. Used by the certificate server and by the hub (hub → certs is an
 * allowed dependency; certs must not import hub).
 * @module
 */
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/**
 * Why a connection was closed by the guard: its handshake or upgrade took too long, it found the queue
 * full, or it waited in the queue past its wait limit.
 */
export type HandshakeRefusal = 'handshake_timeout' | 'upgrade_timeout' | 'too_many_pending' | 'queue_timeout';

/** Options of {@link HandshakeGuard}. */
export interface HandshakeGuardOptions {
  /** The TLS handshake must finish within this, ms. */
  readonly handshakeTimeoutMs: number;
  /**
   * After the handshake, {@link HandshakeGuard.settle} must be called within this, ms. Absent: the
   * connection is settled as soon as its handshake is done (the HTTP server's own timeouts take over).
   */
  readonly upgradeTimeoutMs?: number;
  /** Most connections in their handshake or upgrade at once. */
  readonly maxPending: number;
  /**
   * With {@link HandshakeGuard.listen}: most connections waiting beyond the slots (for their ClientHello or
   * for a slot); the guard holds at most `maxPending + maxQueued`. Default `4 × maxPending`.
   */
  readonly maxQueued?: number;
  /** With {@link HandshakeGuard.listen}: the longest a connection waits for a slot, ms; default `handshakeTimeoutMs`. */
  readonly maxQueueWaitMs?: number;
  /** Called once per connection the guard closed. Must not throw. */
  readonly onRefused: (reason: HandshakeRefusal) => void;
}

interface Pending {
  readonly socket: Socket;
  timer: NodeJS.Timeout;
}

interface Queued {
  readonly socket: Socket;
  readonly timer: NodeJS.Timeout;
}

/** The largest TLS record a ClientHello may come in (2^14 bytes of plaintext plus expansion). */
const maxRecordBytes = 18_432;

/**
 * Whether `head`, the first bytes a client sent, holds its whole first TLS record, or is something TLS
 * will refuse at once anyway (not a handshake record, or a record longer than TLS allows).
 */
export function isFirstRecordComplete(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (head[0] !== 0x16) return true; // not a TLS handshake: the TLS server refuses it at once
  if (head.length < 5) return false;
  const length = head.readUInt16BE(3);
  return length > maxRecordBytes || head.length >= 5 + length;
}

/** Where {@link HandshakeGuard.listen} binds. */
export interface GuardListenOptions {
  readonly host: string;
  readonly port: number;
  /** Kernel accept queue length (capped by `net.core.somaxconn`). */
  readonly backlog: number;
}

/** After turning a connection away, how long its client has to take the close before it is destroyed. */
const turnAwayGraceMs = 2_000;

/**
 * One guard per server. Connections are matched between the raw socket (`connection`) and the TLS socket
 * (`secureConnection`) by their remote address and port, which are unique among a listener's open
 * connections (Node gives no public link from one to the other).
 */
export class HandshakeGuard {
  readonly #options: HandshakeGuardOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #queue: Queued[] = [];
  /** Connections whose first TLS record has not fully arrived yet. */
  readonly #awaitingHello = new Set<Socket>();
  #front: NetServer | undefined;
  #tlsServer: TlsServer | undefined;
  #isClosed = false;

  constructor(options: HandshakeGuardOptions) {
    this.#options = options;
  }

  /**
   * Accepts connections for `server` (which must not listen itself) on `options`, queueing those over
   * `maxPending` unread; resolves with the bound address. {@link close} stops it.
   */
  async listen(server: TlsServer, options: GuardListenOptions): Promise<AddressInfo> {
    this.#tlsServer = server;
    server.on('secureConnection', (socket: TLSSocket) => {
      this.#onSecure(socket);
    });
    const front = createNetServer({ pauseOnConnect: true }, (socket) => {
      this.#onAccepted(socket);
    });
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen({ host: options.host, port: options.port, backlog: options.backlog }, () => {
        front.off('error', reject);
        resolve();
      });
    });
    // Later errors (EMFILE on accept) are the TLS server's to report, as when it listened itself.
    front.on('error', (err) => server.emit('error', err));
    this.#front = front;
    // An HTTP server starts tracking its connections (header, request and keep-alive timeouts, and
    // closeAllConnections) on 'listening'; it does not listen itself here, so it is told.
    server.emit('listening');
    return front.address() as AddressInfo;
  }

  /** The connection's first request was handled (upgraded, answered or refused): stop timing it. */
  settle(socket: Socket): void {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.#pending.get(key);
    if (key === undefined || entry === undefined) return;
    clearTimeout(entry.timer);
    this.#release(key);
  }

  /** Connections in their handshake or upgrade now. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Connections waiting for a slot now, or for their ClientHello. */
  get queued(): number {
    return this.#queue.length + this.#awaitingHello.size;
  }

  /** Whether the guard's listener accepts connections (between {@link listen} and {@link close}). */
  get isListening(): boolean {
    return this.#front?.listening === true && !this.#isClosed;
  }

  /**
   * Stops every timer, stops accepting and destroys the queued connections (the server is closing; its own
   * close destroys the others).
   */
  close(): void {
    this.#isClosed = true;
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
    this.#pending.clear();
    for (const queued of this.#queue.splice(0)) {
      clearTimeout(queued.timer);
      queued.socket.destroy();
    }
    for (const socket of this.#awaitingHello) socket.destroy(); // their timers end on 'close'
    this.#awaitingHello.clear();
    this.#front?.close();
  }

  /** A new connection, paused: read its first TLS record, then give it a slot or queue it. */
  #onAccepted(socket: Socket): void {
    if (this.#isClosed) {
      socket.destroy();
      return;
    }
    // Held at most: the slots and the queue, whether a connection waits for its ClientHello or a slot.
    const maxQueued = this.#options.maxQueued ?? 4 * this.#options.maxPending;
    if (this.#pending.size + this.queued >= this.#options.maxPending + maxQueued) {
      turnAway(socket);
      this.#options.onRefused('too_many_pending');
      return;
    }
    socket.on('error', ignore);
    this.#awaitingHello.add(socket);
    const chunks: Buffer[] = [];
    let isWaiting = true;
    const stopWaiting = (): void => {
      if (!isWaiting) return;
      isWaiting = false;
      this.#awaitingHello.delete(socket);
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', stopWaiting);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      if (!isFirstRecordComplete(head)) return;
      stopWaiting();
      socket.pause();
      socket.unshift(head);
      this.#onHello(socket);
    };
    // A client that never completes its ClientHello is closed like a handshake that never finishes.
    const timer = setTimeout(() => {
      stopWaiting();
      turnAway(socket);
      this.#options.onRefused('handshake_timeout');
    }, this.#options.handshakeTimeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.once('close', stopWaiting);
    socket.resume();
  }

  /** A connection whose ClientHello is in: a slot now, or the queue. */
  #onHello(socket: Socket): void {
    if (this.#isClosed || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (this.#pending.size < this.#options.maxPending && this.#queue.length === 0) {
      this.#admit(socket);
      return;
    }
    const queued: Queued = {
      socket,
      timer: setTimeout(() => {
        const at = this.#queue.indexOf(queued);
        if (at < 0) return;
        this.#queue.splice(at, 1);
        turnAway(socket);
        this.#options.onRefused('queue_timeout');
      }, this.#options.maxQueueWaitMs ?? this.#options.handshakeTimeoutMs),
    };
    queued.timer.unref();
    this.#queue.push(queued);
  }

  /** Hands a connection to the TLS server, which starts its handshake. */
  #admit(socket: Socket): void {
    socket.off('error', ignore);
    if (socket.destroyed) return;
    this.#track(socket);
    this.#tlsServer?.emit('connection', socket);
  }

  /** A slot freed: admit the longest-waiting connections. */
  #admitQueued(): void {
    while (this.#pending.size < this.#options.maxPending && !this.#isClosed) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      clearTimeout(next.timer);
      this.#admit(next.socket);
    }
  }

  /** Times a connection's handshake and holds its slot until the handshake (or upgrade) is done. */
  #track(socket: Socket): void {
    const key = keyOf(socket);
    if (key === undefined) return; // already gone
    const entry: Pending = {
      socket,
      timer: this.#timeout(key, socket, this.#options.handshakeTimeoutMs, 'handshake_timeout'),
    };
    this.#pending.set(key, entry);
    socket.once('close', () => {
      if (this.#pending.get(key) !== entry) return;
      clearTimeout(entry.timer);
      this.#release(key);
    });
  }

  #release(key: string): void {
    this.#pending.delete(key);
    if (this.#queue.length > 0) this.#admitQueued();
  }

  #onSecure(socket: TLSSocket): void {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.#pending.get(key);
    if (key === undefined || entry === undefined) return;
    clearTimeout(entry.timer);
    const upgradeTimeoutMs = this.#options.upgradeTimeoutMs;
    if (upgradeTimeoutMs === undefined) {
      this.#release(key);
      return;
    }
    entry.timer = this.#timeout(key, socket, upgradeTimeoutMs, 'upgrade_timeout');
  }

  #timeout(key: string, socket: Socket, ms: number, reason: HandshakeRefusal): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.#pending.has(key)) return;
      this.#release(key);
      // In its handshake, the TLS server reports the close as a client error carrying this error; after
      // it (an upgrade timeout), the HTTP server would answer an error with a 400, so none is given.
      if (reason === 'handshake_timeout') socket.destroy(new GuardCloseError(reason));
      else socket.destroy();
      this.#options.onRefused(reason);
    }, ms);
    timer.unref();
    return timer;
  }
}

/**
 * Closes a connection that was never handed to TLS without a reset: what the client sent is read and
 * dropped, then the socket is ended (a FIN; closing with unread bytes would make the kernel send a RST),
 * and destroyed if the client has not closed its side within a grace period.
 */
function turnAway(socket: Socket): void {
  socket.on('error', ignore);
  socket.on('data', () => undefined);
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), turnAwayGraceMs);
  timer.unref();
  socket.once('close', () => {
    clearTimeout(timer);
  });
}

/** The error a connection the guard closed in its TLS handshake is destroyed with. */
class GuardCloseError extends Error {
  constructor(readonly reason: HandshakeRefusal) {
    super(`closed by the handshake guard: ${reason}`);
    this.name = 'GuardCloseError';
  }
}

/**
 * Whether a TLS server's `tlsClientError` is a connection the guard closed (already counted through
 * `onRefused`), not a handshake that failed.
 */
export function isGuardClose(err: unknown): boolean {
  return err instanceof GuardCloseError;
}

function ignore(): void {
  // An error on a connection that is being turned away or waits unread: its close is what counts.
}

function keyOf(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined
    ? undefined
    : `${remoteAddress}|${String(remotePort)}`;
}
