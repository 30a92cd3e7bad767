/**
 * A reconnect storm against the hub alone (hub-process.ts, its own process): N edges, each with its own
 * client certificate, dial the WebSocket port at once, as a fleet does 30 s after it lost its CloudCore
 * (EdgeCore's fixed redial wait, no jitter). The client is independent of src/sim: `ws` over node:tls,
 * with every identity and TLS context made before the clock starts. A failed dial is retried as EdgeCore
 * v1.23.1 does: up to 5 tries 5 s apart, then 30 s before the next 5. Counts each failure by kind: a
 * reset (`read ECONNRESET`: the kernel answered a socket closed with its ClientHello unread), a close
 * (the hub turned the connection away gracefully), or anything else (a timeout).
 *
 *   node --import tsx bench/hub/connect-burst.bench.ts [--edges 2000] [--max-pending N] [--label L] \
 *     [--name hub-connect-burst]
 *
 * Writes bench/results/<name>.json: edges per second (N over the time until the last one was connected),
 * failures by kind, and the hub's own counts. To measure the code before a change, copy bench/hub/ into
 * a worktree of that commit and run it there.
 *
 * Measured 2026-12-07, 2,000 edges, one sitting on two cores at load 9-10 (bench/results/hub-connect-burst-*):
 * before (d00c8e0: more than `maxPendingHandshakes` closed at accept), 1,000 slots: 1,193 resets, all in
 * 26.5 s (a second run: 0 resets, 21.7 s: whether 1,000 are pending at once depends on how fast the
 * client gets its ClientHellos out); 256 slots: 3,141 closed at accept (a FIN or a RST depending on whether
 * the ClientHello had arrived; a FIN that run), 30.9 s. After (the guard's queue): 256 slots 0 failures,
 * 21.2 and 23.0 s; 1,000 slots 0 failures, 18.8 s. At 2,000 the time until all are in is within the noise
 * of a loaded machine; what goes is every refusal, each costing its edge a 5 s retry (and at 10,000, the
 * 9,000 over the old limit would all have been refused).
 * @module
 */
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import WebSocket from 'ws';
import {
  createCertificateAuthority,
  createEdgeCsr,
  signEdgeCertificate,
  signServerCertificate,
} from '../../src/certs/index.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    edges: { type: 'string', default: '2000' },
    'max-pending': { type: 'string' },
    label: { type: 'string', default: 'this commit' },
    name: { type: 'string', default: 'hub-connect-burst' },
  },
});
const edges = Number(values.edges);
const projectId = 'e632aba927ea4ac2b575ec1603d56f10';

const now = new Date();
const ca = await createCertificateAuthority({ now });
const serverCert = await signServerCertificate({ ca, now, advertiseAddress: ['127.0.0.1'] });
const tlsDir = await mkdtemp(join(tmpdir(), 'hub-burst-'));
await writeFile(join(tlsDir, 'ca.pem'), ca.certPem);
await writeFile(join(tlsDir, 'cert.pem'), serverCert.certPem);
await writeFile(join(tlsDir, 'key.pem'), serverCert.keyPem);

const hubTs = fileURLToPath(new URL('./hub-process.ts', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    hubTs,
    `--tls-dir=${tlsDir}`,
    ...(values['max-pending'] !== undefined ? [`--max-pending=${values['max-pending']}`] : []),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const started = JSON.parse(String((await lines.next()).value)) as { port: number };

// One key for every edge (the hub checks each certificate's name, not the keys' uniqueness).
const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
  'sign',
  'verify',
]);
const identities: { nodeName: string; context: SecureContext }[] = [];
for (let i = 0; i < edges; i++) {
  const nodeName = `storm-${String(i)}`;
  const csr = await createEdgeCsr({ nodeName, keys });
  const cert = await signEdgeCertificate(ca, new x509.Pkcs10CertificateRequest(csr.csrDer), {
    now,
    validityDays: 1,
  });
  identities.push({
    nodeName,
    context: createSecureContext({ ca: ca.certPem, cert: cert.toString('pem'), key: csr.keyPem }),
  });
}

type Failure = 'reset' | 'closed' | 'other';
const failures: Record<Failure, number> = { reset: 0, closed: 0, other: 0 };
const details: Record<string, number> = {};
const sockets: WebSocket[] = [];
const connectMs: number[] = [];

function dial(identity: { nodeName: string; context: SecureContext }): Promise<Failure | undefined> {
  return new Promise((resolve) => {
    // ws hands its options on to tls.connect, secureContext included (its types do not list it).
    const options: WebSocket.ClientOptions & { secureContext: SecureContext } = {
      secureContext: identity.context,
      headers: { node_id: identity.nodeName, project_id: projectId, ConnectionUse: 'msg' },
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
    };
    const ws = new WebSocket(
      `wss://127.0.0.1:${String(started.port)}/${projectId}/${identity.nodeName}/events`,
      options,
    );
    let settled = false;
    const settle = (failure: Failure | undefined, detail?: string): void => {
      if (settled) return;
      settled = true;
      if (detail !== undefined) details[detail] = (details[detail] ?? 0) + 1;
      resolve(failure);
    };
    ws.once('open', () => {
      sockets.push(ws);
      settle(undefined);
    });
    ws.once('unexpected-response', (_req, res) => {
      settle('closed', `HTTP ${String(res.statusCode)}`);
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      const detail = `${err.code ?? ''} ${err.syscall ?? ''} ${err.message}`;
      if ((err.code === 'ECONNRESET' || err.code === 'EPIPE') && err.syscall !== undefined)
        settle('reset', detail);
      else if (err.code === 'ECONNRESET') settle('closed', detail);
      else settle('other', detail);
    });
    ws.once('close', () => {
      settle('closed', 'closed before open');
    });
  });
}

/** One edge: dials until connected, 5 tries 5 s apart, then 30 s, as EdgeCore. */
async function edge(identity: { nodeName: string; context: SecureContext }): Promise<void> {
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    const failure = await dial(identity);
    if (failure === undefined) {
      connectMs.push(performance.now() - t0);
      return;
    }
    failures[failure] += 1;
    await delay(attempt % 5 === 4 ? 30_000 : 5_000);
  }
}

const t0 = performance.now();
await Promise.all(identities.map((identity) => edge(identity)));
const seconds = (performance.now() - t0) / 1000;
child.kill('SIGTERM');
const hub = JSON.parse(String((await lines.next()).value)) as { counts: Record<string, number> };
for (const ws of sockets) ws.terminate();
await rm(tlsDir, { recursive: true, force: true });
connectMs.sort((a, b) => a - b);
const percentile = (p: number): number =>
  connectMs[Math.min(connectMs.length - 1, Math.floor(connectMs.length * p))] ?? NaN;

await report({
  name: values.name,
  description: `${String(edges)} edges (mTLS WebSocket, a certificate each) dialling the hub at once, retrying as EdgeCore (5 tries 5 s apart, then 30 s): edges/s until all were connected, and failures by kind`,
  parameters: { edges, maxPending: values['max-pending'] ?? 'default', code: values.label },
  variants: [
    {
      name: values.label,
      value: edges / seconds,
      unit: 'edges/s',
      details: {
        seconds: Number(seconds.toFixed(1)),
        resets: failures.reset,
        closes: failures.closed,
        otherFailures: failures.other,
        failuresByDetail: JSON.stringify(details),
        connectP50Ms: Math.round(percentile(0.5)),
        connectP99Ms: Math.round(percentile(0.99)),
        hub: JSON.stringify(hub.counts),
      },
    },
  ],
});
process.exit(0);
