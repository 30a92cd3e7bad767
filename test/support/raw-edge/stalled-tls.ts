/**
 * Connections that open TCP to a TLS port and then stall the handshake: `idle` ones send nothing, `slow`
 * ones send a TLS record header announcing a ClientHello and then one byte every `trickleMs`, which
 * never completes it. Each records when it opened and when the server closed it.
 * @module
 */
import { Socket } from 'node:net';

/** One stalled connection. */
export interface StalledConnection {
  readonly mode: 'idle' | 'slow';
  /** `performance.now()` at TCP connect; undefined while the connect is pending (server backlog full). */
  openedAt: number | undefined;
  /** `performance.now()` when the socket closed; undefined while open. */
  closedAt: number | undefined;
  /** Set when the connect itself failed (refused, reset before connect). */
  error: string | undefined;
}

/** A batch of stalled connections. */
export interface StalledBatch {
  readonly connections: readonly StalledConnection[];
  /** Connected and not yet closed. */
  openCount(): number;
  /** Resolves once every connection is connected or failed. */
  readonly allSettled: Promise<void>;
  /** Destroys every socket still open (cleanup). */
  destroy(): void;
}

/** Opens `count` stalled connections to `host:port`, alternating idle and slow. */
export function openStalled(
  host: string,
  port: number,
  count: number,
  options: { readonly trickleMs?: number } = {},
): StalledBatch {
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const connections: StalledConnection[] = [];
  const settled: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    // In steps of 100 every 100 ms, so the server's accept backlog (511 by default) does not overflow:
    // an overflowed connect looks established to the client while the server never saw it.
    const startIn = Math.floor(i / 100) * 100;
    const conn: StalledConnection = {
      mode: i % 2 === 0 ? 'idle' : 'slow',
      openedAt: undefined,
      closedAt: undefined,
      error: undefined,
    };
    connections.push(conn);
    const socket = new Socket();
    sockets.push(socket);
    const connectTimer = setTimeout(() => {
      socket.connect({ host, port });
    }, startIn);
    timers.push(connectTimer);
    settled.push(
      new Promise((resolve) => {
        socket.once('connect', () => {
          conn.openedAt = performance.now();
          resolve();
          if (conn.mode === 'slow') {
            // A TLS handshake record (0x16, TLS 1.0 record version) announcing 512 bytes, then a trickle.
            socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
            const timer = setInterval(() => {
              if (!socket.destroyed) socket.write(Buffer.from([0x01]));
            }, options.trickleMs ?? 1_000);
            timers.push(timer);
            socket.once('close', () => {
              clearInterval(timer);
            });
          }
        });
        socket.once('error', (err) => {
          if (conn.openedAt === undefined) conn.error = err.message;
          resolve();
        });
      }),
    );
    socket.on('data', () => undefined);
    socket.once('close', () => {
      conn.closedAt = performance.now();
    });
  }
  return {
    connections,
    openCount: () => connections.filter((c) => c.openedAt !== undefined && c.closedAt === undefined).length,
    allSettled: Promise.all(settled).then(() => undefined),
    destroy: () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}
