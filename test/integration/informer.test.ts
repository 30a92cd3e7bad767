/**
 * The informer against a real kube-apiserver: first list then readiness, events with the old object,
 * paginated lists, indexes, label selectors as the edge-node informer uses them, a real 410 from the
 * server, one connection pool, and an API server restart that loses no change. One cluster for the file;
 * each test its own namespace.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import {
  Informer,
  KubeClient,
  indexByUid,
  indexPodsByNodeName,
  loadKubeConfig,
  objectKey,
} from '../../src/kube/index.js';
import type {
  InformerEvent,
  InformerOptions,
  KubeObject,
  ListWatchClient,
  WatchRestartReason,
} from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();

const label = 'informer-test';

interface ConfigMap extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
  readonly metadata: KubeObject['metadata'] & { readonly managedFields?: unknown };
}
interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
}

/** A started informer whose events are recorded as `add a`, `update a v1->v2`, `delete a`. */
interface Running<T extends KubeObject> {
  readonly informer: Informer<T>;
  readonly events: InformerEvent<T>[];
  readonly restarts: WatchRestartReason[];
  readonly lists: { items: number; pages: number }[];
  readonly stop: () => Promise<void>;
}

function run<T extends KubeObject>(
  options: Omit<InformerOptions<T>, 'client'> & { client?: ListWatchClient },
): Running<T> {
  const events: InformerEvent<T>[] = [];
  const restarts: WatchRestartReason[] = [];
  const lists: { items: number; pages: number }[] = [];
  const informer = new Informer<T>({
    client: getCluster().admin,
    // Fast retries: the restart test waits for the informer to find the API server again.
    initialBackoffMs: 100,
    maxBackoffMs: 1_000,
    ...options,
    observer: {
      onWatchRestart: (_name, reason) => restarts.push(reason),
      onList: (_name, list) => lists.push({ items: list.items, pages: list.pages }),
    },
  });
  informer.onEvent((event) => events.push(event));
  const controller = new AbortController();
  informer.start(controller.signal);
  return {
    informer,
    events,
    restarts,
    lists,
    stop: async () => {
      controller.abort();
      await informer.stop();
    },
  };
}

function summary(events: readonly InformerEvent<ConfigMap>[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'add':
        return `add ${e.object.metadata.name}`;
      case 'update':
        return `update ${e.object.metadata.name} ${e.old.data?.['v'] ?? ''}->${e.object.data?.['v'] ?? ''}`;
      case 'delete':
        return `delete ${e.object.metadata.name}`;
    }
  });
}

async function createConfigMap(
  ns: string,
  name: string,
  client: KubeClient = getCluster().admin,
): Promise<void> {
  await client.request({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/configmaps`,
    body: { metadata: { name, labels: { [label]: 'yes' } }, data: { v: '1' } },
  });
}

/** Retries `write` until the API server is back; 409 and 404 mean an earlier attempt got through. */
async function untilWritten(write: () => Promise<void>): Promise<void> {
  await eventually(() =>
    write().catch((err: unknown) => {
      const action = (err as { action?: string }).action;
      if (action !== 'reread' && action !== 'absorb') throw err;
    }),
  );
}

async function setConfigMap(ns: string, name: string, v: string): Promise<void> {
  await getCluster().admin.request({
    method: 'PATCH',
    path: `/api/v1/namespaces/${ns}/configmaps/${name}`,
    contentType: 'application/merge-patch+json',
    body: { data: { v } },
  });
}

async function deleteConfigMap(ns: string, name: string): Promise<void> {
  await getCluster().admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/configmaps/${name}` });
}

/** name → resourceVersion of the labelled ConfigMaps, straight from the API server. */
async function apiState(ns: string): Promise<Map<string, string>> {
  const list = await getCluster().admin.request<{ items: ConfigMap[] }>({
    method: 'GET',
    path: `/api/v1/namespaces/${ns}/configmaps?labelSelector=${label}`,
  });
  return new Map(list.items.map((cm) => [cm.metadata.name, cm.metadata.resourceVersion ?? '']));
}

function cacheState(informer: Informer<ConfigMap>): Map<string, string> {
  return new Map(informer.store.list().map((cm) => [cm.metadata.name, cm.metadata.resourceVersion ?? '']));
}

describe('informer', () => {
  it('lists existing objects before it reports synced, then delivers add, update with the old object, and delete', async () => {
    const { namespace } = getCluster();
    const ns = await namespace('inf-events');
    await createConfigMap(ns, 'a');
    await createConfigMap(ns, 'b');
    const r = run<ConfigMap>({ path: `/api/v1/namespaces/${ns}/configmaps`, labelSelector: label });
    try {
      assert.equal(r.informer.hasSynced, false);
      await r.informer.whenSynced();
      assert.equal(r.informer.hasSynced, true);
      assert.deepEqual(summary(r.events).sort(), ['add a', 'add b']);
      const a = r.informer.store.get(objectKey(ns, 'a'));
      assert.equal(a?.kind, 'ConfigMap', 'list items get the kind of their list');
      assert.equal(a.apiVersion, 'v1');
      assert.equal(a.metadata.managedFields, undefined, 'managedFields are stripped');

      await createConfigMap(ns, 'c');
      await setConfigMap(ns, 'a', '2');
      await deleteConfigMap(ns, 'b');
      await eventually(() => {
        assert.deepEqual(summary(r.events).slice(2), ['add c', 'update a 1->2', 'delete b']);
      });
      const deleted = r.events.at(-1);
      assert.ok(deleted?.type === 'delete' && !deleted.finalStateUnknown);
      assert.deepEqual([...cacheState(r.informer)].sort(), [...(await apiState(ns))].sort());
    } finally {
      await r.stop();
    }
  });

  it('reads a collection larger than one page through continue tokens', async () => {
    const { namespace } = getCluster();
    const ns = await namespace('inf-pages');
    for (let i = 0; i < 25; i += 1) await createConfigMap(ns, `cm-${String(i).padStart(2, '0')}`);
    const r = run<ConfigMap>({
      path: `/api/v1/namespaces/${ns}/configmaps`,
      labelSelector: label,
      pageSize: 10,
    });
    try {
      await r.informer.whenSynced();
      assert.deepEqual(r.lists, [{ items: 25, pages: 3 }]);
      assert.equal(r.informer.store.size, 25);
      assert.equal(r.events.length, 25);
    } finally {
      await r.stop();
    }
  });

  it('indexes pods by node and by uid, and keeps the index right through binding and deletion', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('inf-index');
    // Unschedulable nodes: the pod GC keeps pods bound to existing nodes, and the scheduler leaves
    // the unbound pod alone.
    const nodes = [`${ns}-n1`, `${ns}-n2`];
    for (const name of nodes)
      await admin.request({
        method: 'POST',
        path: '/api/v1/nodes',
        body: { metadata: { name }, spec: { unschedulable: true } },
      });
    const createPod = (name: string, nodeName?: string) =>
      admin.request<Pod>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name },
          spec: {
            ...(nodeName !== undefined ? { nodeName } : {}),
            containers: [{ name: 'c', image: 'pause' }],
          },
        },
      });
    const [n1, n2] = nodes as [string, string];
    const p1 = await createPod('p1', n1);
    await createPod('p2', n1);
    await createPod('p3', n2);
    await createPod('p4');
    const r = run<Pod>({
      path: `/api/v1/namespaces/${ns}/pods`,
      indexes: { byNode: indexPodsByNodeName, byUid: indexByUid },
    });
    const onNode = (node: string): string[] =>
      r.informer.store
        .byIndex('byNode', node)
        .map((p) => p.metadata.name)
        .sort();
    try {
      await r.informer.whenSynced();
      assert.deepEqual(onNode(n1), ['p1', 'p2']);
      assert.deepEqual(onNode(n2), ['p3']);
      assert.deepEqual(
        r.informer.store.byIndex('byUid', p1.metadata.uid ?? '').map((p) => p.metadata.name),
        ['p1'],
      );

      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods/p4/binding`,
        body: { metadata: { name: 'p4' }, target: { kind: 'Node', name: n2 } },
      });
      await admin.request({
        method: 'DELETE',
        path: `/api/v1/namespaces/${ns}/pods/p1?gracePeriodSeconds=0`,
      });
      await eventually(() => {
        assert.deepEqual(onNode(n2), ['p3', 'p4']);
        assert.deepEqual(onNode(n1), ['p2']);
      });
      assert.deepEqual(r.informer.store.byIndex('byUid', p1.metadata.uid ?? ''), []);
    } finally {
      await r.stop();
      for (const name of nodes) await admin.request({ method: 'DELETE', path: `/api/v1/nodes/${name}` });
    }
  });

  it('follows edge nodes by label selector: labelling adds a node, unlabelling deletes it', async () => {
    const { admin, namespace } = getCluster();
    const prefix = await namespace('inf-edge');
    const edge = `${prefix}-edge`;
    const plain = `${prefix}-plain`;
    const edgeLabel = 'node-role.kubernetes.io/edge';
    await admin.request({
      method: 'POST',
      path: '/api/v1/nodes',
      body: { metadata: { name: edge, labels: { [edgeLabel]: '' } } },
    });
    await admin.request({ method: 'POST', path: '/api/v1/nodes', body: { metadata: { name: plain } } });
    const r = run<KubeObject>({ path: '/api/v1/nodes', name: 'edge-nodes', labelSelector: edgeLabel });
    const ours = (): string[] =>
      r.informer.store
        .keys()
        .filter((k) => k.startsWith(prefix))
        .sort();
    const relabel = (name: string, value: string | null) =>
      admin.request({
        method: 'PATCH',
        path: `/api/v1/nodes/${name}`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { labels: { [edgeLabel]: value } } },
      });
    try {
      await r.informer.whenSynced();
      assert.deepEqual(ours(), [edge]);
      await relabel(plain, '');
      await relabel(edge, null);
      await eventually(() => {
        assert.deepEqual(ours(), [plain]);
      });
      // The node lifecycle controller also updates these nodes (taints) whenever it likes: count only
      // the membership events the label selector decides.
      const mine = r.events.filter((e) => e.object.metadata.name.startsWith(prefix) && e.type !== 'update');
      assert.deepEqual(
        mine.map((e) => `${e.type} ${e.object.metadata.name}`),
        [`add ${edge}`, `add ${plain}`, `delete ${edge}`],
      );
    } finally {
      await r.stop();
      for (const name of [edge, plain])
        await admin.request({ method: 'DELETE', path: `/api/v1/nodes/${name}` });
    }
  });

  it('relists when the API server answers a watch with 410 Gone, and keeps watching after', async () => {
    const { admin, cluster, namespace } = getCluster();
    const ns = await namespace('inf-gone');
    await createConfigMap(ns, 'a');
    await cluster.restartApiServer();
    // A restarted API server's watch cache starts at the current revision, so a watch from
    // resourceVersion 1 gets a real ERROR 410 ("too old resource version"). (On a cluster's first start
    // the cache still holds all of etcd's short history and would serve such a watch.) Watches are
    // redirected to resourceVersion 1 until the informer has seen the 410; nothing else is changed.
    let sawGone = (): boolean => false;
    const client: ListWatchClient = {
      request: (req) => admin.request(req),
      openStream: (req) => {
        const path = sawGone() ? req.path : req.path.replace(/resourceVersion=\d+/, 'resourceVersion=1');
        return admin.openStream({ ...req, path });
      },
    };
    const r = run<ConfigMap>({ client, path: `/api/v1/namespaces/${ns}/configmaps`, labelSelector: label });
    sawGone = () => r.restarts.includes('gone');
    try {
      await r.informer.whenSynced();
      await eventually(() => {
        assert.ok(r.restarts.includes('gone'), `restarts: ${r.restarts.join(', ')}`);
        assert.ok(r.lists.length >= 2, 'relisted after the 410');
      });
      await createConfigMap(ns, 'b');
      await eventually(() => {
        assert.deepEqual(summary(r.events), ['add a', 'add b']);
      });
    } finally {
      await r.stop();
    }
  });

  it('lists its pages over pooled keep-alive connections, not one per call', async () => {
    const { cluster, namespace } = getCluster();
    const ns = await namespace('inf-pool');
    for (let i = 0; i < 5; i += 1) await createConfigMap(ns, `cm-${String(i)}`);
    const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
    let connections = 0;
    const onConnected = (): void => {
      connections += 1;
    };
    subscribe('undici:client:connected', onConnected);
    const r = run<ConfigMap>({
      client,
      path: `/api/v1/namespaces/${ns}/configmaps`,
      labelSelector: label,
      pageSize: 2,
    });
    try {
      await r.informer.whenSynced();
      await createConfigMap(ns, 'late', client);
      await eventually(() => {
        assert.equal(r.informer.store.size, 6);
      });
      assert.deepEqual(r.lists, [{ items: 5, pages: 3 }]);
      // HTTP/1.1 (kube/http1-dispatcher.ts): the three pages reuse one connection, the watch holds one,
      // the create needs one while the watch runs. A dispatcher per call (client-node's
      // applySecurityAuthentication) would open five.
      assert.ok(connections <= 3, `${String(connections)} connections opened`);
    } finally {
      unsubscribe('undici:client:connected', onConnected);
      await r.stop();
    }
  });

  it('loses no change across an API server restart: the cache converges to the API and every change is delivered', async () => {
    const { admin, cluster, namespace } = getCluster();
    const ns = await namespace('inf-restart');
    for (const name of ['keep', 'update-before', 'delete-before', 'update-after', 'delete-after'])
      await createConfigMap(ns, name);
    // While `isHeld`, watch bytes are held back and die with their connection: the changes made just
    // before the server goes away are then surely lost in flight, as on a real outage, and the informer
    // must find them again by itself.
    let isHeld = false;
    const client: ListWatchClient = {
      request: (req) => admin.request(req),
      openStream: async (req) => {
        const body = await admin.openStream(req);
        return (async function* () {
          const held: Uint8Array[] = [];
          for await (const chunk of body) {
            held.push(chunk);
            if (!isHeld) yield* held.splice(0);
          }
        })();
      },
    };
    const r = run<ConfigMap>({ client, path: `/api/v1/namespaces/${ns}/configmaps`, labelSelector: label });
    try {
      await r.informer.whenSynced();
      const initial = r.events.length;
      isHeld = true;
      await createConfigMap(ns, 'create-before');
      await setConfigMap(ns, 'update-before', '2');
      await deleteConfigMap(ns, 'delete-before');
      assert.equal(r.events.length, initial, 'nothing reached the informer before the restart');
      await cluster.restartApiServer({ downMs: 2000 });
      isHeld = false;
      // Changed right after the server is back, while the informer is still reconnecting.
      await untilWritten(() => createConfigMap(ns, 'create-after'));
      await untilWritten(() => setConfigMap(ns, 'update-after', '2'));
      await untilWritten(() => deleteConfigMap(ns, 'delete-after'));

      const expected = await apiState(ns);
      await eventually(() => {
        assert.deepEqual([...cacheState(r.informer)].sort(), [...expected].sort());
      });
      assert.equal(r.informer.hasSynced, true, 'stays synced through the outage');
      assert.deepEqual(summary(r.events.slice(initial)).sort(), [
        'add create-after',
        'add create-before',
        'delete delete-after',
        'delete delete-before',
        'update update-after 1->2',
        'update update-before 1->2',
      ]);
      // The restarted server's watch cache starts after the informer's resourceVersion: 410, relist,
      // and the relist reports the delete it could not see as such.
      assert.ok(r.restarts.includes('gone'), `restarts: ${r.restarts.join(', ')}`);
      const lostDelete = r.events.find(
        (e) => e.type === 'delete' && e.object.metadata.name === 'delete-before',
      );
      assert.ok(lostDelete?.type === 'delete' && lostDelete.finalStateUnknown);
    } finally {
      await r.stop();
    }
  });
});
