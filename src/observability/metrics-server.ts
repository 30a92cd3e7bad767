/**
 * Serves `/metrics` (Prometheus text format), `/healthz`, `/readyz` (503 with the reasons while not
 * ready) and `/nodes` (per-node state for `edge-controller nodes`) on a loopback address by default.
 * It is the first thing `run` starts and the last it stops: `/healthz` (liveness) answers from the first
 * moment, and `/readyz` says what the start is waiting for (the API server, the caches, a listener).
 * @module
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { EdgeControllerError } from '../errors/index.js';

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

/**
 * The metrics endpoint. `start()` resolves with the bound address once listening, or throws
 * `EC_RUN_LISTEN_FAILED` naming the address. `/healthz` is 200 whenever the process can answer at all:
 * liveness must not depend on the API server, or an API outage would restart every replica in a loop.
 */
export class MetricsServer {
  readonly #options: Required<Omit<MetricsServerOptions, 'readiness' | 'nodes'>> &
    Pick<MetricsServerOptions, 'readiness' | 'nodes'>;
  #server: Server | undefined;

  constructor(options: MetricsServerOptions) {
    this.#options = { host: '127.0.0.1', port: 9091, ...options };
  }

  /** Listens; aborting `signal` stops the server as {@link stop} does. */
  async start(signal: AbortSignal): Promise<AddressInfo> {
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
    const { host, port } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new EdgeControllerError(
            'EC_RUN_LISTEN_FAILED',
            `the health and metrics endpoint cannot listen on ${host}:${String(port)}: ${err.message}`,
            { cause: err },
          ),
        );
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    signal.addEventListener(
      'abort',
      () => {
        void this.stop();
      },
      { once: true },
    );
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
