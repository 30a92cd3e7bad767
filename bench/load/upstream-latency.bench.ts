/**
 * Edge status → visible in the API, end to end: a real control plane, the controller as its own process,
 * N simulated edges that joined with the token and M pods per node; each edge reports pod status with
 * `podpatch` at a fixed total rate, and a watch in this process sees each status land. Then one node
 * floods `--flood` (default 1,000) pod statuses while another renews its lease: the lease's reply time is measured during the
 * flood (status writes share a lane, but each node gets its turn).
 *
 *   node --import tsx bench/load/upstream-latency.bench.ts [--nodes 100] [--pods-per-node 10] [--rate 20] [--seconds 30]
 *
 * Writes bench/results/upstream-latency.json.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Informer, KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import { newMessageId } from '../../src/protocol/index.js';
import type { Message, MessageId } from '../../src/protocol/index.js';
import { startControllerProcess, waitFor } from '../lib/controller-process.js';
import { createFleet } from '../lib/edge-fleet.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    'pods-per-node': { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    flood: { type: 'string', default: '1000' },
  },
});
const nodes = Number(values.nodes);
const podsPerNode = Number(values['pods-per-node']);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const flood = Number(values.flood);
const ns = 'bench';

function id(): MessageId {
  return newMessageId();
}

function request(operation: string, resource: string, content: unknown): Message {
  return {
    header: { msg_id: id(), timestamp: Date.now() },
    route: { source: 'edged', group: 'meta', operation, resource },
    content,
  };
}

const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const controller = await startControllerProcess(cluster.kubeconfigPath);
const abort = new AbortController();
try {
  const fleet = await createFleet({ admin, controller, namespace: ns, nodes, podsPerNode });
  const { edges, pods } = fleet;
  const names = [...edges.keys()];
  // A watch of our own sees each status land in the API.
  const seen = new Map<string, number>();
  const watch = new Informer<KubeObject & { status?: { message?: string } }>({
    client: admin,
    path: `/api/v1/namespaces/${ns}/pods`,
    name: 'bench-pods',
  });
  watch.onEvent((e) => {
    const message = e.type === 'delete' ? undefined : e.object.status?.message;
    if (message?.startsWith('seq-') === true && !seen.has(message)) seen.set(message, performance.now());
  });
  watch.start(abort.signal);
  await watch.whenSynced();

  const sent = new Map<string, number>();
  const reports = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < reports; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    const target = pods[Math.floor(Math.random() * pods.length)];
    if (target === undefined) continue;
    const seq = `seq-${String(i)}`;
    sent.set(seq, performance.now());
    edges
      .get(target.node)
      ?.send(request('patch', `${ns}/podpatch/${target.pod}`, JSON.stringify({ status: { message: seq } })));
  }
  await waitFor(() => {
    if (seen.size < reports) throw new Error(`${String(seen.size)}/${String(reports)} statuses visible`);
  }, 120_000);
  const latencies = [...sent].map(([seq, t0]) => (seen.get(seq) ?? Infinity) - t0).sort((a, b) => a - b);
  const pct = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;

  // The flood: node 0 sends `flood` pod statuses at once; node 1 renews its lease in the middle of it.
  const [flooder, other] = names;
  const floodEdge = edges.get(flooder ?? '');
  const leaseEdge = edges.get(other ?? '');
  if (floodEdge === undefined || leaseEdge === undefined || other === undefined)
    throw new Error('need 2 nodes');
  const renewTime = (): string => new Date().toISOString().replace('Z', '000Z');
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: other, namespace: 'kube-node-lease' },
    spec: { holderIdentity: other, leaseDurationSeconds: 40, renewTime: renewTime() },
  };
  await leaseEdge.request(request('insert', `kube-node-lease/lease/${other}`, lease));
  const floodReplies: Promise<Message>[] = [];
  const floodStart = performance.now();
  for (let i = 0; i < flood; i++) {
    const target = pods[i % podsPerNode];
    floodReplies.push(
      floodEdge.request(
        request(
          'patch',
          `${ns}/podpatch/${target?.pod ?? ''}`,
          JSON.stringify({ status: { message: `flood-${String(i)}` } }),
        ),
        120_000,
      ),
    );
  }
  const leaseSent = performance.now();
  await leaseEdge.request(
    request('update', `kube-node-lease/lease/${other}`, {
      ...lease,
      spec: { ...lease.spec, renewTime: renewTime() },
    }),
    120_000,
  );
  const leaseMs = performance.now() - leaseSent;
  await Promise.all(floodReplies);
  const floodMs = performance.now() - floodStart;

  await report({
    name: 'upstream-latency',
    description: `edge podpatch -> status visible in an API watch; and a lease renewal during a ${String(flood)}-status flood from another node`,
    parameters: { nodes, podsPerNode, statusesPerSecond: rate, seconds, flood },
    variants: [
      {
        name: 'p50 podpatch -> API watch',
        value: pct(0.5),
        unit: 'ms',
        details: { p90: pct(0.9), p99: pct(0.99), max: latencies.at(-1) ?? NaN, reports },
      },
      { name: 'p99 podpatch -> API watch', value: pct(0.99), unit: 'ms' },
      { name: 'lease reply during flood', value: leaseMs, unit: 'ms', details: { floodDrainMs: floodMs } },
      { name: `flood of ${String(flood)} drained`, value: floodMs, unit: 'ms' },
    ],
  });
  await fleet.closeAll();
} finally {
  abort.abort();
  await controller.stop();
  await cluster.stop();
}
