/**
 * The hub against real parts: a real kube-apiserver holds the kubeedge Secrets, edges join through the
 * real token flow and connect over mTLS on loopback with the certificate they were issued.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { newMessageId, newPush, parseNodeName } from '../../src/protocol/index.js';
import type { Message, MessageId, NodeName, ResourcePath } from '../../src/protocol/index.js';
import { JoinError } from '../../src/sim/index.js';
import type { EdgeClient, EdgeIdentity } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';
import { fence } from '../support/fence.js';

const getCluster = useLocalCluster();
let ctl: TestController;
const hubOptions = {
  windowSize: 8,
  ackTimeoutMs: 300,
  maxAckTimeoutMs: 1000,
  keepaliveTimeoutMs: 5000,
  maxBadFrames: 5,
  maxFrameBytes: 64 * 1024,
};

const open: EdgeClient[] = [];
const rawSockets: WebSocket[] = [];

let seq = 0;
function node(prefix: string): NodeName {
  seq += 1;
  const name = parseNodeName(`${prefix}-${String(seq)}`);
  assert.ok(name !== undefined);
  return name;
}

function id(): MessageId {
  return newMessageId();
}

function podPush(name: string, resourceVersion: string, uid = `uid-${name}`): Message {
  return newPush({
    id: id(),
    now: Date.now(),
    resource: `default/pod/${name}` as ResourcePath,
    operation: 'update',
    resourceVersion,
    content: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid, resourceVersion },
      spec: { nodeName: 'x' },
    },
  });
}

async function joined(prefix: string, options: Parameters<TestController['connect']>[1] = {}) {
  const name = node(prefix);
  const identity = await ctl.join(name);
  const edge = await ctl.connect(identity, options);
  open.push(edge);
  return { name, identity, edge };
}

function pushesOf(edge: EdgeClient): Message[] {
  return edge.received.filter((m) => m.header.parent_msg_id === undefined);
}

/** How many ACKs the hub has timed (observations of its ACK latency histogram). */
async function ackLatencyCount(): Promise<number> {
  const { values } = await ctl.controller.metrics.hub.ackLatency.get();
  return values.find((v) => v.metricName === 'edgecontroller_hub_ack_latency_seconds_count')?.value ?? 0;
}

describe('hub', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, { hub: hubOptions });
  });
  after(async () => {
    await Promise.all(open.map((e) => e.close()));
    for (const ws of rawSockets) ws.terminate();
    await ctl.controller.stop();
  });

  describe('join and connect', () => {
    it('issues a certificate for a token join and accepts the WebSocket with it', async () => {
      const { name, edge } = await joined('join');
      assert.ok(ctl.controller.hub.isConnected(name));
      assert.ok((await ctl.metric('edgecontroller_hub_connects_total', { result: 'accepted' })) >= 1);
      assert.ok(
        (await ctl.metric('edgecontroller_certs_issuances_total', { method: 'token', result: 'issued' })) >=
          1,
      );
      await edge.close();
    });

    it('never writes the join token into its logs', async () => {
      const token = await ctl.token();
      await joined('nolog');
      const jwt = token.split('.').slice(1).join('.');
      assert.ok(!ctl.logs.some((line) => line.includes(jwt)), 'the JWT appears in a log line');
    });

    it('refuses a wrong token with 401', async () => {
      const token = await ctl.token();
      const forged = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
      const { joinWithToken } = await import('../../src/sim/index.js');
      await assert.rejects(
        joinWithToken({ httpServer: ctl.httpServer, nodeName: node('forged'), token: forged }),
        (err: unknown) => err instanceof JoinError && err.status === 401,
      );
    });

    it('refuses a connection whose certificate names another node', async () => {
      const a = await ctl.join(node('owner'));
      const other = node('intruder');
      await assert.rejects(ctl.connect(a, { headers: { node_id: other } }), /403/);
      assert.ok(!ctl.controller.hub.isConnected(other));
      assert.ok(
        (await ctl.metric('edgecontroller_hub_connects_total', { result: 'identity_mismatch' })) >= 1,
      );
    });

    it('sets the cloudcore annotation on the node when it connects', async () => {
      const { admin } = getCluster();
      const name = node('annotated');
      await admin.request({ method: 'POST', path: '/api/v1/nodes', body: { metadata: { name } } });
      const edge = await ctl.connect(await ctl.join(name));
      open.push(edge);
      await eventually(async () => {
        const n = await admin.request<{ metadata: { annotations?: Record<string, string> } }>({
          method: 'GET',
          path: `/api/v1/nodes/${name}`,
        });
        assert.equal(n.metadata.annotations?.['cloudcore'], '127.0.0.1');
      });
    });

    it('refuses new nodes beyond the node limit, and closes the refused socket', async () => {
      const { admin, cluster } = getCluster();
      const limited = await (
        await import('../support/controller.js')
      ).startTestController(admin, cluster.kubeconfigPath, {
        hub: { ...hubOptions, nodeLimit: 1 },
      });
      try {
        const first = await limited.connect(await limited.join(node('limit')));
        await assert.rejects(limited.connect(await limited.join(node('limit'))), /503/);
        assert.equal(limited.controller.hub.connectedNodes().length, 1);
        assert.equal(await limited.metric('edgecontroller_hub_connects_total', { result: 'node_limit' }), 1);
        await first.close();
      } finally {
        await limited.controller.stop();
      }
    });

    it('replaces the session of a node that connects again', async () => {
      const { name, identity, edge: first } = await joined('twice');
      const closed = new Promise<number>((r) =>
        first.once('close', (code: number) => {
          r(code);
        }),
      );
      const second = await ctl.connect(identity);
      open.push(second);
      assert.equal(await closed, 1000);
      assert.ok(ctl.controller.hub.isConnected(name));
      ctl.controller.hub.enqueue(name, podPush('after-replace', '5'));
      await eventually(() => {
        assert.ok(second.store.has('default/pod/after-replace'));
      });
      assert.ok((await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'replaced' })) >= 1);
    });

    it('closes the session and drops the queue of a node that is forgotten (deleted)', async () => {
      const { name, edge } = await joined('deleted', { autoAck: false });
      ctl.controller.hub.enqueue(name, podPush('orphan', '1'));
      await eventually(() => {
        assert.equal(pushesOf(edge).length, 1);
      });
      const closed = new Promise<number>((r) =>
        edge.once('close', (c: number) => {
          r(c);
        }),
      );
      ctl.controller.hub.forgetNode(name);
      assert.equal(await closed, 1000);
      assert.equal(ctl.controller.hub.nodeState(name), undefined);
      assert.ok((await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'node_deleted' })) >= 1);
    });

    it('closes a session whose keepalives stop', async () => {
      const { name, edge } = await joined('silent', { keepaliveIntervalMs: 0 });
      const code = await new Promise<number>((r) =>
        edge.once('close', (c: number) => {
          r(c);
        }),
      );
      assert.equal(code, 1001);
      assert.ok(!ctl.controller.hub.isConnected(name));
      assert.ok(
        (await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'keepalive_timeout' })) >= 1,
      );
    });
  });

  describe('reliable delivery', () => {
    it('resends an un-ACKed push with the same msg_id until it is ACKed', async () => {
      const { name, edge } = await joined('resend', { autoAck: false });
      ctl.controller.hub.enqueue(name, podPush('r1', '10'));
      const copies = await eventually(() => {
        const seen = pushesOf(edge).filter((m) => m.route.resource === 'default/pod/r1');
        assert.ok(seen.length >= 2, 'sent again after the ACK timeout');
        return seen;
      });
      assert.equal(new Set(copies.map((m) => m.header.msg_id)).size, 1, 'a resend keeps the msg_id');
      const first = copies[0];
      assert.ok(first !== undefined);
      edge.ack(first);
      // Once the hub has taken the ACK, the push is neither in flight nor pending: nothing is left that a
      // timer could resend. The fence lets every copy written before the ACK arrive first.
      await fence(edge);
      const queue = ctl.controller.hub.nodeState(name)?.queue;
      assert.equal(queue?.inFlight, 0, 'the ACKed push is no longer in flight');
      assert.equal(queue.pendingAck, 0, 'nothing waits to be sent');
      assert.equal(queue.ackedTotal, 1);
      assert.equal(new Set(pushesOf(edge).map((m) => m.header.msg_id)).size, 1, 'every copy kept its msg_id');
      assert.ok((await ctl.metric('edgecontroller_hub_resends_total')) >= 1);
    });

    it('keeps at most windowSize messages in flight, and one per object key', async () => {
      const { name, edge } = await joined('window', { autoAck: false });
      for (let i = 0; i < 20; i++) ctl.controller.hub.enqueue(name, podPush(`w${String(i)}`, '1'));
      await eventually(() => {
        assert.equal(new Set(pushesOf(edge).map((m) => m.header.msg_id)).size, hubOptions.windowSize);
      });
      // The 20 were queued in one turn and the window filled in it: a ninth message would have been
      // written before the fence's reply.
      await fence(edge);
      assert.equal(new Set(pushesOf(edge).map((m) => m.header.msg_id)).size, hubOptions.windowSize);
      const queue = ctl.controller.hub.nodeState(name)?.queue;
      assert.equal(queue?.inFlight, hubOptions.windowSize);
      assert.equal(queue.pendingAck, 20 - hubOptions.windowSize);
      const first = pushesOf(edge)[0];
      assert.ok(first !== undefined);
      edge.ack(first);
      await eventually(() => {
        assert.equal(new Set(pushesOf(edge).map((m) => m.header.msg_id)).size, hubOptions.windowSize + 1);
      });
    });

    it('sends only the latest version of an object once the one in flight is ACKed', async () => {
      const { name, edge } = await joined('coalesce', { autoAck: false });
      ctl.controller.hub.enqueue(name, podPush('c1', '1'));
      const v1 = await eventually(() => {
        const m = pushesOf(edge).find((p) => p.header.resourceversion === '1');
        assert.ok(m !== undefined);
        return m;
      });
      ctl.controller.hub.enqueue(name, podPush('c1', '2'));
      ctl.controller.hub.enqueue(name, podPush('c1', '3'));
      assert.equal(ctl.controller.hub.enqueue(name, podPush('c1', '2')), 'dropped-stale');
      edge.ack(v1);
      const v3 = await eventually(() => {
        const m = pushesOf(edge).find((p) => p.header.resourceversion === '3');
        assert.ok(m !== undefined);
        return m;
      });
      edge.ack(v3);
      assert.ok(
        !pushesOf(edge).some((p) => p.header.resourceversion === '2'),
        'version 2 was coalesced away',
      );
    });

    it('resends un-ACKed messages first on the next session after a reconnect', async () => {
      const { name, identity, edge } = await joined('reconnect', { autoAck: false });
      for (const n of ['a', 'b', 'c']) ctl.controller.hub.enqueue(name, podPush(`rc-${n}`, '4'));
      const sent = await eventually(() => {
        const ids = new Set(pushesOf(edge).map((m) => m.header.msg_id));
        assert.equal(ids.size, 3);
        return ids;
      });
      edge.kill();
      await eventually(() => {
        assert.ok(!ctl.controller.hub.isConnected(name));
      });
      const timedBefore = await ackLatencyCount();
      const again = await ctl.connect(identity);
      open.push(again);
      await eventually(() => {
        assert.deepEqual(
          new Set(
            pushesOf(again)
              .slice(0, 3)
              .map((m) => m.header.msg_id),
          ),
          sent,
        );
      });
      await eventually(async () => {
        assert.equal(ctl.controller.hub.nodeState(name)?.queue.inFlight, 0);
        assert.ok(
          (await ackLatencyCount()) >= timedBefore + 3,
          'the three resent pushes were ACKed and timed',
        );
      });
    });
  });

  describe('graceful deletion (issue 11)', () => {
    function podMessage(operation: 'update' | 'delete', name: string, resourceVersion: string): Message {
      return newPush({
        id: id(),
        now: Date.now(),
        resource: `default/pod/${name}` as ResourcePath,
        operation,
        resourceVersion,
        content: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: 'default',
            uid: `uid-${name}`,
            resourceVersion,
            deletionTimestamp: new Date().toISOString(),
            deletionGracePeriodSeconds: 30,
          },
          spec: { nodeName: 'x' },
        },
      });
    }

    it('sends the final delete after the ACK of the deletionTimestamp update still in flight', async () => {
      const { name, edge } = await joined('graceful', { autoAck: false });
      const deleteDrops = async (): Promise<number> =>
        (await ctl.metric('edgecontroller_hub_dropped_deliveries_total', {
          reason: 'superseded_by_delete',
        })) +
        (await ctl.metric('edgecontroller_hub_dropped_deliveries_total', { reason: 'duplicate_delete' }));
      const dropsBefore = await deleteDrops();
      const forPod = (): Message[] => pushesOf(edge).filter((m) => m.route.resource === 'default/pod/g1');
      assert.equal(ctl.controller.hub.enqueue(name, podMessage('update', 'g1', '20')), 'queued');
      const update = await eventually(() => {
        const [first] = forPod();
        assert.ok(first !== undefined);
        return first;
      });
      assert.equal(ctl.controller.hub.enqueue(name, podMessage('delete', 'g1', '21')), 'queued');
      // A resend of the update proves the hub has pumped since the delete was queued.
      await eventually(() => {
        assert.ok(forPod().length >= 2, 'the un-ACKed update is resent');
      });
      assert.ok(
        forPod().every((m) => m.route.operation === 'update'),
        'no delete while the update is un-ACKed',
      );
      edge.ack(update);
      const final = await eventually(() => {
        const found = forPod().find((m) => m.route.operation === 'delete');
        assert.ok(found !== undefined, 'the final delete reached the edge');
        return found;
      });
      assert.notEqual(final.header.msg_id, update.header.msg_id);
      edge.ack(final);
      await eventually(() => {
        const queue = ctl.controller.hub.nodeState(name)?.queue;
        assert.equal(queue?.inFlight, 0);
        assert.equal(queue.trackedObjects, 0, 'the ACKed delete forgets the pod');
      });
      assert.equal(await deleteDrops(), dropsBefore);
    });
  });

  describe('ACKs of replies (issue 11)', () => {
    interface WireFrame {
      header: { msg_id: string; parent_msg_id?: string; timestamp: number };
      route: { source?: string; group?: string; operation?: string; resource?: string };
      content: unknown;
    }

    /**
     * An independent raw client: the WebSocket and the KubeEdge frames written by hand, not with the
     * simulator or our codec, so both sides cannot share a mistake.
     */
    async function rawEdge(identity: EdgeIdentity): Promise<{
      ws: WebSocket;
      send: (frame: WireFrame) => void;
      replyTo: (requestId: string) => Promise<WireFrame>;
    }> {
      const ws = new WebSocket(
        `wss://${ctl.hubServer}/e632aba927ea4ac2b575ec1603d56f10/${identity.nodeName}/events`,
        {
          ca: identity.caPem,
          cert: identity.certPem,
          key: identity.keyPem,
          headers: {
            node_id: identity.nodeName,
            project_id: 'e632aba927ea4ac2b575ec1603d56f10',
            ConnectionUse: 'msg',
          },
        },
      );
      const frames: WireFrame[] = [];
      ws.on('message', (data: Buffer) => {
        frames.push(JSON.parse(data.toString('utf8')) as WireFrame);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => {
          resolve();
        });
        ws.once('error', reject);
      });
      rawSockets.push(ws);
      return {
        ws,
        send: (frame) => {
          ws.send(JSON.stringify(frame));
        },
        replyTo: (requestId) =>
          eventually(() => {
            const reply = frames.find((f) => f.header.parent_msg_id === requestId);
            assert.ok(reply !== undefined, `a reply to ${requestId}`);
            return reply;
          }),
      };
    }

    /** The ACK KubeEdge's metamanager sends for a reply it got (`process.go` feedbackResponse). */
    function ackOf(reply: WireFrame): WireFrame {
      return {
        header: { msg_id: randomUUID(), parent_msg_id: reply.header.msg_id, timestamp: Date.now() },
        route: {
          source: reply.route.source ?? '',
          group: reply.route.group ?? '',
          operation: 'response',
          resource: reply.route.resource ?? '',
        },
        content: 'OK',
      };
    }

    it('recognises the edge’s ACKs of node-insert and lease replies, and still counts a truly unknown ACK', async () => {
      const name = node('rawack');
      const edge = await rawEdge(await ctl.join(name));
      const request = (operation: string, resource: string, content: unknown): WireFrame => ({
        header: { msg_id: randomUUID(), timestamp: Date.now() },
        route: { source: 'edged', group: 'meta', operation, resource },
        content,
      });
      const register = request('insert', `null/node/${name}`, {
        metadata: { name, labels: { 'node-role.kubernetes.io/edge': '' } },
        spec: {},
        status: {},
      });
      const lease = request('query', `kube-node-lease/lease/${name}`, null);
      edge.send(register);
      edge.send(lease);
      const replies = [await edge.replyTo(register.header.msg_id), await edge.replyTo(lease.header.msg_id)];
      for (const reply of replies) edge.send(ackOf(reply));
      await eventually(() => {
        const queue = ctl.controller.hub.nodeState(name)?.queue;
        assert.equal(queue?.recognizedAcksTotal, 2);
        assert.equal(queue.unknownAcksTotal, 0, 'ACKs of our replies are not unknown');
      });
      const foreign = ackOf(replies[0] ?? assert.fail('no reply'));
      foreign.header.parent_msg_id = randomUUID();
      edge.send(foreign);
      await eventually(() => {
        assert.equal(ctl.controller.hub.nodeState(name)?.queue.unknownAcksTotal, 1);
      });
      assert.ok(ctl.controller.hub.isConnected(name), 'ACKs never cost the session');
    });
  });

  describe('bad input', () => {
    it('drops malformed frames, disconnects a node that keeps sending them, and serves other nodes', async () => {
      const { name: bad, edge: badEdge } = await joined('garbage');
      const { name: good, edge: goodEdge } = await joined('bystander');
      const closed = new Promise<number>((r) =>
        badEdge.once('close', (c: number) => {
          r(c);
        }),
      );
      badEdge.sendRaw('not json at all');
      badEdge.sendRaw(JSON.stringify({ header: { msg_id: 5 }, route: 'x', content: null }));
      badEdge.sendRaw('x'.repeat(hubOptions.maxFrameBytes + 10));
      badEdge.sendRaw('[]');
      // The hub handles frames in order: once the query sent after them is answered, all four were seen.
      await fence(badEdge);
      assert.ok(ctl.controller.hub.isConnected(bad), 'a few bad frames are dropped, not fatal');
      badEdge.sendRaw('{');
      assert.equal(await closed, 1008);
      assert.ok(!ctl.controller.hub.isConnected(bad));
      assert.ok((await ctl.metric('edgecontroller_hub_bad_frames_total', { reason: 'not_json' })) >= 2);
      assert.ok((await ctl.metric('edgecontroller_hub_bad_frames_total', { reason: 'too_large' })) >= 1);
      assert.ok((await ctl.metric('edgecontroller_hub_bad_frames_total', { reason: 'bad_shape' })) >= 1);
      ctl.controller.hub.enqueue(good, podPush('still-served', '1'));
      await eventually(() => {
        assert.ok(goodEdge.store.has('default/pod/still-served'));
      });
      assert.ok(ctl.controller.hub.isConnected(good));
    });

    it('answers a well-formed message it does not serve with an error reply and keeps the session', async () => {
      const { name, edge } = await joined('twin');
      const request: Message = {
        header: { msg_id: id(), timestamp: Date.now() },
        route: { source: 'twin', group: 'twin', operation: 'update', resource: 'default/membership/detail' },
        content: {},
      };
      const reply = await edge.request(request);
      assert.equal(reply.route.operation, 'error');
      assert.equal(reply.header.parent_msg_id, request.header.msg_id);
      assert.ok(ctl.controller.hub.isConnected(name));
      assert.ok((await ctl.metric('edgecontroller_hub_unsupported_messages_total', { reason: 'twin' })) >= 1);
    });

    it('answers k8s/ca.crt with the cluster CA', async () => {
      const { edge } = await joined('ca');
      const reply = await edge.request({
        header: { msg_id: id(), timestamp: Date.now() },
        route: { source: 'edged', group: 'meta', operation: 'query', resource: 'k8s/ca.crt' },
        content: null,
      });
      assert.equal(reply.route.operation, 'response');
      assert.match(String(reply.content), /BEGIN CERTIFICATE/);
    });
  });
});
