/**
 * Downstream and reliable sync against real parts: the controller watches a real kube-apiserver, and
 * simulated edges that joined through the real token flow receive what their pods need, over mTLS.
 * Each test uses its own namespace and its own edge nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseNodeName } from '../../src/protocol/index.js';
import type { Message, NodeName } from '../../src/protocol/index.js';
import type { EdgeClient } from '../../src/sim/index.js';
import { objectKey } from '../../src/kube/index.js';
import type { KubeClient } from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';
import { fence } from '../support/fence.js';

const getCluster = useLocalCluster();
let ctl: TestController;
const open: EdgeClient[] = [];
let seq = 0;

interface Meta {
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string };
}

async function edgeNode(
  admin: KubeClient,
  prefix: string,
  options: { label?: boolean } = {},
): Promise<NodeName> {
  seq += 1;
  const name = parseNodeName(`${prefix}-${String(seq)}`);
  assert.ok(name !== undefined);
  await admin.request({
    method: 'POST',
    path: '/api/v1/nodes',
    body: {
      metadata: { name, labels: options.label === false ? {} : { 'node-role.kubernetes.io/edge': '' } },
    },
  });
  return name;
}

async function connect(name: NodeName, options: { autoAck?: boolean } = {}): Promise<EdgeClient> {
  const edge = await ctl.connect(await ctl.join(name), options);
  open.push(edge);
  return edge;
}

function pod(name: string, nodeName: string, extra: Record<string, unknown> = {}): object {
  return {
    metadata: { name, labels: { app: 'x' } },
    spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }], ...extra },
  };
}

function pushes(edge: EdgeClient, resource: string): Message[] {
  return edge.received.filter((m) => m.header.parent_msg_id === undefined && m.route.resource === resource);
}

describe('downstream', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, {
      hub: { ackTimeoutMs: 500, maxAckTimeoutMs: 2000 },
      repairIntervalMs: 2000,
    });
  });
  after(async () => {
    await Promise.all(open.map((e) => e.close()));
    await ctl.controller.stop();
  });

  it('sends a pod to its node and to no other, with updates and the delete', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('pods');
    const a = await edgeNode(admin, 'pod-a');
    const b = await edgeNode(admin, 'pod-b');
    const [edgeA, edgeB] = [await connect(a), await connect(b)];
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('p1', a) });
    const key = `${ns}/pod/p1`;
    await eventually(() => {
      assert.ok(edgeA.store.has(key));
    });
    const added = edgeA.store.get(key)?.content as { apiVersion?: string; kind?: string; metadata: object };
    assert.equal(added.kind, 'Pod');
    assert.equal(added.apiVersion, 'v1');
    assert.ok(!('managedFields' in added.metadata), 'managedFields are stripped');
    const updated = await admin.request<Meta>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/pods/p1`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { app: 'y' } } },
    });
    await eventually(() => {
      assert.equal(edgeA.store.get(key)?.resourceVersion, updated.metadata.resourceVersion);
    });
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/p1?gracePeriodSeconds=0` });
    await eventually(() => {
      assert.ok(!edgeA.store.has(key));
    });
    assert.equal(pushes(edgeB, key).length, 0, 'the other node never saw the pod');
  });

  it('pushes a status change but not an update that changes only managedFields', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('mf');
    const node = await edgeNode(admin, 'mf');
    const edge = await connect(node);
    const created = await admin.request<Meta>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('p', node),
    });
    const key = `${ns}/pod/p`;
    await eventually(() => {
      assert.ok(edge.store.has(key));
    });
    // Server-side apply of an unchanged label by a new manager changes only managedFields (and the RV).
    const applied = await admin.request<Meta>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/pods/p?fieldManager=other-manager`,
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' } } },
    });
    assert.notEqual(applied.metadata.resourceVersion, created.metadata.resourceVersion);
    const status = await admin.request<Meta>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/pods/p/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running' } },
    });
    await eventually(() => {
      assert.equal(edge.store.get(key)?.resourceVersion, status.metadata.resourceVersion);
    });
    const versions = pushes(edge, key).map((m) => m.header.resourceversion);
    assert.ok(
      !versions.includes(applied.metadata.resourceVersion),
      'the managedFields-only update was not pushed',
    );
  });

  it('delivers a pod created while its node was disconnected once it reconnects', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('offline');
    const node = await edgeNode(admin, 'offline');
    const first = await connect(node);
    await first.close();
    await eventually(() => {
      assert.ok(!ctl.controller.hub.isConnected(node));
    });
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('late', node) });
    const again = await connect(node);
    await eventually(() => {
      assert.ok(again.store.has(`${ns}/pod/late`));
    });
  });

  it('sends a ConfigMap and a Secret only to the node whose pod uses them, and their updates', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('refs');
    const user = await edgeNode(admin, 'ref-user');
    const other = await edgeNode(admin, 'ref-other');
    const [edgeUser, edgeOther] = [await connect(user), await connect(other)];
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/secrets`,
      body: { metadata: { name: 'sec' }, stringData: { k: 'v' } },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('uses', user, {
        volumes: [
          { name: 'c', configMap: { name: 'cfg' } },
          { name: 's', secret: { secretName: 'sec' } },
        ],
      }),
    });
    await eventually(() => {
      assert.ok(edgeUser.store.has(`${ns}/configmap/cfg`));
      assert.ok(edgeUser.store.has(`${ns}/secret/sec`));
      assert.ok(edgeUser.store.has(`${ns}/pod/uses`));
    });
    assert.equal(
      edgeUser.store.get(`${ns}/secret/sec`)?.operation,
      'update',
      'secrets go as update, as KubeEdge',
    );
    const cm = await admin.request<Meta>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/configmaps/cfg`,
      contentType: 'application/merge-patch+json',
      body: { data: { a: '2' } },
    });
    await eventually(() => {
      assert.equal(edgeUser.store.get(`${ns}/configmap/cfg`)?.resourceVersion, cm.metadata.resourceVersion);
    });
    assert.equal(pushes(edgeOther, `${ns}/configmap/cfg`).length, 0);
    assert.equal(pushes(edgeOther, `${ns}/secret/sec`).length, 0);
  });

  it('takes a Secret off a node once its last pod that uses it is gone', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('secret-gone');
    const node = await edgeNode(admin, 'secret-gone');
    const edge = await connect(node);
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/secrets`,
      body: { metadata: { name: 'token' }, stringData: { k: 'v' } },
    });
    const withSecret = pod('user', node, { volumes: [{ name: 's', secret: { secretName: 'token' } }] });
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: withSecret });
    await eventually(() => {
      assert.ok(edge.store.has(`${ns}/secret/token`));
    });
    await admin.request({
      method: 'DELETE',
      path: `/api/v1/namespaces/${ns}/pods/user?gracePeriodSeconds=0`,
    });
    await eventually(() => {
      assert.ok(!edge.store.has(`${ns}/secret/token`), 'the edge got a delete for the Secret');
      assert.ok(!edge.store.has(`${ns}/pod/user`));
    });
  });

  it('records what a node ACKed in an ObjectSync and removes the record when the delete is ACKed', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('records');
    const node = await edgeNode(admin, 'records');
    const edge = await connect(node);
    const created = await admin.request<Meta>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('r', node),
    });
    const recordPath = `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${ns}/objectsyncs/${node}.${created.metadata.uid}`;
    await eventually(async () => {
      assert.ok(edge.store.has(`${ns}/pod/r`));
      const record = await admin.request<{
        spec: { objectKind: string; objectName: string };
        status?: { objectResourceVersion?: string };
      }>({
        method: 'GET',
        path: recordPath,
      });
      assert.equal(record.spec.objectKind, 'Pod');
      assert.equal(record.spec.objectName, 'r');
      assert.equal(record.status?.objectResourceVersion, edge.store.get(`${ns}/pod/r`)?.resourceVersion);
    });
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/r?gracePeriodSeconds=0` });
    await eventually(async () => {
      await assert.rejects(
        admin.request({ method: 'GET', path: recordPath }),
        (err: unknown) => (err as { status?: number }).status === 404,
      );
    });
  });

  it('redelivers a first send that was never ACKed, on the next session', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('lost');
    const node = await edgeNode(admin, 'lost');
    const deaf = await connect(node, { autoAck: false });
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('p', node) });
    await eventually(() => {
      assert.ok(pushes(deaf, `${ns}/pod/p`).length >= 1);
    });
    deaf.kill();
    const again = await connect(node);
    await eventually(() => {
      assert.ok(again.store.has(`${ns}/pod/p`));
      assert.equal(ctl.controller.hub.nodeState(node)?.queue.inFlight, 0);
    });
  });

  it('sends a node its existing pods when it gains the edge label', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('label');
    const node = await edgeNode(admin, 'late-edge', { label: false });
    const edge = await connect(node);
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('before', node) });
    await admin.request({
      method: 'PATCH',
      path: `/api/v1/nodes/${node}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { 'node-role.kubernetes.io/edge': '' } } },
    });
    await eventually(() => {
      assert.ok(edge.store.has(`${ns}/pod/before`));
      assert.ok(edge.store.has(`null/node/${node}`), 'the node object is pushed to itself');
    });
  });

  it('closes the session of a node that is deleted', async () => {
    const { admin } = getCluster();
    const node = await edgeNode(admin, 'doomed');
    const edge = await connect(node);
    const closed = new Promise<number>((resolve) =>
      edge.once('close', (code: number) => {
        resolve(code);
      }),
    );
    await admin.request({ method: 'DELETE', path: `/api/v1/nodes/${node}` });
    assert.equal(await closed, 1000);
    assert.ok(!ctl.controller.hub.isConnected(node));
  });

  it('ends with the newest pod on the edge after a pod is deleted and recreated under one name five times', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('recreate');
    const node = await edgeNode(admin, 'recreate');
    const edge = await connect(node);
    let last: Meta | undefined;
    for (let i = 0; i < 5; i++) {
      if (last !== undefined) {
        await admin.request({
          method: 'DELETE',
          path: `/api/v1/namespaces/${ns}/pods/web-0?gracePeriodSeconds=0`,
        });
      }
      last = await eventually(() =>
        admin.request<Meta>({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/pods`,
          body: pod('web-0', node),
        }),
      );
    }
    const uid = last?.metadata.uid;
    await eventually(() => {
      const held = edge.store.get(`${ns}/pod/web-0`)?.content as Meta | undefined;
      assert.equal(held?.metadata.uid, uid);
      assert.equal(ctl.controller.hub.nodeState(node)?.queue.inFlight, 0);
    });
  });

  it('ends at the latest ConfigMap after it is deleted, recreated and updated while mounted', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('cm-cycle');
    const node = await edgeNode(admin, 'cm-cycle');
    const edge = await connect(node);
    const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
    await admin.request({
      method: 'POST',
      path: cmPath,
      body: { metadata: { name: 'cfg' }, data: { v: '1' } },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('mounts', node, { volumes: [{ name: 'c', configMap: { name: 'cfg' } }] }),
    });
    await eventually(() => {
      assert.ok(edge.store.has(`${ns}/configmap/cfg`));
    });
    await admin.request({ method: 'DELETE', path: `${cmPath}/cfg` });
    await admin.request({
      method: 'POST',
      path: cmPath,
      body: { metadata: { name: 'cfg' }, data: { v: '2' } },
    });
    const latest = await admin.request<Meta>({
      method: 'PATCH',
      path: `${cmPath}/cfg`,
      contentType: 'application/merge-patch+json',
      body: { data: { v: '3' } },
    });
    await eventually(() => {
      const held = edge.store.get(`${ns}/configmap/cfg`);
      assert.ok(held !== undefined);
      assert.equal(held.resourceVersion, latest.metadata.resourceVersion);
      assert.equal((held.content as { data: { v: string } }).data.v, '3');
    });
  });

  // Issue 11: the DELETED that arrived while the deletionTimestamp update was un-ACKed was dropped as a
  // duplicate delete; the edge kept the pod until the periodic repair. Repair is off here, so only the
  // informer's own delete can reach the edge.
  it('sends the final delete of a gracefully deleted pod after its deletionTimestamp update is ACKed', async () => {
    const { admin, cluster, namespace } = getCluster();
    // Default ACK timeouts: the held update is not resent often enough for the delete to take its place.
    const own = await startTestController(admin, cluster.kubeconfigPath, { repairIntervalMs: 3_600_000 });
    try {
      const ns = await namespace('graceful');
      const node = await edgeNode(admin, 'graceful');
      const edge = await own.connect(await own.join(node), { autoAck: false });
      const key = `${ns}/pod/g`;
      const ofPod = (operation: string): Message[] =>
        edge.received.filter((m) => m.route.resource === key && m.route.operation === operation);
      const deleteDrops = async (): Promise<number> =>
        (await own.metric('edgecontroller_hub_dropped_deliveries_total', {
          reason: 'superseded_by_delete',
        })) +
        (await own.metric('edgecontroller_hub_dropped_deliveries_total', { reason: 'duplicate_delete' }));
      // Everything but the pod's update and delete is ACKed at once (the Node's own updates among them),
      // so the queue's waiting count below is the pod's alone.
      const ackUnlessHeld = (m: Message): void => {
        const isHeld = m.route.resource === key && m.route.operation !== 'insert';
        if (m.header.parent_msg_id === undefined && !isHeld) edge.ack(m);
      };
      edge.on('push', ackUnlessHeld);
      for (const m of edge.received) ackUnlessHeld(m);
      try {
        await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('g', node) });
        await eventually(() => {
          assert.ok(edge.store.has(key));
        });
        await admin.request({
          method: 'DELETE',
          path: `/api/v1/namespaces/${ns}/pods/g?gracePeriodSeconds=30`,
        });
        const terminating = await eventually(() => {
          const update = ofPod('update').find(
            (m) => (m.content as { metadata?: { deletionTimestamp?: string } }).metadata?.deletionTimestamp,
          );
          assert.ok(update !== undefined, 'the deletionTimestamp update reached the edge');
          return update;
        });
        // The edge holds its ACK while the pod is force-deleted: DELETED arrives with the update in flight.
        await admin.request({
          method: 'DELETE',
          path: `/api/v1/namespaces/${ns}/pods/g?gracePeriodSeconds=0`,
        });
        await eventually(() => {
          assert.equal(
            own.controller.hub.nodeState(node)?.queue.pendingAck,
            1,
            'the delete waits, not dropped',
          );
        });
        assert.equal(ofPod('delete').length, 0, 'no delete while the update is un-ACKed');
        edge.ack(terminating);
        const final = await eventually(() => ofPod('delete')[0] ?? assert.fail('no delete yet'));
        assert.ok(final.header.resourceversion !== undefined, 'the informer’s delete, not a repair');
        edge.ack(final);
        await eventually(() => {
          assert.ok(!edge.store.has(key), 'the edge removed the pod');
          assert.equal(own.controller.hub.nodeState(node)?.queue.inFlight, 0);
        });
        assert.equal(await deleteDrops(), 0);
      } finally {
        await edge.close();
      }
    } finally {
      await own.controller.stop();
    }
  });

  it('delivers a ConfigMap edit and a pod deletion made while the node was offline', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('away');
    const node = await edgeNode(admin, 'away');
    const edge = await connect(node);
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'cfg' }, data: { v: '1' } },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('keeps', node, { volumes: [{ name: 'c', configMap: { name: 'cfg' } }] }),
    });
    await admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('goes', node) });
    await eventually(() => {
      assert.ok(edge.store.has(`${ns}/configmap/cfg`) && edge.store.has(`${ns}/pod/goes`));
    });
    await edge.close();
    await eventually(() => {
      assert.ok(!ctl.controller.hub.isConnected(node));
    });
    const edited = await admin.request<Meta>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/configmaps/cfg`,
      contentType: 'application/merge-patch+json',
      body: { data: { v: '2' } },
    });
    await admin.request({
      method: 'DELETE',
      path: `/api/v1/namespaces/${ns}/pods/goes?gracePeriodSeconds=0`,
    });
    // The reconnecting edge still holds what it had: model that by carrying its store over.
    const back = await connect(node);
    for (const [key, value] of edge.store) back.store.set(key, value);
    await eventually(() => {
      assert.equal(back.store.get(`${ns}/configmap/cfg`)?.resourceVersion, edited.metadata.resourceVersion);
      assert.ok(!back.store.has(`${ns}/pod/goes`), 'the pod deleted while offline is deleted on the edge');
    });
  });

  it('repairs a stale record for an older object of the same name once, without looping', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('stale');
    const node = await edgeNode(admin, 'stale');
    const current = await admin.request<Meta>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('same', node),
    });
    const staleUid = '00000000-0000-0000-0000-000000000001';
    const records = `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${ns}/objectsyncs`;
    await admin.request({
      method: 'POST',
      path: records,
      body: {
        apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
        kind: 'ObjectSync',
        metadata: { name: `${node}.${staleUid}` },
        spec: { objectAPIVersion: 'v1', objectKind: 'Pod', objectName: 'same' },
      },
    });
    const edge = await connect(node);
    await eventually(async () => {
      const held = edge.store.get(`${ns}/pod/same`)?.content as Meta | undefined;
      assert.equal(held?.metadata.uid, current.metadata.uid);
      await assert.rejects(
        admin.request({ method: 'GET', path: `${records}/${node}.${staleUid}` }),
        (err: unknown) => (err as { status?: number }).status === 404,
      );
    });
    // No looping: once the stale record is gone and the pod recorded, a repair pass (what the periodic
    // loop runs every 2 s) plans nothing for this node. A loop would keep planning the pod, and this wait
    // would time out. Calling repair() here costs nothing more than the loop's own passes.
    await eventually(() => {
      assert.equal(ctl.controller.sync.repair(node), 0, 'a repair pass finds nothing left to do');
    });
    await fence(edge);
    const sent = pushes(edge, `${ns}/pod/same`).length;
    for (let pass = 0; pass < 2; pass += 1) assert.equal(ctl.controller.sync.repair(node), 0);
    // Whatever was sent since the first fence (by those passes or the loop's) has arrived by the second.
    await fence(edge);
    assert.equal(pushes(edge, `${ns}/pod/same`).length, sent);
  });

  it('closes the session of a node that loses the edge label, and stops sending it pods', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('unlabel');
    const node = await edgeNode(admin, 'unlabel');
    const edge = await connect(node);
    const closed = new Promise<number>((resolve) =>
      edge.once('close', (code: number) => {
        resolve(code);
      }),
    );
    await admin.request({
      method: 'PATCH',
      path: `/api/v1/nodes/${node}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { 'node-role.kubernetes.io/edge': null } } },
    });
    assert.equal(await closed, 1000);
    assert.ok(!ctl.controller.downstream.isEdgeNode(node));
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: pod('ignored', node),
    });
    await eventually(() => {
      assert.ok(ctl.controller.downstream.pods.store.get(objectKey(ns, 'ignored')) !== undefined);
    });
    assert.equal(
      ctl.controller.hub.nodeState(node),
      undefined,
      'nothing is queued for a node that is not an edge node',
    );
  });

  // One replica cut off from its API server keeps its sessions (nobody could take them over): this
  // edge never redials, so a session closed by the Lease lapse would lose the pod made after the restart.
  // It was closed when the replica of an earlier test had stopped just before our last renewal: the lapse
  // still counted that replica as live and let go of every node (replica-lease-worker.ts).
  it('loses nothing across an API server restart', async () => {
    const { admin, cluster, namespace } = getCluster();
    const ns = await namespace('restart');
    const node = await edgeNode(admin, 'restart');
    const edge = await connect(node);
    const logsFrom = ctl.logs.length;
    await cluster.restartApiServer({ downMs: 1000 });
    await eventually(
      () =>
        admin.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('after', node) }),
      { timeoutMs: 60_000 },
    );
    await eventually(
      () => {
        // What the controller said since the restart, so that a failure here can be explained.
        const said = ctl.logs
          .slice(logsFrom)
          .filter((line) => !line.includes('"level":20'))
          .slice(-80)
          .join('');
        assert.ok(edge.isOpen, `the session stayed open\n${said}`);
        assert.ok(edge.store.has(`${ns}/pod/after`), said);
      },
      { timeoutMs: 60_000 },
    );
  });

  // Issue 13 item 3: an edge rebuilt under its old name joins again with the token and comes back with an
  // empty store. Its records say it holds everything, so repair alone would send nothing.
  it('refills a node that joins again by token with an empty store (a rebuilt edge)', async () => {
    const { admin, cluster, namespace } = getCluster();
    const own = await startTestController(admin, cluster.kubeconfigPath, { repairIntervalMs: 3_600_000 });
    try {
      const ns = await namespace('rebuilt');
      const node = await edgeNode(admin, 'rebuilt');
      const edge = await own.connect(await own.join(node));
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/secrets`,
        body: { metadata: { name: 's' }, stringData: { k: 'v' } },
      });
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: pod('p', node, { volumes: [{ name: 's', secret: { secretName: 's' } }] }),
      });
      await eventually(() => {
        assert.ok(edge.store.has(`${ns}/pod/p`) && edge.store.has(`${ns}/secret/s`));
      });
      await eventually(async () => {
        assert.equal(
          (await own.metric('edgecontroller_sync_record_writes_total', {
            operation: 'status',
            result: 'ok',
          })) >= 2,
          true,
          'both ACKs recorded',
        );
      });
      await edge.close();
      const joinsBefore = await own.metric('edgecontroller_sync_resyncs_total', { reason: 'token-join' });
      const rebuilt = await own.connect(await own.join(node));
      await eventually(() => {
        assert.ok(rebuilt.store.has(`${ns}/pod/p`), 'the pod is back');
        assert.ok(rebuilt.store.has(`${ns}/secret/s`), 'the Secret is back');
      });
      // Within 5 s of the first join's resync the second is deferred to the end of that interval (and
      // the edge may be refilled meanwhile by repair from records still marked 0): wait for it.
      await eventually(async () => {
        assert.equal(
          await own.metric('edgecontroller_sync_resyncs_total', { reason: 'token-join' }),
          joinsBefore + 1,
        );
      });
      await rebuilt.close();
    } finally {
      await own.controller.stop();
    }
  });

  // A rollout while the node is away: the old pod goes (its ConfigMap's delete is queued for the edge),
  // the new pod uses the same ConfigMap. The edge must end with the ConfigMap, with no periodic repair.
  it('keeps a ConfigMap on a node whose old pod left and whose new pod came while it was offline', async () => {
    const { admin, cluster, namespace } = getCluster();
    const own = await startTestController(admin, cluster.kubeconfigPath, { repairIntervalMs: 3_600_000 });
    try {
      const ns = await namespace('rollout');
      const node = await edgeNode(admin, 'rollout');
      const identity = await own.join(node);
      const edge = await own.connect(identity);
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/configmaps`,
        body: { metadata: { name: 'cfg' }, data: { v: '1' } },
      });
      const uses = { volumes: [{ name: 'c', configMap: { name: 'cfg' } }] };
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: pod('old', node, uses),
      });
      await eventually(() => {
        assert.ok(edge.store.has(`${ns}/configmap/cfg`) && edge.store.has(`${ns}/pod/old`));
      });
      await edge.close();
      await eventually(() => {
        assert.ok(!own.controller.hub.isConnected(node));
      });
      await admin.request({
        method: 'DELETE',
        path: `/api/v1/namespaces/${ns}/pods/old?gracePeriodSeconds=0`,
      });
      await eventually(() => {
        assert.ok(own.controller.downstream.podsOn(node).length === 0, 'the controller saw the pod go');
      });
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: pod('new', node, uses),
      });
      await eventually(() => {
        assert.ok(own.controller.downstream.podsOn(node).length === 1, 'the controller saw the new pod');
      });
      // The same certificate and store: a reconnect, not a rebuilt edge.
      const back = await own.connect(identity, { store: edge.store });
      await eventually(() => {
        assert.ok(back.store.has(`${ns}/pod/new`) && !back.store.has(`${ns}/pod/old`));
        assert.ok(back.store.has(`${ns}/configmap/cfg`), 'the ConfigMap the new pod uses is still there');
      });
      await back.close();
    } finally {
      await own.controller.stop();
    }
  });
});
