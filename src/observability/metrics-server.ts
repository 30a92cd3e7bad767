/**
 * Serves `/metrics` (Prometheus text format), `/healthz`, `/readyz` (503 with the reasons while not
 * ready) and `/nodes` (per-node state for `edge-controller nodes`) on a loopback address by default.
 * @module
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What `/readyz` reports: ready, or the reasons it is not. */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** Options of {@link MetricsServer}. */
export interface MetricsServerOptions {
  readonly registry: Registry;
  /** Answers `/readyz`; default: always ready. */
  readonly readiness?: () => Readiness;
  /** Answers `/nodes` (per-node state as JSON; metrics carry no per-node labels). Default: none. */
  readonly nodes?: () => unknown;
  /** Listen address; default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port; default 9091 (KubeEdge's monitor port). 0 picks a free one. */
  readonly port?: number;
}

/** The metrics endpoint. `start()` resolves with the bound address once listening. */
export class MetricsServer {
  readonly #options: Required<Omit<MetricsServerOptions, 'readiness' | 'nodes'>> &
    Pick<MetricsServerOptions, 'readiness' | 'nodes'>;
  #server: Server | undefined;

  constructor(options: MetricsServerOptions) {
    this.#options = { host: '127.0.0.1', port: 9091, ...options };
  }

  async start(): Promise<AddressInfo> {
    const registry = this.#options.registry;
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType }).end(text);
          },
          (err: unknown) => {
            res.writeHead(500).end(String(err));
          },
        );
      } else if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else if (req.method === 'GET' && req.url === '/readyz') {
        const readiness = this.#options.readiness?.() ?? { ready: true, reasons: [] };
        res
          .writeHead(readiness.ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(readiness.ready ? 'ok' : readiness.reasons.join('\n'));
      } else if (req.method === 'GET' && req.url === '/nodes' && this.#options.nodes !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.#options.nodes()));
      } else {
        res.writeHead(404).end();
      }
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }
}
