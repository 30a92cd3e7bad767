/**
 * Connection hygiene for the two TLS ports (the hub's WebSocket port and the certificate server), issue
 * 12 item 5: a connection must finish its TLS handshake within a timeout and, where the server says so,
 * have its first request (the WebSocket upgrade) handled within another; at most `maxPending` connections
 * may be in either phase at once, and more are closed at accept. Without it, 2,200 idle handshakes held
 * the hub port for about 120 s (Node's default `handshakeTimeout`) with no bound on how many.
 *
 * Shell: it owns timers and sockets. Used by the certificate server and by the hub (hub → certs is an
 * allowed dependency; certs must not import hub).
 * @module
 */
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/** Why a connection was closed by the guard. */
export type HandshakeRefusal = 'handshake_timeout' | 'upgrade_timeout' | 'too_many_pending';

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
  /** Called once per connection the guard closed. Must not throw. */
  readonly onRefused: (reason: HandshakeRefusal) => void;
}

interface Pending {
  readonly socket: Socket;
  timer: NodeJS.Timeout;
}

/**
 * One guard per server. Connections are matched between the raw socket (`connection`) and the TLS socket
 * (`secureConnection`) by their remote address and port, which are unique among a listener's open
 * connections (Node gives no public link from one to the other).
 */
export class HandshakeGuard {
  readonly #options: HandshakeGuardOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: HandshakeGuardOptions) {
    this.#options = options;
  }

  /** Starts guarding `server`'s connections. Call before `listen`. */
  attach(server: TlsServer): void {
    server.on('connection', (socket: Socket) => {
      this.#onConnection(socket);
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      this.#onSecure(socket);
    });
  }

  /** The connection's first request was handled (upgraded, answered or refused): stop timing it. */
  settle(socket: Socket): void {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.#pending.get(key);
    if (key === undefined || entry === undefined) return;
    clearTimeout(entry.timer);
    this.#pending.delete(key);
  }

  /** Connections in their handshake or upgrade now. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Stops every timer (the server is closing; its own close destroys the sockets). */
  close(): void {
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
    this.#pending.clear();
  }

  #onConnection(socket: Socket): void {
    const key = keyOf(socket);
    if (key === undefined) return; // already gone
    if (this.#pending.size >= this.#options.maxPending) {
      socket.destroy();
      this.#options.onRefused('too_many_pending');
      return;
    }
    const entry: Pending = {
      socket,
      timer: this.#timeout(key, socket, this.#options.handshakeTimeoutMs, 'handshake_timeout'),
    };
    this.#pending.set(key, entry);
    socket.once('close', () => {
      if (this.#pending.get(key) !== entry) return;
      clearTimeout(entry.timer);
      this.#pending.delete(key);
    });
  }

  #onSecure(socket: TLSSocket): void {
    const key = keyOf(socket);
    const entry = key === undefined ? undefined : this.#pending.get(key);
    if (key === undefined || entry === undefined) return;
    clearTimeout(entry.timer);
    const upgradeTimeoutMs = this.#options.upgradeTimeoutMs;
    if (upgradeTimeoutMs === undefined) {
      this.#pending.delete(key);
      return;
    }
    entry.timer = this.#timeout(key, socket, upgradeTimeoutMs, 'upgrade_timeout');
  }

  #timeout(key: string, socket: Socket, ms: number, reason: HandshakeRefusal): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.#pending.has(key)) return;
      this.#pending.delete(key);
      socket.destroy();
      this.#options.onRefused(reason);
    }, ms);
    timer.unref();
    return timer;
  }
}

function keyOf(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined
    ? undefined
    : `${remoteAddress}|${String(remotePort)}`;
}
