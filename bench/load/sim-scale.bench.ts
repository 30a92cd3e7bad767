/**
 * How many simulated EdgeCores one process holds and how fast they come up: a real control plane, the
 * controller as its own process (`edge-controller run`), then the Simulator in this process joining,
 * connecting and registering N nodes at a ramp rate. Reports the connect rate (nodes/s from start to all
 * connected), the time until all registered, the simulator's RSS per idle node ((RSS after all registered
 * and idle − RSS before) / N) and the controller's RSS.
 *
 *   node --expose-gc --import tsx bench/load/sim-scale.bench.ts [--nodes 1000] [--ramp 200] \
 *     [--lease-period-seconds 60] [--idle-seconds 10] [--timeout-seconds 600]
 *
 * The lease period defaults to 60 s, not the kubelet's 10 s: 1,000 nodes renewing every 10 s would be
 * 100 API writes/s into an API server sharing this machine's two cores with the controller and the
 * simulator, and the bench would measure that instead. Writes bench/results/sim-scale.json (1,000 nodes)
 * or sim-scale-<N>.json.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import { Simulator } from '../../src/sim/index.js';
import { readJoinToken, startControllerProcess } from '../lib/controller-process.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    ramp: { type: 'string', default: '200' },
    'lease-period-seconds': { type: 'string', default: '60' },
    'status-period-seconds': { type: 'string', default: '120' },
    'idle-seconds': { type: 'string', default: '10' },
    'timeout-seconds': { type: 'string', default: '600' },
  },
});
const nodes = Number(values.nodes);
const ramp = Number(values.ramp);
const leasePeriodSeconds = Number(values['lease-period-seconds']);
const statusPeriodSeconds = Number(values['status-period-seconds']);
const idleSeconds = Number(values['idle-seconds']);
const timeoutMs = Number(values['timeout-seconds']) * 1000;
const gc = (globalThis as { gc?: () => void }).gc;

const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const controller = await startControllerProcess(cluster.kubeconfigPath);
let sim: Simulator | undefined;
try {
  const { ports } = controller;
  const token = await readJoinToken(admin);

  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const failureSamples: string[] = [];
  sim = new Simulator({
    nodes,
    prefix: 'bench-sim',
    server: `127.0.0.1:${String(ports.hub)}`,
    httpServer: `https://127.0.0.1:${String(ports.https)}`,
    token,
    rampNodesPerSecond: ramp,
    leasePeriodMs: leasePeriodSeconds * 1000,
    statusPeriodMs: statusPeriodSeconds * 1000,
    onFailure: (node, err) => {
      if (failureSamples.length < 5) failureSamples.push(`${node}: ${err.message}`);
    },
  });
  const t0 = performance.now();
  const running = sim;
  const progress = setInterval(() => {
    const c = running.counts();
    process.stderr.write(
      `  t=${((performance.now() - t0) / 1000).toFixed(0)}s connected=${String(c.connected)} ` +
        `registered=${String(c.registered)} failures=${String(c.failures)}\n`,
    );
  }, 5_000);
  const starting = sim.start();
  await sim.waitFor((c) => c.connected === nodes, { timeoutMs, intervalMs: 20 });
  const connectedMs = performance.now() - t0;
  await sim.waitFor((c) => c.registered === nodes, { timeoutMs, intervalMs: 20 });
  const registeredMs = performance.now() - t0;
  await starting;
  clearInterval(progress);
  await delay(idleSeconds * 1000);
  gc?.();
  const memory = process.memoryUsage();
  const counts = sim.counts();
  const status = await readFile(`/proc/${String(controller.process.pid)}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  await report({
    // The default run keeps the plain name; other sizes get their own file so both stay on record.
    name: nodes === 1000 ? 'sim-scale' : `sim-scale-${String(nodes)}`,
    description: 'N simulated EdgeCores in one process against the controller (separate process)',
    parameters: {
      nodes,
      rampNodesPerSecond: ramp,
      leasePeriodSeconds,
      statusPeriodSeconds,
      keepaliveSeconds: 15,
      idleSeconds,
      gcBeforeMeasuring: gc !== undefined,
    },
    variants: [
      {
        name: 'connect rate',
        value: nodes / (connectedMs / 1000),
        unit: 'nodes/s',
        details: { allConnectedMs: Math.round(connectedMs), failures: counts.failures },
      },
      { name: 'all registered after', value: registeredMs / 1000, unit: 's' },
      {
        name: 'simulator RSS per idle node',
        value: (memory.rss - rssBefore) / nodes / 1024,
        unit: 'KiB',
        details: {
          heapPerNodeKiB: Math.round(((memory.heapUsed - heapBefore) / nodes / 1024) * 10) / 10,
          rssMiB: Math.round(memory.rss / 1048576),
        },
      },
      {
        name: 'controller RSS',
        value: kb('VmRSS') / 1024,
        unit: 'MiB',
        details: { peakMiB: kb('VmHWM') / 1024, perNodeKiB: Math.round(kb('VmRSS') / nodes) },
      },
    ],
  });
  if (failureSamples.length > 0) process.stderr.write(`failure samples:\n  ${failureSamples.join('\n  ')}\n`);
} finally {
  await sim?.stop();
  await controller.stop();
  await cluster.stop();
}
