import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPush, newResponse, parseMessageId } from '../protocol/index.js';
import type { Message, MessageId, ResourcePath } from '../protocol/index.js';
import { NodeQueue } from '../queues/index.js';
import { displacedReply, routeOutbound, withMessageId } from './outbound.js';

const id = parseMessageId('m-1') as MessageId;
const pod = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'default', uid: 'u-1', resourceVersion: '7', ...extra },
});

describe('routeOutbound', () => {
  it('puts a pod update on the ACK path keyed by the edge key and UID', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'update',
      content: pod(),
      resourceVersion: '7',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack');
    assert.equal(r.item.key, 'default/pod/p1');
    assert.equal(r.item.uid, 'u-1');
    assert.equal(r.item.resourceVersion, '7');
    assert.equal(r.item.isDelete, false);
  });

  it('routes a pod update carrying deletionTimestamp as a version, not a delete (errata U4)', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'update',
      content: pod({ deletionTimestamp: '2026-01-01T00:00:00Z' }),
      resourceVersion: '8',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack');
    assert.equal(r.item.isDelete, false);
    assert.equal(r.item.resourceVersion, '8');
  });

  it('routes operation delete as a delete', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'delete',
      content: pod({ deletionTimestamp: '2026-01-01T00:00:00Z' }),
      resourceVersion: '9',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack' && r.item.isDelete);
  });

  it('sends a podpatch reply once, on the no-ACK path', () => {
    const m = {
      header: { msg_id: id, parent_msg_id: id, timestamp: 1 },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/podpatch/p1',
      },
      content: { Object: null, Err: null },
    };
    assert.equal(routeOutbound(m).path, 'no-ack');
  });

  const replyOn = (resource: string, content: unknown) => ({
    header: { msg_id: id, parent_msg_id: id, timestamp: 1 },
    route: { source: 'edgecontroller', group: 'resource', operation: 'response', resource },
    content,
  });

  // Issue 11, fix 3: the edge ACKs the replies of its metamanager's remote path.
  for (const [what, resource] of [
    ['node insert (registration)', 'null/node/n1'],
    ['lease update or query', 'kube-node-lease/lease/n1'],
    ['service account token query', 'default/serviceaccounttoken/sa'],
  ] as const) {
    it(`marks a ${what} reply as one the edge ACKs`, () => {
      const r = routeOutbound(replyOn(resource, { Object: { kind: 'x' }, Err: null }));
      assert.ok(r.path === 'no-ack' && r.isAckedReply);
    });
  }

  for (const resource of ['default/podpatch/p1', 'null/nodepatch/n1', 'default/podstatus/p1']) {
    it(`does not remember a reply on ${resource}: the edge never ACKs it`, () => {
      const r = routeOutbound(replyOn(resource, 'OK'));
      assert.ok(r.path === 'no-ack' && !r.isAckedReply);
    });
  }

  it('does not mark a push that needs no ACK as a reply', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'kube-node-lease/lease/n1' as ResourcePath,
      operation: 'update',
      content: { kind: 'Lease', metadata: { uid: 'l-1' } },
      resourceVersion: '3',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'no-ack' && !r.isAckedReply);
  });

  it('caps resends of a configmap query reply', () => {
    const m = {
      header: { msg_id: id, parent_msg_id: id, timestamp: 1, resourceversion: '3' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/configmap/c',
      },
      content: { kind: 'ConfigMap', metadata: { uid: 'c-1' } },
    };
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack' && r.item.isResponse === true && r.item.dropAfterResends === 3);
  });
});

describe('a graceful pod delete through routeOutbound and a NodeQueue', () => {
  const push = (operation: 'update' | 'delete', rv: string, extra: Record<string, unknown>) =>
    newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation,
      content: pod({ resourceVersion: rv, ...extra }),
      resourceVersion: rv,
    });
  const terminating = { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 };

  function enqueue(queue: NodeQueue<Message>, message: Message, now: number): string {
    const route = routeOutbound(message);
    assert.ok(route.path === 'ack');
    return queue.enqueueAck(route.item, now).kind;
  }

  function sent(queue: NodeQueue<Message>, now: number): { id: string; operation: string; rv: string }[] {
    return queue.takeSendable(now).deliveries.map((d) => {
      assert.ok(d.kind === 'ack');
      return {
        id: d.id,
        operation: d.item.payload.route.operation ?? '',
        rv: d.item.payload.header.resourceversion ?? '',
      };
    });
  }

  // Issue 11: the delete that arrived while the deletionTimestamp update was un-ACKed was dropped as a
  // duplicate delete, and the edge kept the pod until the periodic repair.
  it('sends the final delete after the ACK of the deletionTimestamp update that was in flight', () => {
    let n = 0;
    const queue = new NodeQueue<Message>({ newId: () => `d${String(++n)}` });
    assert.equal(enqueue(queue, push('update', '8', terminating), 0), 'queued');
    const [update] = sent(queue, 0);
    assert.equal(update?.operation, 'update');
    assert.equal(enqueue(queue, push('update', '9', terminating), 1), 'queued', 'a later status');
    assert.equal(enqueue(queue, push('delete', '10', terminating), 2), 'replaced');
    assert.deepEqual(sent(queue, 3), [], 'nothing else for the key while the update is un-ACKed');
    assert.equal(queue.ack(update.id, 4).kind, 'acked');
    const [final] = sent(queue, 4);
    assert.equal(final?.operation, 'delete');
    assert.equal(queue.stats().droppedAfterDeleteTotal, 0);
  });

  it('resends the un-ACKed update first after a reconnect, and the final delete after its ACK', () => {
    let n = 0;
    const queue = new NodeQueue<Message>({ newId: () => `d${String(++n)}` });
    enqueue(queue, push('update', '8', terminating), 0);
    const [update] = sent(queue, 0);
    queue.onDisconnect();
    assert.equal(enqueue(queue, push('delete', '10', terminating), 1), 'queued');
    const [again] = sent(queue, 2);
    assert.deepEqual(again, update, 'the update again, same id: the edge may still be applying it');
    assert.equal(queue.ack(update?.id ?? '', 3).kind, 'acked');
    const [final] = sent(queue, 3);
    assert.equal(final?.operation, 'delete');
    assert.equal(queue.ack(final.id, 4).kind, 'acked');
    assert.equal(queue.stats().pendingAck + queue.stats().inFlight, 0);
  });
});

describe('withMessageId', () => {
  it('replaces only msg_id', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'insert',
      content: pod(),
      resourceVersion: '7',
    });
    const other = parseMessageId('m-2') as MessageId;
    const framed = withMessageId(m, other);
    assert.equal(framed.header.msg_id, 'm-2');
    assert.equal(framed.header.resourceversion, '7');
    assert.equal(m.header.msg_id, 'm-1');
  });
});

describe('displacedReply', () => {
  const secret = (rv: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default', uid: 'u-s', resourceVersion: rv },
    data: { k: rv === '5' ? 'b2xk' : 'bmV3' },
  });
  const query = (msgId: string): Message => ({
    header: { msg_id: parseMessageId(msgId) as MessageId, timestamp: 1 },
    route: { source: 'metaManager', group: 'meta', operation: 'query', resource: 'default/secret/s' },
    content: null,
  });
  const replyTo = (msgId: string, rv: string): Message =>
    newResponse(query(msgId), secret(rv), { id: parseMessageId(`r-${msgId}`) as MessageId, now: 2 });
  const item = (m: Message) => {
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack');
    return r.item;
  };

  it('answers the replaced reply with the newer content and version, keeping its own parent id', () => {
    const older = item(replyTo('q-1', '5'));
    const newer = item(
      newPush({
        id,
        now: 3,
        resource: 'default/secret/s' as ResourcePath,
        operation: 'update',
        content: secret('9'),
        resourceVersion: '9',
      }),
    );
    const owed = displacedReply(older, newer);
    assert.ok(owed !== undefined);
    assert.equal(owed.header.parent_msg_id, 'q-1');
    assert.equal(owed.header.msg_id, 'r-q-1');
    assert.equal(owed.header.resourceversion, '9');
    assert.equal(owed.route.operation, 'response');
    assert.deepEqual(owed.content, secret('9'));
    // and a reply replaced by another reply is answered too
    assert.equal(displacedReply(older, item(replyTo('q-2', '9')))?.header.parent_msg_id, 'q-1');
  });

  it('owes nothing for a replaced push, nor after a delete (no content to give)', () => {
    const push = item(
      newPush({
        id,
        now: 3,
        resource: 'default/secret/s' as ResourcePath,
        operation: 'update',
        content: secret('5'),
        resourceVersion: '5',
      }),
    );
    assert.equal(displacedReply(push, item(replyTo('q-1', '9'))), undefined);
    const del = item(
      newPush({
        id,
        now: 4,
        resource: 'default/secret/s' as ResourcePath,
        operation: 'delete',
        content: secret('9'),
      }),
    );
    assert.equal(displacedReply(item(replyTo('q-1', '5')), del), undefined);
  });
});
