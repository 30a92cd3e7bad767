/**
 * Issue 12, row 4: one node floods 400,000 pod status patches (the probe: in 17 s). Another node's lease
 * renewals and ServiceAccount token requests must never be refused or time out meanwhile (the probe saw
 * every lease renewal refused "queue is full" for 17 s: the waiting slots were shared by all nodes).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { RawEdge, WellBehavedNode, nodeObject, replyStatus, request } from '../support/raw-edge/index.js';
import { assertAlive, useTarget } from './lib/target.js';

const getCluster = useLocalCluster();
let getTarget: ReturnType<typeof useTarget>;
const floodSize = 400_000;

describe('fair admission upstream', () => {
  getTarget = useTarget(getCluster);
  let good: WellBehavedNode | undefined;
  let flooder: RawEdge | undefined;
  after(async () => {
    await good?.stop();
    flooder?.terminate();
  });

  it('keeps another node’s lease renewals and SA tokens flowing while one node floods 400,000 status patches', async (t) => {
    const { controller, mint, name, cluster } = getTarget();
    const ns = await cluster.namespace('flood');
    good = await WellBehavedNode.start({ hub: controller.hubServer, identity: await mint(name('good')) });
    flooder = await RawEdge.connect({
      hub: controller.hubServer,
      identity: await mint(name('flooder')),
      autoAck: true,
      keepaliveMs: 5_000,
      keepReceived: false,
    });
    await flooder.request(request('insert', `null/node/${flooder.nodeName}`, nodeObject(flooder.nodeName)));
    const pods = ['busy-0', 'busy-1', 'busy-2', 'busy-3', 'busy-4'];
    for (const pod of pods) {
      await cluster.admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name: pod },
          spec: { nodeName: flooder.nodeName, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
    }
    const ownPod = await cluster.admin.request<{ metadata: { uid: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'good-pod' },
        spec: { nodeName: good.name, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    await good.waitForPush(`${ns}/pod/good-pod`);
    const tokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'default', namespace: ns },
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'good-pod', uid: ownPod.metadata.uid },
      },
    };
    const token = await good.edge.request(
      request('query', `${ns}/serviceaccounttoken/default`, tokenRequest),
    );
    assert.equal(replyStatus(token), 200, 'the good node’s SA token works before the flood');

    // The flood: frames written as fast as the socket takes them, replies read and counted.
    let floodReplies = 0;
    let floodRefused = 0;
    flooder.onMessage((m) => {
      if ((m.header.parent_msg_id ?? '') === '') return;
      floodReplies += 1;
      if (replyStatus(m) !== 200) floodRefused += 1;
    });
    const missedBefore = good.missed.length;
    const renewedBefore = good.renewed;
    const tokenFailures: string[] = [];
    let tokens = 0;
    const state = { flooding: true };
    const tokenLoop = (async () => {
      while (state.flooding) {
        try {
          const reply = await good.edge.request(
            request('query', `${ns}/serviceaccounttoken/default`, tokenRequest),
            10_000,
          );
          if (replyStatus(reply) === 200) tokens += 1;
          else tokenFailures.push(JSON.stringify(reply.content).slice(0, 200));
        } catch (err) {
          tokenFailures.push((err as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
    const started = performance.now();
    const sends: Promise<boolean>[] = [];
    for (let i = 0; i < floodSize && flooder.isOpen; i++) {
      const pod = pods[i % pods.length] ?? '';
      sends.push(
        flooder.send(
          `{"header":{"msg_id":"${randomUUID()}","timestamp":${String(Date.now())}},"route":{"source":"edged","group":"meta","operation":"patch","resource":"${ns}/podpatch/${pod}"},"content":"{\\"status\\":{\\"message\\":\\"flood ${String(i)}\\"}}"}`,
        ),
      );
      if (sends.length >= 2_000) {
        await Promise.all(sends);
        sends.length = 0;
      }
    }
    await Promise.all(sends);
    const sentMs = performance.now() - started;
    const sent = flooder.stats.framesOut;
    // Keep watching the other node for as long again as the flood took to send, while the backlog drains.
    await new Promise((resolve) => setTimeout(resolve, Math.max(10_000, Math.min(sentMs, 60_000))));
    state.flooding = false;
    await tokenLoop;
    assertAlive(controller);
    const renewals = good.renewed - renewedBefore;
    t.diagnostic(
      `flood: ${String(sent)} frames sent in ${(sentMs / 1000).toFixed(1)} s, ${String(floodReplies)} replies (${String(floodRefused)} refusals), flooder ${flooder.isOpen ? 'still connected' : `disconnected ${JSON.stringify(flooder.closeInfo)}`}; other node: ${String(renewals)} renewals (slowest ${good.slowestMs.toFixed(0)} ms), ${String(tokens)} tokens`,
    );
    assert.deepEqual(
      good.missed.slice(missedBefore),
      [],
      `the other node missed lease renewals during the flood (flood replies ${String(floodReplies)}, refused ${String(floodRefused)})`,
    );
    assert.ok(renewals >= 3, `the other node renewed its lease during the flood (${String(renewals)} times)`);
    assert.deepEqual(tokenFailures, [], 'the other node’s SA token requests were never refused');
    assert.ok(tokens >= 3, `the other node got SA tokens during the flood (${String(tokens)})`);
  });
});
