/**
 * The simulated EdgeCore (src/sim SimulatedEdgeNode) against real parts: it joins by token, registers
 * its Node, keeps its Lease, runs a pod bound to it and deletes it, all through the controller's hub and
 * UpstreamWorker into a real kube-apiserver. Assertions read the API server, not the simulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedEdgeNode } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();
let ctl: TestController;
const nodes: SimulatedEdgeNode[] = [];
let seq = 0;
const failures = new Map<SimulatedEdgeNode, Error[]>();

interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } };
}

interface PodView {
  metadata: { name: string; uid: string };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    qosClass?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { name: string; ready: boolean; state?: Record<string, unknown> }[];
  };
}

interface LeaseView {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

async function startNode(prefix: string): Promise<SimulatedEdgeNode> {
  seq += 1;
  const node = new SimulatedEdgeNode({
    nodeName: `sim-${prefix}-${String(seq)}`,
    server: ctl.hubServer,
    join: { httpServer: ctl.httpServer, token: await ctl.token() },
    leasePeriodMs: 500,
    statusPeriodMs: 1_000,
    podStartDelayMs: 200,
    keepaliveIntervalMs: 500,
    requestTimeoutMs: 10_000,
    backoff: { initialDelayMs: 100, maxDelayMs: 1_000 },
  });
  nodes.push(node);
  const list: Error[] = [];
  failures.set(node, list);
  node.on('failure', (err: Error) => list.push(err));
  await node.start();
  return node;
}

describe('simulator', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, {
      hub: { ackTimeoutMs: 500, maxAckTimeoutMs: 2000 },
    });
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await ctl.controller.stop();
  });

  it('joins, registers its Node with the edge label and keeps it Ready through its lease', async () => {
    const { admin } = getCluster();
    const resyncs = (): Promise<number> =>
      ctl.metric('edgecontroller_sync_resyncs_total', { reason: 'edge-start' });
    const resyncsBefore = await resyncs();
    const sim = await startNode('reg');
    const node = await eventually(() =>
      admin.request<NodeView>({ method: 'GET', path: `/api/v1/nodes/${sim.nodeName}` }),
    );
    // A new node has no records: its insert is answered with no full resync (no Node PATCHes for it).
    assert.equal(await resyncs(), resyncsBefore, 'no full resync for a node without records');
    const labels = node.metadata.labels ?? {};
    assert.equal(labels['node-role.kubernetes.io/edge'], '');
    assert.equal(labels['kubernetes.io/hostname'], sim.nodeName);
    const status = node.status ?? {};
    assert.equal(status.nodeInfo?.kubeletVersion, 'v1.32.10-kubeedge-v1.23.1');
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${sim.nodeName}`;
    const first = await eventually(() => admin.request<LeaseView>({ method: 'GET', path: leasePath }));
    assert.equal(first.spec.holderIdentity, sim.nodeName);
    assert.equal(first.spec.leaseDurationSeconds, 40);
    await eventually(async () => {
      const renewed = await admin.request<LeaseView>({ method: 'GET', path: leasePath });
      assert.notEqual(renewed.spec.renewTime, first.spec.renewTime, 'the lease is renewed');
    });
    const later = await admin.request<NodeView>({ method: 'GET', path: `/api/v1/nodes/${sim.nodeName}` });
    assert.equal(later.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  it('runs a pod bound to it to Running with podIP, hostIP, qosClass and the four conditions', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('simpod');
    const sim = await startNode('pod');
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'cfg' }, data: { k: 'v' } },
    });
    const resources = { cpu: '100m', memory: '64Mi' };
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'web' },
        spec: {
          nodeName: sim.nodeName,
          containers: [
            {
              name: 'c',
              image: 'nginx',
              resources: { requests: resources, limits: resources },
              envFrom: [{ configMapRef: { name: 'cfg' } }],
            },
          ],
        },
      },
    });
    const pod = await eventually(async () => {
      const current = await admin.request<PodView>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods/web`,
      });
      assert.equal(current.status?.phase, 'Running');
      return current;
    });
    const status = pod.status ?? {};
    assert.match(status.podIP ?? '', /^10\.88\./);
    assert.equal(status.hostIP, '192.0.2.2');
    assert.equal(status.qosClass, 'Guaranteed');
    const conditions = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));
    for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
      assert.equal(conditions[type], 'True', `${type} is True`);
    }
    assert.equal(status.containerStatuses?.[0]?.ready, true);
    assert.ok(sim.store.has(`${ns}/configmap/cfg`), 'the referenced ConfigMap was fetched into the store');
    assert.ok(sim.store.has(`${ns}/configmap/kube-root-ca.crt`), 'kube-api-access ConfigMap fetched');
    const token = sim.store.get(`${ns}/serviceaccounttoken/default`)?.content as
      { status?: { token?: string } } | undefined;
    assert.ok(
      (token?.status?.token ?? '') !== '',
      'a ServiceAccount token was issued for the mounted volume',
    );
    assert.deepEqual(
      failures.get(sim)?.map((e) => e.message),
      [],
      'every request of the node succeeded (token, queries, patches, lease)',
    );
  });

  it('reports the failure modes: an unpullable image stays Pending, a crash under Never fails', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('simfail');
    const sim = await startNode('fail');
    const create = (name: string, container: object, restartPolicy: string): Promise<unknown> =>
      admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name },
          spec: { nodeName: sim.nodeName, restartPolicy, containers: [container] },
        },
      });
    await create('pull', { name: 'c', image: 'registry.example/fail:1' }, 'Always');
    await create('crash', { name: 'c', image: 'busybox', command: ['false'] }, 'Never');
    const stateOf = async (name: string): Promise<{ phase?: string; state: string }> => {
      const current = await admin.request<PodView>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods/${name}`,
      });
      const state = (current.status?.containerStatuses?.[0]?.state ?? {}) as {
        waiting?: { reason?: string };
        terminated?: { reason?: string; exitCode?: number };
      };
      const detail =
        state.waiting?.reason ?? `${state.terminated?.reason ?? ''}/${String(state.terminated?.exitCode)}`;
      return {
        ...(current.status?.phase !== undefined ? { phase: current.status.phase } : {}),
        state: detail,
      };
    };
    await eventually(async () => {
      assert.deepEqual(await stateOf('pull'), { phase: 'Pending', state: 'ErrImagePull' });
    });
    await eventually(async () => {
      assert.deepEqual(await stateOf('crash'), { phase: 'Failed', state: 'Error/1' });
    });
  });

  it('deletes a pod upstream once it carries a deletionTimestamp', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('simdel');
    const sim = await startNode('del');
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'p' },
        spec: { nodeName: sim.nodeName, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    await eventually(async () => {
      const current = await admin.request<PodView>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods/p`,
      });
      assert.equal(current.status?.phase, 'Running');
    });
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/p` });
    await eventually(async () => {
      const list = await admin.request<{ items: PodView[] }>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods`,
      });
      assert.equal(list.items.length, 0, 'the pod is gone from the API');
    });
  });

  it('comes back after its link is cut and keeps renewing its lease', async () => {
    const { admin } = getCluster();
    const sim = await startNode('cut');
    await eventually(() => {
      assert.ok(sim.isConnected);
    });
    sim.cut();
    await eventually(() => {
      assert.ok(sim.isConnected, 'reconnected');
    });
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${sim.nodeName}`;
    const before = await eventually(() => admin.request<LeaseView>({ method: 'GET', path: leasePath }));
    await eventually(async () => {
      const after = await admin.request<LeaseView>({ method: 'GET', path: leasePath });
      assert.notEqual(after.spec.renewTime, before.spec.renewTime);
    });
  });

  it('renews its certificate over mTLS and reconnects with the new one', async () => {
    const sim = await startNode('renew');
    const oldCert = sim.identity?.certPem;
    await sim.renewCertificate();
    assert.notEqual(sim.identity?.certPem, oldCert, 'a new certificate was issued');
    await eventually(() => {
      assert.ok(sim.isConnected, 'reconnected with the renewed certificate');
    });
  });

  it('restarts like an EdgeCore process: re-registers over the existing Node and runs its pod again', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('simrestart');
    const sim = await startNode('restart');
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'p' },
        spec: { nodeName: sim.nodeName, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    const running = async (): Promise<void> => {
      const current = await admin.request<PodView>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/pods/p`,
      });
      assert.equal(current.status?.phase, 'Running');
    };
    await eventually(running);
    const registered: unknown[] = [];
    sim.on('registered', (node: unknown) => registered.push(node));
    await sim.restart();
    assert.equal(registered.length, 1, 'registered again (AlreadyExists is accepted)');
    assert.ok(sim.isConnected);
    await eventually(() => {
      assert.equal(sim.podStatuses.get(`${ns}/pod/p`)?.phase, 'Running');
    });
    await eventually(running);
  });
});
