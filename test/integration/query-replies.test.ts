/**
 * Every query gets its answer, also when several ask for the same object at once (several pods starting
 * on one node read the same Secret). Replies share the ACK path with pushes, one version per object, so a
 * reply waiting behind another in flight used to be replaced by the next reply of the same object, and
 * that request went unanswered until the edge's 60 s timeout. The edge is the independent raw client
 * (test/support/raw-edge), which does not ACK the first reply until the second request has its answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { RawEdge, ackOf, mintIdentity, request } from '../support/raw-edge/index.js';
import type { WireMessage } from '../support/raw-edge/index.js';

const getCluster = useLocalCluster();
let ctl: TestController;
let edge: RawEdge | undefined;

describe('query replies', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath);
  });
  after(async () => {
    edge?.terminate();
    await ctl.controller.stop();
  });

  it('answers three queries of one Secret asked at once, the one whose reply was replaced included', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('queries');
    const node = 'query-node';
    await admin.request({
      method: 'POST',
      path: '/api/v1/nodes',
      body: { metadata: { name: node, labels: { 'node-role.kubernetes.io/edge': '' } } },
    });
    const secret = await admin.request<{ metadata: { resourceVersion: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/secrets`,
      body: { metadata: { name: 'shared' }, data: { k: 'dg==' } },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'p' },
        spec: {
          nodeName: node,
          containers: [{ name: 'c', image: 'busybox' }],
          volumes: [{ name: 's', secret: { secretName: 'shared' } }],
        },
      },
    });
    edge = await RawEdge.connect({
      hub: ctl.hubServer,
      identity: await mintIdentity(ctl.httpServer, await ctl.token(), node),
      autoAck: false,
      keepaliveMs: 5_000,
    });
    const resource = `${ns}/secret/shared`;
    const asked = [request('query', resource), request('query', resource), request('query', resource)];
    const displaced0 = await ctl.metric('edgecontroller_hub_displaced_replies_total');
    const [first, second, third] = asked.map((q) => (edge as RawEdge).request(q, 45_000)) as [
      Promise<WireMessage>,
      Promise<WireMessage>,
      Promise<WireMessage>,
    ];
    // The first reply stays un-ACKed (in flight) until the second is answered: the second reply waits
    // behind it, and the third replaces it in the queue.
    const r1 = await first;
    const r2 = await second;
    await edge.send(ackOf(r1));
    const r3 = await third;
    for (const [i, reply] of [r1, r2, r3].entries()) {
      assert.equal(reply.route.operation, 'response', `reply ${String(i + 1)}`);
      assert.equal(reply.header.parent_msg_id, (asked[i] as WireMessage).header.msg_id);
      const content = reply.content as { metadata?: { name?: string; resourceVersion?: string } };
      assert.deepEqual(
        [content.metadata?.name, content.metadata?.resourceVersion],
        ['shared', secret.metadata.resourceVersion],
      );
    }
    assert.ok((await ctl.metric('edgecontroller_hub_displaced_replies_total')) > displaced0);
  });
});
