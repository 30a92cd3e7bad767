/**
 * The informer metrics hook connected end to end (issue 16 item 5): a controller against the real API
 * server reports its informers' lists, events and lag under the informer's name.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();
let ctl: TestController;

describe('metrics', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath);
  });
  after(async () => {
    await ctl.controller.stop();
  });

  it('counts every informer list and reports each informer lag', async () => {
    for (const informer of [
      'pods',
      'configmaps',
      'secrets',
      'nodes',
      'persistentvolumes',
      'objectsyncs',
      'clusterobjectsyncs',
    ]) {
      assert.ok((await ctl.metric('edgecontroller_informer_lists_total', { informer })) >= 1, informer);
      const lag = await ctl.controller.metrics.informer.lag.get();
      assert.ok(
        lag.values.some((v) => v.labels['informer'] === informer),
        `no lag series for ${informer}`,
      );
    }
  });

  it('counts the events an informer delivers, by type', async () => {
    const { admin } = getCluster();
    const name = `metrics-${randomUUID().slice(0, 8)}`;
    const count = (type: string): Promise<number> =>
      ctl.metric('edgecontroller_informer_events_total', { informer: 'configmaps', type });
    const added = await count('add');
    const deleted = await count('delete');
    await admin.request({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } },
    });
    await eventually(async () => {
      assert.equal(await count('add'), added + 1);
    });
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/default/configmaps/${name}` });
    await eventually(async () => {
      assert.equal(await count('delete'), deleted + 1);
    });
  });
});
