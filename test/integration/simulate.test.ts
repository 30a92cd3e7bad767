/**
 * The multi-node Simulator (src/sim Simulator) against a real controller and kube-apiserver: five nodes
 * ramped in quickly register and stay Ready, a Deployment selecting them by label gets all its pods to
 * Running through the fake runtimes, and a node whose link is cut redials with jittered backoff and stays
 * registered. Assertions read the API server; the simulator only supplies the node handle.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Simulator } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();
const groupLabel = 'simulate.test/group';
const nodeCount = 5;
let ctl: TestController;
let sim: Simulator;
const failures: string[] = [];

interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[] };
}

interface PodView {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

interface LeaseView {
  spec: { renewTime?: string };
}

function isReady(node: NodeView): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

async function simulatedNodes(): Promise<NodeView[]> {
  const { admin } = getCluster();
  const list = await admin.request<{ items: NodeView[] }>({
    method: 'GET',
    path: `/api/v1/nodes?labelSelector=${encodeURIComponent(`${groupLabel}=sim`)}`,
  });
  return list.items;
}

describe('simulate', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, {
      hub: { ackTimeoutMs: 500, maxAckTimeoutMs: 2000 },
    });
    sim = new Simulator({
      nodes: nodeCount,
      prefix: 'simulate',
      server: ctl.hubServer,
      httpServer: ctl.httpServer,
      token: await ctl.token(),
      rampNodesPerSecond: 50,
      leasePeriodMs: 500,
      statusPeriodMs: 1_000,
      keepaliveIntervalMs: 500,
      podStartDelayMs: 200,
      requestTimeoutMs: 10_000,
      backoff: { initialDelayMs: 100, maxDelayMs: 1_000 },
      shape: { labels: { [groupLabel]: 'sim' } },
      onFailure: (node, err) => failures.push(`${node}: ${err.message}`),
    });
    await sim.start();
  });
  after(async () => {
    await sim.stop();
    await ctl.controller.stop();
  });

  it('registers every node and keeps them Ready through their leases', async () => {
    const counts = await sim.waitFor((c) => c.registered === nodeCount && c.connected === nodeCount);
    assert.equal(counts.nodes, nodeCount);
    assert.ok(counts.messagesOut > 0 && counts.messagesIn > 0, 'traffic is counted');
    const { admin } = getCluster();
    await eventually(async () => {
      const nodes = await simulatedNodes();
      assert.deepEqual(
        nodes.map((n) => n.metadata.name).sort(),
        sim.nodeNames.slice().sort(),
        'every simulated node is registered in the API',
      );
      assert.ok(nodes.every(isReady), 'every node is Ready');
    });
    const leasePath = (name: string): string =>
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const first = await Promise.all(
      sim.nodeNames.map((name) =>
        eventually(() => admin.request<LeaseView>({ method: 'GET', path: leasePath(name) })),
      ),
    );
    await eventually(async () => {
      for (const [i, name] of sim.nodeNames.entries()) {
        const now = await admin.request<LeaseView>({ method: 'GET', path: leasePath(name) });
        assert.notEqual(now.spec.renewTime, first[i]?.spec.renewTime, `${name} renews its lease`);
      }
    });
    assert.ok((await simulatedNodes()).every(isReady), 'still Ready after lease renewals');
  });

  it('runs a 5-replica Deployment selecting the simulated nodes to 5 Running pods', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('simulate');
    await admin.request({
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 5,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              nodeSelector: { [groupLabel]: 'sim' },
              containers: [{ name: 'c', image: 'nginx' }],
            },
          },
        },
      },
    });
    const pods = await eventually(async () => {
      const list = await admin.request<{ items: PodView[] }>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`,
      });
      const running = list.items.filter((p) => p.status?.phase === 'Running');
      assert.equal(running.length, 5, `${String(running.length)}/5 pods Running`);
      return running;
    });
    for (const pod of pods) {
      assert.ok(sim.nodeNames.includes(pod.spec?.nodeName ?? ''), 'scheduled on a simulated node');
    }
    await sim.waitFor((c) => c.podsRunning >= 5);
  });

  it('redials a cut node with jittered backoff and keeps it registered and Ready', async () => {
    const { admin } = getCluster();
    const name = sim.nodeNames[0] ?? '';
    const node = sim.node(name);
    assert.ok(node !== undefined);
    let disconnects = 0;
    let reconnects = 0;
    node.on('disconnected', () => (disconnects += 1));
    node.on('connected', () => (reconnects += 1));
    sim.cut(name);
    await eventually(() => {
      assert.equal(disconnects, 1, 'the link dropped');
      assert.ok(reconnects >= 1 && node.isConnected, 'the node redialled');
    });
    await sim.waitFor((c) => c.connected === nodeCount && c.registered === nodeCount);
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const before = await admin.request<LeaseView>({ method: 'GET', path: leasePath });
    await eventually(async () => {
      const after = await admin.request<LeaseView>({ method: 'GET', path: leasePath });
      assert.notEqual(after.spec.renewTime, before.spec.renewTime, 'lease renewed after the reconnect');
      const apiNode = await admin.request<NodeView>({ method: 'GET', path: `/api/v1/nodes/${name}` });
      assert.ok(isReady(apiNode), 'still Ready');
    });
  });

  it("delays a node's link both ways: its ACKs come back late but everything still arrives", async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('slow');
    const name = sim.nodeNames[1] ?? '';
    const ackSum = async (): Promise<number> => {
      const histogram = await ctl.controller.metrics.registry
        .getSingleMetric('edgecontroller_hub_ack_latency_seconds')
        ?.get();
      return (histogram?.values ?? [])
        .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_sum') === true)
        .reduce((sum, v) => sum + v.value, 0);
    };
    const before = await ackSum();
    sim.delayLink(name, 400);
    try {
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name: 'slow' },
          spec: { nodeName: name, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
      await eventually(() => {
        assert.equal(sim.node(name)?.podStatuses.get(`${ns}/pod/slow`)?.phase, 'Running');
      });
      assert.ok((await ackSum()) - before >= 0.8, 'the push waited 400 ms in and its ACK 400 ms out');
    } finally {
      sim.delayLink(name, 0);
    }
  });

  it('runs as `edge-controller simulate`, prints count lines and stops cleanly on SIGINT', async () => {
    const { admin, cluster } = getCluster();
    const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        mainTs,
        'simulate',
        '--nodes=2',
        '--prefix=simcli',
        '--ramp=20',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        `--http-server=${ctl.httpServer}`,
        `--websocket-server=${ctl.hubServer}`,
        '--lease-period-seconds=1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await eventually(() => {
        assert.match(stderr, /connected=2 registered=2 /, 'a count line shows both nodes registered');
      });
      await eventually(() => admin.request<NodeView>({ method: 'GET', path: '/api/v1/nodes/simcli-1' }));
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, `exits 0 after stopping its nodes; stderr: ${stderr.slice(-500)}`);
    assert.match(stderr, /Simulator stopped/);
  });
});
