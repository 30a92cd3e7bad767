/**
 * A loopback TCP balancer, the test's stand-in for the Service in front of the replicas: each new
 * connection goes to the next backend in round-robin order; bytes pass untouched (TLS ends at the
 * replica, which is why every replica serves the one shared server certificate). Removing a backend
 * sends no new connection there; the connections it carries end when its process does, as they would
 * behind a real Service.
 * @module
 */
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** See the module header. */
export class Balancer {
  readonly #server: Server;
  #backends: number[] = [];
  #next = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on a free loopback port. */
  static async start(): Promise<Balancer> {
    const server = createServer();
    const balancer = new Balancer(server);
    server.on('connection', (client) => {
      balancer.#route(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return balancer;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${String(this.port)}`;
  }

  /** The backend ports new connections go to, in turn. */
  setBackends(ports: readonly number[]): void {
    this.#backends = [...ports];
  }

  get backends(): readonly number[] {
    return this.#backends;
  }

  #route(client: Socket): void {
    const ports = this.#backends;
    if (ports.length === 0) {
      client.destroy();
      return;
    }
    const port = ports[this.#next++ % ports.length] ?? 0;
    const upstream = connect({ host: '127.0.0.1', port });
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}
