/**
 * The certificate server alone, as its own process, for the join-burst bench (join-burst.bench.ts): a
 * fresh CA and server certificate for 127.0.0.1, a join token, and {@link CertServer} on 127.0.0.1
 * (port 0), with every outcome counted. Its own process so that the clients' CPU (key generation, CSRs)
 * is not charged to the server's event loop, as with a real controller and real edges.
 *
 *   node --import tsx bench/certs/cert-server-process.ts [--busy-ms 0] [--max-pending N]
 *
 * `--busy-ms N` blocks the event loop for N ms out of every 100 ms: a controller also busy with its hub,
 * informers and API writes, as in a fleet run. `--max-pending` sets `maxPendingHandshakes`. Prints one
 * JSON line `{"msg":"listening","port":N,"token":"..."}` once bound; on SIGTERM prints
 * `{"msg":"counts",...}` and exits: issuances by result and reason, handshakes refused by reason, and
 * each log line by message (and error code), which shows what the server saw and never counted, such as
 * TLS handshakes that failed (logged at debug). Also its CPU time.
 * @module
 */
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import {
  CertServer,
  createCertificateAuthority,
  createJoinToken,
  signServerCertificate,
} from '../../src/certs/index.js';

const { values } = parseArgs({
  options: {
    'busy-ms': { type: 'string', default: '0' },
    'max-pending': { type: 'string' },
  },
});
const busyMs = Number(values['busy-ms']);

const now = new Date();
const ca = await createCertificateAuthority({ now });
const serverCert = await signServerCertificate({ ca, now, advertiseAddress: ['127.0.0.1'] });
const { token } = await createJoinToken(ca, { now });

const counts: Record<string, number> = {};
const count = (key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};
const server = new CertServer({
  ca,
  serverCert,
  address: '127.0.0.1',
  port: 0,
  ...(values['max-pending'] !== undefined ? { maxPendingHandshakes: Number(values['max-pending']) } : {}),
  // Counts each log line by its message (and error code): what the server saw, beside what it counted.
  logger: pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line === '') continue;
          const parsed = JSON.parse(line) as { msg?: string; err?: { code?: string; message?: string } };
          const detail = parsed.err?.code ?? parsed.err?.message;
          count(`log:${parsed.msg ?? ''}${detail !== undefined ? ` (${detail})` : ''}`);
        }
        done();
      },
    }),
  ),
  nodeExists: () => false,
  isNodeConnected: () => false,
  onIssuance: (o) => {
    count(o.result === 'issued' ? 'issued' : `rejected:${o.reason ?? 'unknown'}`);
  },
  onHandshakeRefused: (reason) => {
    count(`handshakeRefused:${reason}`);
  },
});
const stop = new AbortController();
await server.start(stop.signal);

if (busyMs > 0) {
  setInterval(() => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
  }, 100);
}

process.stdout.write(JSON.stringify({ msg: 'listening', port: server.port, token }) + '\n');
process.once('SIGTERM', () => {
  void server.stop().then(() => {
    process.stdout.write(JSON.stringify({ msg: 'counts', counts, cpu: process.cpuUsage() }) + '\n');
    process.exit(0);
  });
});
