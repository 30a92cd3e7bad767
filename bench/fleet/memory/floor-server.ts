/**
 * The memory floor of an idle edge connection (issue 15 item 4): a bare mutually authenticated TLS
 * WebSocket server, nothing else. The same TLS settings as the hub (hub-server.ts: the CA, the server
 * certificate and key, `requestCert` and `rejectUnauthorized`, TLS ≥ 1.2, KubeEdge's ECDHE-ECDSA suites,
 * the default ECDH curves and session cache) and the same `ws` settings (`perMessageDeflate: false`,
 * `clientTracking: false`, no `maxPayload` change that allocates anything), but no session, queue, cache,
 * metric or timer per connection: each frame is read and dropped. What a connected idle node costs the hub
 * beyond what this costs is ours to cut; what this costs is the price of Node's TLS and `ws`.
 *
 * Run as its own process so that its RSS is its own:
 *
 *   node --import tsx bench/fleet/memory/floor-server.ts --ca ca.pem --cert cert.pem --key key.pem [--port 0]
 *
 * It prints one JSON line `{"msg":"floor listening","port":N}` once bound, then `{"msg":"floor
 * connections","open":N}` every 5 s, and stops on SIGTERM.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

/** TLS material of the floor server, PEM (the hub's own). */
export interface FloorTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A running floor server. */
export interface FloorServer {
  readonly port: number;
  /** WebSocket connections open now. */
  readonly open: () => number;
  close(): Promise<void>;
}

// The hub's TLS 1.2 suites (hub-server.ts); TLS 1.3 ignores the list.
const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

/** Starts the bare server on `host:port` (port 0 picks a free one). */
export async function startFloorServer(tls: FloorTls, host = '127.0.0.1', port = 0): Promise<FloorServer> {
  const server: Server = createServer({
    ca: tls.caPem,
    cert: tls.certPem,
    key: tls.keyPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ciphers: tls12Ciphers,
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  let open = 0;
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    wss.handleUpgrade(req, socket, head, (ws) => {
      open += 1;
      ws.on('message', () => undefined);
      ws.on('error', () => undefined);
      ws.once('close', () => {
        open -= 1;
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    open: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
    },
  });
  if (values.ca === undefined || values.cert === undefined || values.key === undefined)
    throw new Error('floor-server needs --ca, --cert and --key (PEM files)');
  const [caPem, certPem, keyPem] = await Promise.all(
    [values.ca, values.cert, values.key].map((p) => readFile(p, 'utf8')),
  );
  const floor = await startFloorServer(
    { caPem: caPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' },
    values.host,
    Number(values.port),
  );
  process.stdout.write(JSON.stringify({ msg: 'floor listening', port: floor.port }) + '\n');
  const tick = setInterval(() => {
    process.stdout.write(JSON.stringify({ msg: 'floor connections', open: floor.open() }) + '\n');
  }, 5_000);
  process.once('SIGTERM', () => {
    clearInterval(tick);
    void floor.close().then(() => process.exit(0));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
