/**
 * The API client's limiter (src/kube/request-limiter.ts) against a real kube-apiserver: a node-class
 * request is not held behind a backlog of bulk ones, informer watches hold no in-flight slot, and a
 * request given up while waiting or in flight frees its place. Order is asserted, never time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Informer, KubeClient, loadKubeConfig, objectKey } from '../../src/kube/index.js';
import type { KubeClientOptions, KubeObject, RequestClass } from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();

/** A client of the test cluster with these limits, recording the class of each request as it starts. */
function limitedClient(limits: KubeClientOptions['limits']): { client: KubeClient; started: RequestClass[] } {
  const started: RequestClass[] = [];
  const client = new KubeClient({
    kubeConfig: loadKubeConfig({ path: getCluster().cluster.kubeconfigPath }),
    ...(limits !== undefined ? { limits } : {}),
    metrics: {
      observeWait: (cls) => started.push(cls),
      setLimiterSource: () => undefined,
    },
  });
  return { client, started };
}

interface ConfigMap extends KubeObject {
  readonly metadata: KubeObject['metadata'] & { readonly resourceVersion?: string };
}

describe('API client limiter', () => {
  it('with qps 5 and burst 5, a node-class write queued after 50 bulk writes reaches the API server sixth', async () => {
    const ns = await getCluster().namespace('limiter');
    const { client, started } = limitedClient({ qps: 5, burst: 5 });
    const create = (name: string, priority: RequestClass): Promise<ConfigMap> =>
      client.request<ConfigMap>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/configmaps`,
        body: { metadata: { name } },
        priority,
      });
    const bulk = Array.from({ length: 50 }, (_, i) => create(`bulk-${String(i)}`, 'bulk'));
    const node = create('node', 'node');
    const [written, nodeWritten] = await Promise.all([Promise.all(bulk), node]);

    // The limiter's order: the first five bulk writes took the burst, the node write the next token.
    assert.deepEqual(started, [
      ...Array<RequestClass>(5).fill('bulk'),
      'node',
      ...Array<RequestClass>(45).fill('bulk'),
    ]);
    // The API server's order (etcd revisions): after the burst, before every other bulk write.
    const rv = (cm: ConfigMap): number => Number(cm.metadata.resourceVersion);
    const nodeRv = rv(nodeWritten);
    for (const cm of written.slice(0, 5)) assert.ok(rv(cm) < nodeRv, `${cm.metadata.name} after node`);
    for (const cm of written.slice(5)) assert.ok(rv(cm) > nodeRv, `${cm.metadata.name} before node`);
  });

  it('informer watches keep working with the in-flight cap at 1, and requests still pass beside them', async () => {
    const ns = await getCluster().namespace('limiter');
    const { client } = limitedClient({ maxInFlight: 1 });
    const controller = new AbortController();
    // Two informers: if a watch held the only slot, the second one's list could never be sent.
    const informers = ['configmaps', 'secrets'].map(
      (resource) => new Informer<KubeObject>({ client, path: `/api/v1/namespaces/${ns}/${resource}` }),
    );
    try {
      for (const informer of informers) informer.start(controller.signal);
      await eventually(() => {
        assert.ok(
          informers.every((i) => i.hasSynced),
          'both informers listed',
        );
      });
      const [configmaps, secrets] = informers;
      assert.ok(configmaps !== undefined && secrets !== undefined);

      // Written through the capped client itself, while both watches are open.
      await client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/configmaps`,
        body: { metadata: { name: 'seen' } },
      });
      await client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/secrets`,
        body: { metadata: { name: 'seen' } },
      });
      await eventually(() => {
        assert.ok(configmaps.store.get(objectKey(ns, 'seen')), 'configmap seen by its watch');
        assert.ok(secrets.store.get(objectKey(ns, 'seen')), 'secret seen by its watch');
      });
    } finally {
      controller.abort();
      await Promise.all(informers.map((i) => i.stop()));
    }
  });

  it('a request given up while waiting leaves the queue unsent; one aborted in flight frees the slot', async () => {
    const ns = await getCluster().namespace('limiter');
    const { client, started } = limitedClient({ maxInFlight: 1 });
    // A long GET through request() (not openStream): it holds the only slot until aborted.
    const holder = new AbortController();
    const holding = client.request({
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/configmaps?watch=true&timeoutSeconds=600`,
      signal: holder.signal,
    });
    const waiter = new AbortController();
    const waiting = client.request({
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      signal: waiter.signal,
    });
    assert.deepEqual(started, ['bulk'], 'the second request waits for the slot');

    waiter.abort(new Error('caller gave up'));
    await assert.rejects(waiting, /caller gave up/);
    assert.deepEqual(started, ['bulk'], 'the given-up request was never sent');

    holder.abort(new Error('stop holding'));
    await assert.rejects(holding, /stop holding/);
    const list = await client.request<{ items: unknown[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/configmaps`,
    });
    assert.ok(Array.isArray(list.items));
    assert.deepEqual(started, ['bulk', 'bulk']);
  });
});
