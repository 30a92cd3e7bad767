/**
 * The hub alone, as its own process, for the connect-burst bench (connect-burst.bench.ts): {@link Hub}
 * on 127.0.0.1 (port 0) with the TLS material the bench wrote to `--tls-dir` (ca.pem, cert.pem, key.pem),
 * hooks that do nothing (no API server: only the TLS port is measured), and keepalives not enforced for
 * an hour. Its own process so that the clients' TLS work is not charged to the hub's event loop.
 *
 *   node --import tsx bench/hub/hub-process.ts --tls-dir DIR [--max-pending N]
 *
 * Prints one JSON line `{"msg":"listening","port":N}` once bound; on SIGTERM prints
 * `{"msg":"counts",...}` (every `edgecontroller_hub_connects_total` and
 * `edgecontroller_hub_handshakes_refused_total` series, and its CPU time) and exits.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Hub } from '../../src/hub/index.js';
import { createMetrics } from '../../src/observability/index.js';

const { values } = parseArgs({
  options: {
    'tls-dir': { type: 'string' },
    'max-pending': { type: 'string' },
  },
});
const dir = values['tls-dir'];
if (dir === undefined) throw new Error('--tls-dir is required');
const [caPem, certPem, keyPem] = await Promise.all(
  ['ca.pem', 'cert.pem', 'key.pem'].map((file) => readFile(join(dir, file), 'utf8')),
);
const metrics = createMetrics({ collectProcessMetrics: false });
const hub = new Hub({
  tls: { caPem: caPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' },
  hooks: {
    upstream: { handle: () => undefined },
    clusterCaPem: () => '',
  },
  metrics: metrics.hub,
  logger: pino({ enabled: false }),
  options: {
    host: '127.0.0.1',
    port: 0,
    keepaliveTimeoutMs: 3_600_000,
    ...(values['max-pending'] !== undefined ? { maxPendingHandshakes: Number(values['max-pending']) } : {}),
  },
});
const address = await hub.start();
process.stdout.write(JSON.stringify({ msg: 'listening', port: address.port }) + '\n');

process.once('SIGTERM', () => {
  void (async () => {
    const counts: Record<string, number> = {};
    for (const name of ['edgecontroller_hub_connects_total', 'edgecontroller_hub_handshakes_refused_total']) {
      const metric = await metrics.registry.getSingleMetric(name)?.get();
      for (const v of metric?.values ?? [])
        counts[`${name.replace('edgecontroller_hub_', '')}${JSON.stringify(v.labels)}`] = v.value;
    }
    process.stdout.write(JSON.stringify({ msg: 'counts', counts, cpu: process.cpuUsage() }) + '\n');
    process.exit(0);
  })();
});
