/**
 * Cost of several replicas at fleet size (issue 14 item 7): N simulated edges (default 1,000) spread over
 * 1, 2 and 3 replicas (`edge-controller run` child processes against one control plane; a new replica
 * set per count, the edges joined once and reconnected to each) behind the test's loopback balancer (test/ha/). For each replica count it reports:
 * - memory per replica, split into the replicated part (every replica caches every Node, pod, ConfigMap,
 *   Secret and record: measured with every object created and no edge connected) and the per-node part
 *   (what a held session adds: RSS after the edges connected, minus the replicated part, per node held);
 * - p99 API write → edge: pod patches at a fixed rate, timed until the owning replica's push arrives;
 * - handover after kill -9 of one replica (2 and 3 replicas): from the kill until every node of the
 *   killed replica is claimed and connected elsewhere. The bench's edges redial 1 s after a loss to time
 *   the controller's side; a real EdgeCore adds its fixed 30 s.
 * On 2 shared cores every replica competes for the same CPUs as the control plane and the edges: this
 * measures cost, not capacity.
 *
 *   node --import tsx bench/ha/replicas.bench.ts [--nodes 1000] [--pods-per-node 2] [--replicas 1,2,3] [--rate 10] [--seconds 20]
 *
 * Writes bench/results/ha-replicas.json.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
import type { EdgeIdentity } from '../../src/sim/index.js';
import type { Message } from '../../src/protocol/index.js';
import { ReplicaSet } from '../../test/ha/replica-set.js';
import type { Replica } from '../../test/ha/replica-set.js';
import { waitFor } from '../lib/controller-process.js';
import { createEdgeNode } from '../lib/edge-node.js';
import { report } from '../lib/runner.js';
import type { VariantResult } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    'pods-per-node': { type: 'string', default: '2' },
    replicas: { type: 'string', default: '1,2,3' },
    rate: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
  },
});
const nodeCount = Number(values.nodes);
const podsPerNode = Number(values['pods-per-node']);
const replicaCounts = values.replicas.split(',').map(Number);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const redialMs = 1_000;
const ns = 'bench-ha';

/** An edge that redials `redialMs` after a loss (EdgeClient itself does not), re-subscribing its pushes. */
class BenchEdge {
  client: EdgeClient | undefined;
  #closed = false;
  constructor(
    readonly identity: EdgeIdentity,
    readonly server: string,
    readonly onPush: (message: Message) => void,
  ) {}

  async connect(): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      const client = new EdgeClient({
        server: this.server,
        identity: this.identity,
        keepaliveIntervalMs: 15_000,
      });
      client.on('push', (m: Message) => {
        this.onPush(m);
      });
      try {
        await client.connect();
      } catch {
        await delay(redialMs);
        continue;
      }
      this.client = client;
      client.on('close', () => {
        if (this.#closed) return;
        void delay(redialMs).then(() => this.connect());
      });
      return;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.client?.close();
  }
}

/** A token join, retried: a loaded certificate server may drop a handshake (its 10 s guard). */
async function join(httpServer: string, nodeName: string, token: string): Promise<EdgeIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await joinWithToken({ httpServer, nodeName, token });
    } catch (err) {
      if (attempt >= 5) throw err;
      await delay(1_000 * attempt);
    }
  }
}

async function rssMiB(replica: Replica): Promise<number> {
  const status = await readFile(`/proc/${String(replica.process.process.pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

const variants: VariantResult[] = [];
// One control plane for every replica count: the CA (kubeedge Secrets) outlives each replica set, so the
// edges join once and reconnect to each new set with the same identities. Each set starts with every
// object already there and no edge connected.
const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const names = Array.from({ length: nodeCount }, (_, i) => `ha-bench-${String(i)}`);
const pods: string[] = [];
const identities: EdgeIdentity[] = [];
const received = new Map<string, number>();
const onPush = (message: Message): void => {
  const seq = (message.content as { metadata?: { annotations?: Record<string, string> } } | null)?.metadata
    ?.annotations?.['bench/seq'];
  if (seq !== undefined && !received.has(seq)) received.set(seq, performance.now());
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
try {
  await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(
      names.slice(i, i + 50).map(async (name) => {
        await createEdgeNode(admin, name);
        for (let p = 0; p < podsPerNode; p++) {
          const pod = `${name}-p${String(p)}`;
          pods.push(pod);
          await admin.request({
            method: 'POST',
            path: `/api/v1/namespaces/${ns}/pods`,
            body: {
              metadata: { name: pod },
              spec: { nodeName: name, containers: [{ name: 'c', image: 'busybox' }] },
            },
          });
        }
      }),
    );
  }
  for (const replicas of replicaCounts) {
    const set = await ReplicaSet.start({
      admin,
      kubeconfig: cluster.kubeconfigPath,
      replicas,
      nodeLimit: nodeCount * 2,
    });
    const edges: BenchEdge[] = [];
    try {
      if (identities.length === 0) {
        const joinStart = performance.now();
        for (let i = 0; i < names.length; i += 20) {
          identities.push(
            ...(await Promise.all(
              names
                .slice(i, i + 20)
                .map((nodeName) => join(`https://${set.certs.address}`, nodeName, set.token)),
            )),
          );
        }
        process.stdout.write(
          `joined ${String(identities.length)} edges in ${((performance.now() - joinStart) / 1000).toFixed(0)} s\n`,
        );
      }
      await delay(5_000); // the informers settle
      // Every object cached, no edge connected: the replicated part.
      const replicated = await Promise.all(set.live.map((r) => rssMiB(r)));
      for (let i = 0; i < identities.length; i += 50) {
        await Promise.all(
          identities.slice(i, i + 50).map(async (identity) => {
            const edge = new BenchEdge(identity, set.hub.address, onPush);
            edges.push(edge);
            await edge.connect();
          }),
        );
      }
      const connected = async (): Promise<number> =>
        (await Promise.all(set.live.map((r) => set.figures(r)))).reduce((s, f) => s + f.connected, 0);
      await waitFor(async () => {
        const n = await connected();
        if (n < nodeCount) throw new Error(`${String(n)}/${String(nodeCount)} connected`);
      }, 300_000);
      await delay(10_000); // the repair on connect pushes every pod once
      const withEdges = await Promise.all(set.live.map((r) => rssMiB(r)));
      const held = await Promise.all(set.live.map(async (r) => (await set.figures(r)).owned));
      const perNodeKiB = set.live.map(
        (_, i) => (((withEdges[i] ?? 0) - (replicated[i] ?? 0)) * 1024) / Math.max(1, held[i] ?? 1),
      );

      // p99 API write → edge: pod patches at a fixed rate.
      const sent = new Map<string, number>();
      const changes = rate * seconds;
      const t0 = performance.now();
      for (let i = 0; i < changes; i++) {
        const wait = t0 + (i * 1000) / rate - performance.now();
        if (wait > 0) await delay(wait);
        const seq = `${String(replicas)}-${String(i)}`;
        sent.set(seq, performance.now());
        void admin
          .request({
            method: 'PATCH',
            path: `/api/v1/namespaces/${ns}/pods/${pods[Math.floor(Math.random() * pods.length)] ?? ''}`,
            contentType: 'application/merge-patch+json',
            body: { metadata: { annotations: { 'bench/seq': seq } } },
          })
          .catch(() => undefined);
      }
      await waitFor(() => {
        if ([...sent.keys()].some((x) => !received.has(x))) throw new Error('changes still on their way');
      }, 120_000).catch(() => undefined);
      const latencies = [...sent].map(([x, at]) => (received.get(x) ?? Infinity) - at).sort((a, b) => a - b);
      const p99 = latencies[Math.min(latencies.length - 1, Math.floor(0.99 * latencies.length))] ?? NaN;

      // Handover after kill -9 of one replica.
      let handoverMs = NaN;
      let movedNodes = 0;
      const victim = replicas >= 2 ? set.live[0] : undefined;
      if (victim !== undefined) {
        movedNodes = (await set.figures(victim)).owned;
        const start = performance.now();
        await set.kill(victim.slot);
        await waitFor(async () => {
          const owners = await set.owners(names);
          const live = new Set(set.live.map((r) => r.identity));
          const n = await connected();
          if (n < nodeCount || names.some((x) => !live.has(owners.get(x) ?? '')))
            throw new Error('handover under way');
        }, 300_000);
        handoverMs = performance.now() - start;
      }
      variants.push({
        name: `${String(replicas)} replica${replicas > 1 ? 's' : ''}: p99 write -> edge`,
        value: p99,
        unit: 'ms',
        details: {
          replicatedMiBPerReplica: Number(mean(replicated).toFixed(1)),
          rssMiBPerReplica: Number(mean(withEdges).toFixed(1)),
          perNodeKiB: Number(mean(perNodeKiB).toFixed(1)),
          nodesHeld: held.join('/'),
          handoverAfterKillMs: Number.isNaN(handoverMs) ? 'n/a' : Math.round(handoverMs),
          nodesHandedOver: movedNodes,
          p50: latencies[Math.floor(0.5 * latencies.length)] ?? NaN,
          max: latencies.at(-1) ?? NaN,
          changes,
        },
      });
      process.stdout.write(`${String(replicas)} replicas: ${JSON.stringify(variants.at(-1)?.details)}\n`);
    } finally {
      await Promise.all(edges.map((e) => e.close()));
      await set.close();
    }
  }
} finally {
  await cluster.stop();
}
await report({
  name: 'ha-replicas',
  description:
    'N edges over 1, 2 and 3 replicas: p99 API write -> edge, memory per replica (replicated part, per-node part), ' +
    'handover after kill -9 (edges redial after 1 s; a real EdgeCore adds 30 s). On 2 shared cores this measures ' +
    'cost, not capacity.',
  parameters: {
    nodes: nodeCount,
    podsPerNode,
    replicas: values.replicas,
    changesPerSecond: rate,
    seconds,
    redialMs,
  },
  variants,
});
for (const v of variants) process.stdout.write(`  ${v.name}: ${JSON.stringify(v.details)}\n`);
