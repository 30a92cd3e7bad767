/**
 * Time from an API write to the edge's ACK, end to end: a real control plane, the controller as its own
 * process (`edge-controller run`), N simulated edges that joined with the token, M pods per node, then a
 * steady stream of pod changes at a fixed rate. Reports p50/p99/max latency and the controller's memory.
 *
 *   node --import tsx bench/load/downstream-latency.bench.ts [--nodes 100] [--pods-per-node 10] [--rate 20] [--seconds 30] [--change update|create]
 *
 * `--change update` (default) patches existing pods; `--change create` creates new pods, each bound to a
 * random node, so every change is an object's first push to its node: the path that creates the
 * object's record first (issue 13). Writes bench/results/downstream-latency.json (or
 * downstream-latency-create.json).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import type { Message } from '../../src/protocol/index.js';
import { startControllerProcess, waitFor } from '../lib/controller-process.js';
import { createFleet } from '../lib/edge-fleet.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    'pods-per-node': { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    change: { type: 'string', default: 'update' },
  },
});
const change = values.change === 'create' ? 'create' : 'update';
const nodes = Number(values.nodes);
const podsPerNode = Number(values['pods-per-node']);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const ns = 'bench';

const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const controller = await startControllerProcess(cluster.kubeconfigPath);
try {
  const received = new Map<string, number>();
  const fleet = await createFleet({
    admin,
    controller,
    namespace: ns,
    nodes,
    podsPerNode,
    onEdge: (edge) => {
      edge.on('push', (message: Message) => {
        const seq = (message.content as { metadata?: { annotations?: Record<string, string> } } | null)
          ?.metadata?.annotations?.['bench/seq'];
        if (seq !== undefined && !received.has(seq)) received.set(seq, performance.now());
      });
    },
  });
  const edges = [...fleet.edges.values()];
  const nodeNames = [...fleet.edges.keys()];
  const pods = fleet.pods.map((p) => p.pod);
  await waitFor(() => {
    const held = edges.reduce(
      (sum, e) => sum + [...e.store.keys()].filter((k) => k.startsWith(`${ns}/pod/`)).length,
      0,
    );
    if (held < pods.length) throw new Error(`${String(held)}/${String(pods.length)} pods on edges`);
  });

  const sent = new Map<string, number>();
  const changes = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < changes; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    const pod = pods[Math.floor(Math.random() * pods.length)] ?? '';
    const seq = String(i);
    sent.set(seq, performance.now());
    const write =
      change === 'update'
        ? {
            method: 'PATCH' as const,
            path: `/api/v1/namespaces/${ns}/pods/${pod}`,
            contentType: 'application/merge-patch+json',
            body: { metadata: { annotations: { 'bench/seq': seq } } },
          }
        : {
            method: 'POST' as const,
            path: `/api/v1/namespaces/${ns}/pods`,
            body: {
              metadata: { name: `new-${seq}`, annotations: { 'bench/seq': seq } },
              spec: {
                nodeName: nodeNames[Math.floor(Math.random() * nodeNames.length)] ?? '',
                containers: [{ name: 'c', image: 'busybox' }],
              },
            },
          };
    void admin.request(write).catch((err: unknown) => {
      process.stderr.write(`write ${seq} failed: ${String(err)}\n`);
    });
  }
  await waitFor(() => {
    if (received.size < changes)
      throw new Error(`${String(received.size)}/${String(changes)} changes on edges`);
  }, 120_000);
  const latencies = [...sent].map(([seq, t0]) => (received.get(seq) ?? Infinity) - t0).sort((a, b) => a - b);
  const pct = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const status = await readFile(`/proc/${String(controller.process.pid)}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  await report({
    name: change === 'update' ? 'downstream-latency' : 'downstream-latency-create',
    description:
      change === 'update'
        ? 'API pod write -> push received by the simulated edge (which ACKs it at once)'
        : 'API pod create -> first push received by the simulated edge (its record is created first)',
    parameters: { nodes, podsPerNode, changesPerSecond: rate, seconds, change },
    variants: [
      {
        name: 'p50 write -> edge',
        value: pct(0.5),
        unit: 'ms',
        details: { p90: pct(0.9), p99: pct(0.99), max: latencies.at(-1) ?? NaN, changes },
      },
      { name: 'p99 write -> edge', value: pct(0.99), unit: 'ms' },
      {
        name: 'controller RSS',
        value: kb('VmRSS') / 1024,
        unit: 'MiB',
        details: { peakMiB: kb('VmHWM') / 1024 },
      },
    ],
  });
  await fleet.closeAll();
} finally {
  await controller.stop();
  await cluster.stop();
}
