import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEdgeControllerError } from '../errors/index.js';
import { NodeQueue } from './node-queue.js';
import type { NodeQueueOptions } from './queue-options.js';
import type { AckDelivery, AckItem, SendPlan } from './types.js';

function sequentialIds(): () => string {
  let n = 0;
  return () => `m${String(++n)}`;
}

function newQueue(options: Partial<Omit<NodeQueueOptions, 'newId'>> = {}): NodeQueue<string> {
  return new NodeQueue<string>({ newId: sequentialIds(), ...options });
}

function item(key: string, rv: string, extra: Partial<AckItem<string>> = {}): AckItem<string> {
  return { uid: `uid-${key}`, key, resourceVersion: rv, isDelete: false, payload: `${key}@${rv}`, ...extra };
}

function payloads(plan: SendPlan<string>): string[] {
  return plan.deliveries.map((d) => (d.kind === 'ack' ? d.item.payload : d.payload));
}

function acks(plan: SendPlan<string>): AckDelivery<string>[] {
  return plan.deliveries.filter((d) => d.kind === 'ack');
}

function only(plan: SendPlan<string>): AckDelivery<string> {
  const sent = acks(plan);
  assert.equal(sent.length, 1, `expected one ACK delivery, got ${JSON.stringify(payloads(plan))}`);
  const [first] = sent;
  assert.ok(first !== undefined);
  return first;
}

describe('NodeQueue no-ACK path', () => {
  it('writes no-ACK payloads once each, in enqueue order, with fresh ids and no resend', () => {
    const q = newQueue({ ackTimeoutMs: 10, maxAckTimeoutMs: 10 });
    for (const p of ['a', 'b', 'c']) q.enqueueNoAck(p);
    const plan = q.takeSendable(0);
    assert.deepEqual(payloads(plan), ['a', 'b', 'c']);
    assert.equal(new Set(plan.deliveries.map((d) => d.id)).size, 3);
    assert.ok(plan.deliveries.every((d) => d.kind === 'no-ack'));
    assert.deepEqual(payloads(q.takeSendable(1_000)), []);
    assert.equal(q.nextWakeAt(), undefined);
  });

  it('counts what waits and what is in flight as its stats do, without building them', () => {
    const q = newQueue();
    const counts = (): [number, number] => [q.waitingCount, q.inFlightCount];
    const fromStats = (): [number, number] => {
      const s = q.stats();
      return [s.pendingAck + s.pendingNoAck, s.inFlight];
    };
    q.enqueueAck(item('a', '1'), 0);
    q.enqueueAck(item('b', '1'), 0);
    q.enqueueNoAck('reply');
    assert.deepEqual(counts(), [3, 0]);
    assert.deepEqual(counts(), fromStats());
    q.takeSendable(0, { maxAckDeliveries: 1 });
    assert.deepEqual(counts(), [1, 1], 'the reply and one ACK delivery left');
    assert.deepEqual(counts(), fromStats());
  });

  it('puts no-ACK payloads before ACK deliveries in the same plan', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    q.enqueueNoAck('reply');
    assert.deepEqual(payloads(q.takeSendable(0)), ['reply', 'a@1']);
  });

  it('evicts the oldest no-ACK payload past maxPendingNoAck and says so', () => {
    const q = newQueue({ maxPendingNoAck: 2 });
    assert.deepEqual(q.enqueueNoAck('a'), { kind: 'queued' });
    q.enqueueNoAck('b');
    assert.deepEqual(q.enqueueNoAck('c'), { kind: 'queued-evicting-oldest', evicted: 'a' });
    assert.deepEqual(payloads(q.takeSendable(0)), ['b', 'c']);
    assert.equal(q.stats().noAckEvictedTotal, 1);
  });

  it('sums the bytes of held no-ACK payloads, through eviction and take', () => {
    const q = newQueue({ maxPendingNoAck: 2 });
    q.enqueueNoAck('a', 100);
    q.enqueueReply('b', 20);
    assert.equal(q.pendingNoAckBytes, 120);
    q.enqueueNoAck('c', 3);
    assert.equal(q.pendingNoAckBytes, 23, 'the evicted payload’s bytes are gone with it');
    q.takeSendable(0);
    assert.equal(q.pendingNoAckBytes, 0);
  });

  it('takes no-ACK payloads only up to maxNoAckBytes, oldest first, always at least one', () => {
    const q = newQueue();
    for (const [p, bytes] of [
      ['a', 600],
      ['b', 300],
      ['c', 200],
      ['d', 50],
    ] as const)
      q.enqueueNoAck(p, bytes);
    q.enqueueAck(item('k', '1'), 0);
    assert.deepEqual(
      payloads(q.takeSendable(0, { maxNoAckBytes: 100 })),
      ['a', 'k@1'],
      'one over the limit still goes',
    );
    assert.deepEqual(payloads(q.takeSendable(0, { maxNoAckBytes: 500 })), ['b', 'c']);
    assert.equal(q.pendingNoAckBytes, 50);
    assert.deepEqual(payloads(q.takeSendable(0)), ['d']);
  });

  it('drops the no-ACK backlog on demand and leaves the ACK path alone', () => {
    const q = newQueue();
    q.enqueueNoAck('a', 10);
    q.enqueueReply('b', 10);
    q.enqueueAck(item('k', '1'), 0);
    assert.equal(q.dropNoAck(), 2);
    assert.equal(q.pendingNoAckBytes, 0);
    assert.deepEqual(payloads(q.takeSendable(0)), ['k@1']);
  });
});

describe('NodeQueue coalescing', () => {
  it('replaces a waiting version with a newer one and sends only the newest', () => {
    const q = newQueue();
    assert.deepEqual(q.enqueueAck(item('a', '5'), 0), { kind: 'queued' });
    const outcome = q.enqueueAck(item('a', '6'), 0);
    assert.deepEqual(outcome, { kind: 'replaced', replaced: item('a', '5') });
    assert.deepEqual(payloads(q.takeSendable(0)), ['a@6']);
  });

  it('drops older and equal versions as stale, comparing resourceVersions as integers', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '10'), 0);
    assert.deepEqual(q.enqueueAck(item('a', '9'), 0), { kind: 'dropped-stale', latestResourceVersion: '10' });
    assert.deepEqual(q.enqueueAck(item('a', '10'), 0), {
      kind: 'dropped-stale',
      latestResourceVersion: '10',
    });
    const sent = only(q.takeSendable(0));
    q.ack(sent.id, 1);
    assert.equal(q.enqueueAck(item('a', '10'), 2).kind, 'dropped-stale', 'the ACKed version is remembered');
    assert.equal(q.enqueueAck(item('a', '11'), 2).kind, 'queued');
    assert.equal(q.stats().droppedStaleTotal, 3);
  });

  it('lets a delete replace a waiting update, and drops a query response after it', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '5'), 0);
    assert.equal(q.enqueueAck(item('a', '6', { isDelete: true, payload: 'delete a' }), 0).kind, 'replaced');
    assert.deepEqual(q.enqueueAck(item('a', '9', { isResponse: true }), 0), { kind: 'dropped-after-delete' });
    const sent = only(q.takeSendable(0));
    assert.equal(sent.item.payload, 'delete a');
    assert.deepEqual(q.enqueueAck(item('a', '10', { isResponse: true }), 0), {
      kind: 'dropped-after-delete',
    });
    assert.deepEqual(q.enqueueAck(item('a', '', { isDelete: true }), 0), {
      kind: 'dropped-duplicate-delete',
    });
    assert.equal(q.stats().droppedAfterDeleteTotal, 2);
    assert.equal(q.stats().droppedDuplicateDeleteTotal, 1);
  });

  it('forgets ACKed versions on demand, so a resync to a rebuilt edge resends them', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '5'), 0);
    q.enqueueAck(item('b', '7'), 0);
    for (const sent of acks(q.takeSendable(0))) q.ack(sent.id, 1);
    q.enqueueAck(item('c', '2'), 1);
    assert.equal(q.enqueueAck(item('a', '5'), 2).kind, 'dropped-stale');
    q.forgetAcked();
    assert.equal(q.stats().trackedObjects, 1, 'only the waiting object is still remembered');
    assert.equal(q.enqueueAck(item('a', '5'), 3).kind, 'queued');
    assert.deepEqual(payloads(q.takeSendable(3)).sort(), ['a@5', 'c@2']);
  });

  // A ConfigMap whose last pod on the node left is deleted there; a new pod using it (a rollout while the
  // node was away) must bring it back, though its version is the one the edge ACKed before the delete.
  it('sends an object needed again after its delete: replacing a waiting delete, or after one in flight', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '5', { payload: 'a@5' }), 0);
    q.ack(only(q.takeSendable(0)).id, 1);
    q.enqueueAck(item('a', '', { isDelete: true, payload: 'delete a' }), 2);
    assert.equal(q.enqueueAck(item('a', '5', { payload: 'a@5 again' }), 3).kind, 'replaced');
    const again = only(q.takeSendable(3));
    assert.equal(again.item.payload, 'a@5 again', 'the waiting delete never leaves');
    q.ack(again.id, 4);

    q.enqueueAck(item('a', '', { isDelete: true, payload: 'delete a' }), 5);
    const deleting = only(q.takeSendable(5));
    assert.equal(deleting.item.payload, 'delete a');
    assert.equal(q.enqueueAck(item('a', '5', { payload: 'a@5 back' }), 6).kind, 'queued');
    assert.deepEqual(q.takeSendable(6).deliveries, [], 'it waits for the delete to be ACKed');
    q.ack(deleting.id, 7);
    assert.equal(only(q.takeSendable(7)).item.payload, 'a@5 back');
  });

  // Issue 11: graceful deletion is update (with deletionTimestamp) then delete; the delete must follow
  // the update's ACK, never be dropped.
  it('sends a delete enqueued while an update of the object is in flight, right after that ACK', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '8', { payload: 'terminating a@8' }), 0);
    const update = only(q.takeSendable(0));
    assert.equal(q.enqueueAck(item('a', '10', { isDelete: true, payload: 'delete a' }), 1).kind, 'queued');
    assert.deepEqual(payloads(q.takeSendable(1)), [], 'one delivery per key');
    q.ack(update.id, 2);
    const final = only(q.takeSendable(2));
    assert.equal(final.item.payload, 'delete a');
    assert.equal(final.reason, 'first');
    q.ack(final.id, 3);
    assert.equal(q.stats().trackedObjects, 0, 'the ACKed delete forgets the object');
    assert.equal(q.stats().droppedAfterDeleteTotal + q.stats().droppedDuplicateDeleteTotal, 0);
  });

  it('resends the update a delete waits behind, and lets the delete take its place only after two resends', () => {
    const q = newQueue({ ackTimeoutMs: 10, maxAckTimeoutMs: 10 });
    q.enqueueAck(item('a', '8'), 0);
    const update = only(q.takeSendable(0));
    q.enqueueAck(item('a', '10', { isDelete: true, payload: 'delete a' }), 1);
    // The edge may be slow, not deaf: the delete must not overtake an update it is still applying.
    assert.deepEqual([only(q.takeSendable(10)).id, only(q.takeSendable(20)).id], [update.id, update.id]);
    // Two resends unanswered: the edge is not just slow, and the delete must still get through.
    const plan = q.takeSendable(30);
    assert.equal(only(plan).item.payload, 'delete a');
    assert.equal(only(plan).reason, 'superseding');
    assert.equal(plan.retired[0]?.deliveryId, update.id);
  });

  it('accepts a query response at the version the edge already has, but not an older one', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '5'), 0);
    q.ack(only(q.takeSendable(0)).id, 1);
    assert.equal(q.enqueueAck(item('a', '5', { isResponse: true, payload: 'reply a@5' }), 2).kind, 'queued');
    assert.equal(q.enqueueAck(item('a', '4', { isResponse: true }), 2).kind, 'dropped-stale');
    assert.deepEqual(payloads(q.takeSendable(2)), ['reply a@5']);
  });

  it('treats a new UID under the same key as its own object that waits for the key', () => {
    const q = newQueue();
    q.enqueueAck(item('k', '5', { uid: 'old', payload: 'old@5' }), 0);
    const first = only(q.takeSendable(0));
    assert.equal(
      q.enqueueAck(item('k', '', { uid: 'old', isDelete: true, payload: 'delete old' }), 1).kind,
      'queued',
    );
    assert.equal(q.enqueueAck(item('k', '3', { uid: 'new', payload: 'new@3' }), 1).kind, 'queued');
    assert.deepEqual(payloads(q.takeSendable(1)), [], 'the key is busy');
    q.ack(first.id, 2);
    const del = only(q.takeSendable(2));
    assert.equal(del.item.payload, 'delete old');
    q.ack(del.id, 3);
    assert.deepEqual(payloads(q.takeSendable(3)), ['new@3']);
  });

  it('keeps objects without a UID apart when their keys differ (errata U7)', () => {
    const q = newQueue();
    q.enqueueAck(item('ns/pod/a', '', { uid: '', isDelete: true }), 0);
    assert.equal(q.enqueueAck(item('ns/pod/b', '', { uid: '', isDelete: true }), 0).kind, 'queued');
    assert.equal(acks(q.takeSendable(0)).length, 2);
  });

  it('drops invalid items instead of throwing', () => {
    const q = newQueue();
    assert.equal(q.enqueueAck(item('a', ''), 0).kind, 'dropped-invalid');
    assert.equal(q.enqueueAck(item('a', 'abc'), 0).kind, 'dropped-invalid');
    assert.equal(q.enqueueAck(item('a', '1', { dropAfterResends: 1.5 }), 0).kind, 'dropped-invalid');
    assert.equal(q.stats().droppedInvalidTotal, 3);
    assert.equal(q.stats().trackedObjects, 0);
  });
});

describe('NodeQueue window and keys', () => {
  it('never has more than windowSize deliveries un-ACKed, and refills in key order on ACK', () => {
    const q = newQueue({ windowSize: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) q.enqueueAck(item(key, '1'), 0);
    const sent = acks(q.takeSendable(0));
    assert.deepEqual(
      sent.map((d) => d.item.key),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(payloads(q.takeSendable(0)), []);
    const [, b] = sent;
    assert.ok(b !== undefined);
    q.ack(b.id, 1);
    assert.deepEqual(payloads(q.takeSendable(1)), ['d@1']);
    assert.equal(q.stats().inFlight, 3);
  });

  it('holds newer versions of a key in flight until its ACK, then sends only the newest', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    const first = only(q.takeSendable(0));
    q.enqueueAck(item('a', '2'), 1);
    assert.equal(q.enqueueAck(item('a', '3'), 1).kind, 'replaced');
    q.enqueueAck(item('b', '1'), 1);
    assert.deepEqual(payloads(q.takeSendable(1)), ['b@1'], 'other keys are not blocked');
    q.ack(first.id, 2);
    assert.deepEqual(payloads(q.takeSendable(2)), ['a@3']);
  });

  it('serves a hot key after keys that became sendable while it was in flight', () => {
    const q = newQueue({ windowSize: 1 });
    q.enqueueAck(item('a', '1'), 0);
    let sent = only(q.takeSendable(0));
    q.enqueueAck(item('b', '1'), 1);
    q.enqueueAck(item('a', '2'), 1);
    q.enqueueAck(item('c', '1'), 1);
    const order: string[] = [];
    for (let t = 2; t < 6; t += 1) {
      q.ack(sent.id, t);
      const plan = q.takeSendable(t);
      if (plan.deliveries.length === 0) break;
      sent = only(plan);
      order.push(sent.item.payload);
    }
    assert.deepEqual(order, ['b@1', 'c@1', 'a@2']);
  });
});

describe('NodeQueue ACKs', () => {
  it('returns the ACKed item with its latency from first send and from enqueue', () => {
    const q = newQueue({ ackTimeoutMs: 100 });
    q.enqueueAck(item('a', '7'), 900);
    const sent = only(q.takeSendable(1_000));
    q.takeSendable(1_100);
    const outcome = q.ack(sent.id, 1_250);
    assert.deepEqual(outcome, {
      kind: 'acked',
      deliveryId: sent.id,
      item: item('a', '7'),
      latencyMs: 250,
      sinceEnqueueMs: 350,
      resends: 1,
    });
    assert.equal(q.nextWakeAt(), undefined);
  });

  it('reports an unknown or repeated ACK id and changes nothing', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    const sent = only(q.takeSendable(0));
    assert.deepEqual(q.ack('not-ours', 1), { kind: 'unknown', deliveryId: 'not-ours' });
    assert.equal(q.stats().inFlight, 1);
    assert.equal(q.ack(sent.id, 1).kind, 'acked');
    assert.equal(q.ack(sent.id, 2).kind, 'unknown', 'sent once, so a second ACK is not the edge’s');
    assert.equal(q.stats().unknownAcksTotal, 2);
  });
});

// Issue 11, fix 3: the edge ACKs replies to its remote requests and every copy of a resend; those ACKs
// are ours and must not count as unknown, while a truly unknown id still does.
describe('NodeQueue recognised ACKs', () => {
  it('recognises the edge’s ACK of a reply sent with enqueueReply, once', () => {
    const q = newQueue();
    q.enqueueReply('lease reply');
    q.enqueueNoAck('podpatch reply');
    const [reply, other] = q.takeSendable(0).deliveries;
    assert.ok(reply !== undefined && other !== undefined);
    assert.deepEqual(q.ack(reply.id, 5), { kind: 'recognized', deliveryId: reply.id });
    assert.equal(q.ack(reply.id, 6).kind, 'unknown', 'a second ACK of one reply is not expected');
    assert.equal(q.ack(other.id, 6).kind, 'unknown', 'a plain no-ACK payload is not remembered');
    assert.equal(q.ack('foreign', 6).kind, 'unknown');
    assert.deepEqual([q.stats().recognizedAcksTotal, q.stats().unknownAcksTotal], [1, 3]);
    assert.equal(q.stats().ackedTotal, 0);
  });

  it('remembers a reply from its send, not its enqueue, and forgets it after recognizedIdTtlMs', () => {
    const q = newQueue({ recognizedIdTtlMs: 1_000 });
    q.enqueueReply('early');
    const [early] = q.takeSendable(5_000).deliveries;
    q.enqueueReply('late');
    const [late] = q.takeSendable(5_500).deliveries;
    assert.ok(early !== undefined && late !== undefined);
    assert.equal(q.ack(early.id, 6_000).kind, 'unknown', 'sent at 5000, forgotten at 6000');
    assert.equal(q.ack(late.id, 6_499).kind, 'recognized');
  });

  it('remembers at most maxRecognizedIds reply ids, however many replies a node causes', () => {
    const q = newQueue({ maxRecognizedIds: 10 });
    for (let i = 0; i < 1_000; i += 1) q.enqueueReply(`r${String(i)}`);
    const sent = q.takeSendable(0).deliveries;
    assert.equal(q.stats().recognizedIds, 10);
    assert.equal(q.ack(sent[0]?.id ?? '', 1).kind, 'unknown', 'the oldest were forgotten');
    assert.equal(q.ack(sent[999]?.id ?? '', 1).kind, 'recognized');
  });

  it('recognises the ACK of another copy of a delivery resent before its first ACK', () => {
    const q = newQueue({ ackTimeoutMs: 100 });
    q.enqueueAck(item('a', '1'), 0);
    const sent = only(q.takeSendable(0));
    assert.equal(only(q.takeSendable(100)).reason, 'timeout');
    assert.equal(q.ack(sent.id, 150).kind, 'acked');
    assert.equal(q.ack(sent.id, 160).kind, 'recognized', 'the edge ACKs each copy it received');
    assert.equal(q.stats().unknownAcksTotal, 0);
  });

  it('recognises a late ACK of a retired delivery', () => {
    const q = newQueue({ ackTimeoutMs: 100, maxAckTimeoutMs: 100 });
    q.enqueueAck(item('a', '1', { isResponse: true, dropAfterResends: 0 }), 0);
    const sent = only(q.takeSendable(0));
    assert.equal(q.takeSendable(100).retired[0]?.reason, 'resend-limit');
    assert.equal(q.ack(sent.id, 150).kind, 'recognized');
  });

  it('forgets remembered ids on clear', () => {
    const q = newQueue();
    q.enqueueReply('reply');
    const [reply] = q.takeSendable(0).deliveries;
    q.clear();
    assert.equal(q.ack(reply?.id ?? '', 1).kind, 'unknown');
    assert.equal(q.stats().recognizedIds, 0);
  });
});

describe('NodeQueue resends', () => {
  it('resends with the same id after the timeout, doubling the timeout up to the cap', () => {
    const q = newQueue({ ackTimeoutMs: 100, maxAckTimeoutMs: 350 });
    q.enqueueAck(item('a', '1'), 0);
    const sent = only(q.takeSendable(0));
    assert.equal(sent.reason, 'first');
    assert.equal(q.nextWakeAt(), 100);
    assert.deepEqual(payloads(q.takeSendable(99)), []);
    const expected: [at: number, next: number][] = [
      [100, 300],
      [300, 650],
      [650, 1_000],
    ];
    for (const [index, [at, next]] of expected.entries()) {
      const resent = only(q.takeSendable(at));
      assert.equal(resent.id, sent.id);
      assert.equal(resent.reason, 'timeout');
      assert.equal(resent.resends, index + 1);
      assert.equal(q.nextWakeAt(), next);
    }
    assert.equal(q.stats().resendsTotal, 3);
    assert.equal(q.stats().sentTotal, 1);
  });

  it('sends the newer version in place of a timed-out one when it heads its key', () => {
    const q = newQueue({ ackTimeoutMs: 100 });
    q.enqueueAck(item('a', '1'), 0);
    const old = only(q.takeSendable(0));
    q.enqueueAck(item('a', '2'), 50);
    const plan = q.takeSendable(100);
    const next = only(plan);
    assert.equal(next.reason, 'superseding');
    assert.equal(next.item.payload, 'a@2');
    assert.notEqual(next.id, old.id);
    assert.deepEqual(plan.retired, [
      { reason: 'superseded', deliveryId: old.id, item: item('a', '1'), resends: 0 },
    ]);
    assert.equal(q.nextWakeAt(), 100 + 200, 'the backoff carries over to the superseding delivery');
    assert.equal(q.ack(old.id, 150).kind, 'recognized', 'a late ACK of the retired one settles nothing');
    assert.equal(q.stats().inFlight, 1);
    assert.equal(q.ack(next.id, 150).kind, 'acked');
  });

  it('retires an item after dropAfterResends resends and frees its key', () => {
    const q = newQueue({ ackTimeoutMs: 100, maxAckTimeoutMs: 100 });
    q.enqueueAck(item('cm', '4', { dropAfterResends: 2, isResponse: true, payload: 'reply' }), 0);
    const sent = only(q.takeSendable(0));
    assert.equal(only(q.takeSendable(100)).resends, 1);
    q.enqueueAck(item('cm', '4', { uid: 'other', payload: 'other' }), 150);
    assert.equal(only(q.takeSendable(200)).resends, 2);
    const plan = q.takeSendable(300);
    assert.deepEqual(plan.retired, [
      {
        reason: 'resend-limit',
        deliveryId: sent.id,
        item: item('cm', '4', { dropAfterResends: 2, isResponse: true, payload: 'reply' }),
        resends: 2,
      },
    ]);
    assert.deepEqual(payloads(plan), ['other'], 'the key is free again');
    assert.equal(q.stats().retiredResendLimitTotal, 1);
    assert.equal(q.ack(sent.id, 301).kind, 'recognized', 'a late ACK of the retired reply settles nothing');
    assert.equal(q.stats().ackedTotal, 0);
  });

  it('retires an item with dropAfterResends 0 at its first timeout without resending it', () => {
    const q = newQueue({ ackTimeoutMs: 100 });
    q.enqueueAck(item('a', '1', { dropAfterResends: 0 }), 0);
    q.takeSendable(0);
    const plan = q.takeSendable(100);
    assert.deepEqual(payloads(plan), []);
    assert.equal(plan.retired[0]?.reason, 'resend-limit');
    assert.equal(q.stats().inFlight, 0);
    assert.equal(q.stats().trackedObjects, 0, 'nothing ACKed, nothing remembered');
  });
});

describe('NodeQueue reconnect', () => {
  it('resends un-ACKed deliveries first on the next session, with their ids and fresh timers', () => {
    const q = newQueue({ windowSize: 2, ackTimeoutMs: 100, maxAckTimeoutMs: 10_000 });
    q.enqueueAck(item('a', '1'), 0);
    q.enqueueAck(item('b', '1'), 0);
    q.enqueueAck(item('c', '1'), 0);
    const [a, b] = acks(q.takeSendable(0));
    assert.ok(a !== undefined && b !== undefined);
    q.takeSendable(100);
    q.takeSendable(300);
    assert.equal(q.nextWakeAt(), 700, 'backed off twice');
    assert.deepEqual(q.onDisconnect(), { requeued: 2 });
    assert.equal(q.nextWakeAt(), undefined, 'no timers without a session');
    assert.equal(q.stats().awaitingReconnect, 2);
    q.enqueueAck(item('d', '1'), 5_000);
    q.enqueueNoAck('hello');
    const plan = q.takeSendable(10_000);
    assert.deepEqual(payloads(plan), ['hello', 'a@1', 'b@1'], 'c and d wait: the window is full');
    const [ra, rb] = acks(plan);
    assert.equal(ra?.id, a.id);
    assert.equal(ra.reason, 'reconnect');
    assert.equal(rb?.id, b.id);
    assert.equal(q.nextWakeAt(), 10_100, 'fresh timers');
    q.ack(a.id, 10_010);
    assert.deepEqual(payloads(q.takeSendable(10_010)), ['c@1']);
  });

  it('sends the newest version instead of a stale in-flight one after a reconnect', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    q.takeSendable(0);
    q.enqueueAck(item('a', '2'), 1);
    q.onDisconnect();
    const plan = q.takeSendable(2);
    assert.equal(only(plan).reason, 'superseding');
    assert.deepEqual(payloads(plan), ['a@2']);
    assert.equal(plan.retired[0]?.reason, 'superseded');
  });

  it('accepts an ACK that arrives between disconnect and the next session', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    const sent = only(q.takeSendable(0));
    q.onDisconnect();
    assert.equal(q.ack(sent.id, 1).kind, 'acked');
    assert.equal(q.stats().awaitingReconnect, 0);
    assert.deepEqual(payloads(q.takeSendable(2)), []);
  });
});

describe('NodeQueue stats and clear', () => {
  it('reports gauges and totals', () => {
    const q = newQueue({ windowSize: 1 });
    q.enqueueAck(item('a', '1'), 0);
    q.enqueueAck(item('b', '1'), 0);
    q.enqueueAck(item('b', '2'), 0);
    q.enqueueNoAck('x');
    q.takeSendable(0);
    q.enqueueNoAck('y');
    assert.deepEqual(q.stats(), {
      pendingAck: 1,
      inFlight: 1,
      awaitingReconnect: 0,
      pendingNoAck: 1,
      sendableKeys: 1,
      trackedObjects: 2,
      recognizedIds: 0,
      sentTotal: 1,
      resendsTotal: 0,
      ackedTotal: 0,
      unknownAcksTotal: 0,
      recognizedAcksTotal: 0,
      replacedTotal: 1,
      droppedStaleTotal: 0,
      droppedAfterDeleteTotal: 0,
      droppedDuplicateDeleteTotal: 0,
      droppedInvalidTotal: 0,
      supersededTotal: 0,
      retiredResendLimitTotal: 0,
      noAckSentTotal: 1,
      noAckEvictedTotal: 0,
    });
  });

  it('clear drops everything, keeps totals, and makes outstanding ids unknown', () => {
    const q = newQueue();
    q.enqueueAck(item('a', '1'), 0);
    const sent = only(q.takeSendable(0));
    q.enqueueAck(item('b', '1'), 0);
    q.enqueueNoAck('x');
    q.clear();
    const stats = q.stats();
    assert.deepEqual(
      [stats.pendingAck, stats.inFlight, stats.pendingNoAck, stats.trackedObjects, stats.sendableKeys],
      [0, 0, 0, 0, 0],
    );
    assert.equal(stats.sentTotal, 1);
    assert.equal(q.nextWakeAt(), undefined);
    assert.equal(q.ack(sent.id, 1).kind, 'unknown');
    assert.equal(q.enqueueAck(item('a', '1'), 2).kind, 'queued', 'nothing remembered');
  });

  it('refuses an id generator that repeats an un-ACKed id', () => {
    const q = new NodeQueue<string>({ newId: () => 'same' });
    q.enqueueAck(item('a', '1'), 0);
    q.enqueueAck(item('b', '1'), 0);
    assert.throws(
      () => q.takeSendable(0),
      (err: unknown) => isEdgeControllerError(err, 'EC_CONFIG_INVALID') && /newId/.test(err.message),
    );
    assert.equal(q.stats().inFlight, 1, 'the second object was not taken');
    assert.equal(q.stats().pendingAck, 1);
  });
});

describe('NodeQueue deletes of another object under a key', () => {
  it('sends the delete of an old object before a waiting version of the live one, whatever the enqueue order', () => {
    const q = newQueue();
    q.enqueueAck(item('default/configmap/c', '9', { uid: 'new' }), 0);
    q.enqueueAck(item('default/configmap/c', '', { uid: 'old', isDelete: true, payload: 'delete-old' }), 1);
    const first = only(q.takeSendable(2));
    assert.equal(first.item.payload, 'delete-old', 'the edge deletes by key: the delete must not come last');
    q.ack(first.id, 3);
    assert.equal(only(q.takeSendable(4)).item.payload, 'default/configmap/c@9');
  });
});

describe('NodeQueue bounded takes (issue 15 send scheduler)', () => {
  it('takes at most maxAckDeliveries ACK-path deliveries, the no-ACK ones besides, and keeps the order', () => {
    const q = newQueue({ ackTimeoutMs: 10, maxAckTimeoutMs: 10 });
    for (const key of ['a', 'b', 'c']) q.enqueueAck(item(key, '1'), 0);
    q.enqueueNoAck('reply');
    assert.equal(q.hasAckWork(0), true);
    assert.deepEqual(payloads(q.takeSendable(0, { maxAckDeliveries: 1 })), ['reply', 'a@1']);
    assert.deepEqual(payloads(q.takeSendable(0, { maxAckDeliveries: 0 })), []);
    assert.deepEqual(payloads(q.takeSendable(0, { maxAckDeliveries: 1 })), ['b@1']);
    assert.deepEqual(payloads(q.takeSendable(0, { maxAckDeliveries: 5 })), ['c@1']);
    assert.equal(q.hasAckWork(0), false, 'all in flight, none due');
    // Resends are bounded too: three due at 10, one per take.
    assert.equal(q.hasAckWork(10), true);
    assert.deepEqual(payloads(q.takeSendable(10, { maxAckDeliveries: 1 })), ['a@1']);
    assert.deepEqual(payloads(q.takeSendable(10, { maxAckDeliveries: 2 })), ['b@1', 'c@1']);
    assert.equal(q.hasAckWork(10), false);
  });

  it('bounds the redelivery after a reconnect and reports it as work', () => {
    const q = newQueue();
    for (const key of ['a', 'b']) q.enqueueAck(item(key, '1'), 0);
    q.takeSendable(0);
    q.onDisconnect();
    assert.equal(q.hasAckWork(1), true);
    assert.deepEqual(payloads(q.takeSendable(1, { maxAckDeliveries: 1 })), ['a@1']);
    assert.deepEqual(payloads(q.takeSendable(1, { maxAckDeliveries: 1 })), ['b@1']);
    assert.equal(q.hasAckWork(1), false);
  });

  it('has no ACK work while the window is full', () => {
    const q = newQueue({ windowSize: 1 });
    for (const key of ['a', 'b']) q.enqueueAck(item(key, '1'), 0);
    assert.equal(only(q.takeSendable(0)).id, 'm1');
    assert.equal(q.hasAckWork(0), false);
    assert.equal(q.ack('m1', 1).kind, 'acked');
    assert.equal(q.hasAckWork(1), true);
  });
});
