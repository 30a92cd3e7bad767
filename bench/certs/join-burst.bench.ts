/**
 * Joins against the certificate server alone (cert-server-process.ts, its own process): N edges each
 * fetch `/ca.crt` (verification off, as an edge does), check it against the token's hash and ask
 * `/edge.crt` with a CSR and the token, each request on a connection of its own, as N EdgeCores booting
 * at once. The client is independent of src/sim: plain node:net, node:tls and node:https, with CSRs made
 * before the clock starts (a real edge makes its key on its own CPU). A 503 is retried after its
 * Retry-After (stretched by up to half at random); a network error (a reset, a close, a timeout) is
 * counted as a failure and the join is retried after 1-2 s, as a restarted EdgeCore would.
 *
 *   node --import tsx bench/certs/join-burst.bench.ts [--joins 1000] [--shape burst|ramp] [--rate 100] \
 *     [--link-delay-ms 0] [--busy-ms 0] [--name join-burst]
 *
 * `--shape burst` starts every join at once; `ramp` starts `--rate` per second. `--link-delay-ms` delays
 * every byte each way (an edge's link; 0 is loopback). `--busy-ms N` keeps the server's event loop busy N
 * ms in every 100 (a controller also serving its hub and informers). Writes bench/results/<name>.json:
 * joins per second (N over the time until the last node had its certificate), failures (network errors,
 * per attempt), 503s, and the server's own counts.
 *
 * To measure the code before a change, copy bench/certs/ into a worktree of that commit and run it there.
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEdgeCsr } from '../../src/certs/index.js';
import { report } from '../lib/runner.js';
import { delayedConnection } from '../../test/support/delayed-link.js';

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: '1000' },
    shape: { type: 'string', default: 'burst' },
    rate: { type: 'string', default: '100' },
    'link-delay-ms': { type: 'string', default: '0' },
    'busy-ms': { type: 'string', default: '0' },
    label: { type: 'string', default: 'this commit' },
    name: { type: 'string', default: 'join-burst' },
  },
});
const joins = Number(values.joins);
const shape = values.shape === 'ramp' ? 'ramp' : 'burst';
const rate = Number(values.rate);
const linkDelayMs = Number(values['link-delay-ms']);
const busyMs = Number(values['busy-ms']);

/** What one request came to. */
type Outcome =
  | { readonly kind: 'reply'; readonly status: number; readonly body: Buffer; readonly retryAfter: number }
  | { readonly kind: 'error'; readonly code: string };

const serverTs = fileURLToPath(new URL('./cert-server-process.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', serverTs, `--busy-ms=${String(busyMs)}`], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const started = JSON.parse(String((await lines.next()).value)) as { port: number; token: string };
const [caHash = '', ...jwtParts] = started.token.split('.');
const bearer = `Bearer ${jwtParts.join('.')}`;

/** One GET on a TLS connection of its own; `caPem` undefined: no verification (as the edge's /ca.crt). */
function get(path: string, caPem: string | undefined, headers: Record<string, string>, body?: Uint8Array) {
  return new Promise<Outcome>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        method: 'GET',
        path,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(body.byteLength) } : {}) },
        timeout: 30_000,
        createConnection: () =>
          tlsConnect({
            socket: delayedConnection(started.port, linkDelayMs),
            host: '127.0.0.1',
            ...(caPem === undefined ? { rejectUnauthorized: false } : { ca: caPem }),
          }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            kind: 'reply',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            retryAfter: Number(res.headers['retry-after'] ?? 'NaN'),
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          resolve({ kind: 'error', code: err.code ?? err.message });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      resolve({ kind: 'error', code: err.code ?? err.message });
    });
    req.end(body);
  });
}

const failures: Record<string, number> = {};
let busyReplies = 0;
let otherReplies = 0;
const joinMs: number[] = [];

/** One edge's join, retried until it has its certificate (or 50 attempts). */
async function join(nodeName: string, csrDer: Uint8Array): Promise<boolean> {
  const t0 = performance.now();
  for (let attempt = 0; attempt < 50; attempt++) {
    const ca = await get('/ca.crt', undefined, {});
    let outcome: Outcome = ca;
    if (ca.kind === 'reply' && ca.status === 200) {
      if (createHash('sha256').update(ca.body).digest('hex') !== caHash) throw new Error('CA hash mismatch');
      const base64 = ca.body.toString('base64').replace(/.{64}/g, '$&\n');
      const caPem = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
      outcome = await get('/edge.crt', caPem, { authorization: bearer, nodename: nodeName }, csrDer);
      if (outcome.kind === 'reply' && outcome.status === 200) {
        joinMs.push(performance.now() - t0);
        return true;
      }
    }
    if (outcome.kind === 'error') {
      failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
      await delay(1000 + Math.random() * 1000);
    } else if (outcome.status === 503 && Number.isFinite(outcome.retryAfter)) {
      busyReplies += 1;
      await delay(outcome.retryAfter * 1000 * (1 + Math.random() / 2));
    } else {
      otherReplies += 1;
      await delay(1000 + Math.random() * 1000);
    }
  }
  return false;
}

const csrs = await Promise.all(
  Array.from(
    { length: joins },
    async (_, i) => (await createEdgeCsr({ nodeName: `join-${String(i)}` })).csrDer,
  ),
);
const t0 = performance.now();
const runs: Promise<boolean>[] = [];
for (const [i, csr] of csrs.entries()) {
  if (shape === 'ramp') {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait >= 1) await delay(wait);
  }
  runs.push(join(`join-${String(i)}`, csr));
}
const joined = (await Promise.all(runs)).filter(Boolean).length;
const seconds = (performance.now() - t0) / 1000;
child.kill('SIGTERM');
const server = JSON.parse(String((await lines.next()).value)) as { counts: Record<string, number> };
joinMs.sort((a, b) => a - b);
const percentile = (p: number): number =>
  joinMs[Math.min(joinMs.length - 1, Math.floor(joinMs.length * p))] ?? NaN;
const failureCount = Object.values(failures).reduce((a, b) => a + b, 0);

await report({
  name: values.name,
  description: `${String(joins)} joins (/ca.crt then /edge.crt, a connection per request), ${
    shape === 'burst' ? 'all at once' : `${String(rate)}/s`
  }, link delay ${String(linkDelayMs)} ms each way, server loop busy ${String(busyMs)} ms per 100 ms: joins/s until all had certificates, and network failures`,
  parameters: { joins, shape, rate, linkDelayMs, busyMs, code: values.label },
  variants: [
    {
      name: values.label,
      value: joined / seconds,
      unit: 'joins/s',
      details: {
        joined,
        seconds: Number(seconds.toFixed(1)),
        failures: failureCount,
        failuresByCode: JSON.stringify(failures),
        busy503: busyReplies,
        otherReplies,
        joinP50Ms: Math.round(percentile(0.5)),
        joinP99Ms: Math.round(percentile(0.99)),
        server: JSON.stringify(server.counts),
      },
    },
  ],
});
