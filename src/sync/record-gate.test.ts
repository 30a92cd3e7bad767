import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityDelete, objectPush, pushContentDefaults, toMessage } from '../protocol/index.js';
import type { Message, MessageId, NodeName, PodObject } from '../protocol/index.js';
import { realisticPod } from '../../test/support/builders.js';
import { gatedPushOf } from './push-record.js';
import { RecordGate } from './record-gate.js';
import type { GatedPush } from './record-gate.js';
import type { SyncRecord } from './record.js';

const node = 'edge-1' as NodeName;
const uid = '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11';
let serial = 0;

function pod(resourceVersion: string, podUid = uid): PodObject {
  return realisticPod({ uid: podUid, resourceVersion });
}

function push(object: PodObject, operation: 'insert' | 'update' = 'update'): GatedPush {
  const message = toMessage(objectPush('Pod', operation, object, pushContentDefaults), {
    id: `m${String(++serial)}` as MessageId,
    now: 1,
  });
  const gated = gatedPushOf(node, message);
  assert.ok(gated !== undefined);
  return gated;
}

function deletePush(object: PodObject): GatedPush {
  const meta = object.metadata ?? {};
  const message = toMessage(
    identityDelete('Pod', { namespace: meta.namespace, name: meta.name ?? '', uid: meta.uid ?? '' }),
    { id: `m${String(++serial)}` as MessageId, now: 1 },
  );
  const gated = gatedPushOf(node, message);
  assert.ok(gated !== undefined);
  return gated;
}

function recordOf(gated: GatedPush): SyncRecord {
  assert.ok(!gated.isDelete);
  return gated.record;
}

function versions(messages: readonly Message[]): (string | undefined)[] {
  return messages.map((m) => m.header.resourceversion);
}

describe('RecordGate', () => {
  it('holds a first push until its record is created, then releases it and later ones in order', () => {
    const gate = new RecordGate(() => false);
    const first = push(pod('10'), 'insert');
    const decision = gate.offer(node, first);
    assert.equal(decision.kind, 'create');
    assert.deepEqual(gate.offer(node, push(pod('11'))), { kind: 'held' });
    assert.equal(gate.heldCount, 2);
    const released = gate.written(node, recordOf(first), 'written');
    assert.deepEqual(versions(released), ['10', '11']);
    assert.equal(gate.heldCount, 0);
    assert.deepEqual(gate.offer(node, push(pod('12'))), { kind: 'send' }, 'the record now exists');
  });

  it('lets other objects of the node pass while one waits for its record', () => {
    const recorded = new Set(['other-uid']);
    const gate = new RecordGate((record) => recorded.has(record.uid));
    assert.equal(gate.offer(node, push(pod('10'))).kind, 'create');
    assert.equal(gate.offer(node, push(pod('3', 'other-uid'))).kind, 'send');
  });

  it('sends what the record informer already knows at once', () => {
    const gate = new RecordGate((record) => record.uid === uid);
    assert.equal(gate.offer(node, push(pod('10'))).kind, 'send');
  });

  it('sends a delete at once and drops the versions held before it', () => {
    const gate = new RecordGate(() => false);
    const first = push(pod('10'));
    gate.offer(node, first);
    assert.deepEqual(gate.offer(node, deletePush(pod('10'))), { kind: 'send' });
    assert.equal(gate.heldCount, 0);
    assert.deepEqual(gate.written(node, recordOf(first), 'written'), [], 'the old version never goes');
  });

  it('releases held pushes when the record cannot be written, and asks again next time', () => {
    const gate = new RecordGate(() => false);
    const first = push(pod('10'));
    gate.offer(node, first);
    assert.deepEqual(versions(gate.written(node, recordOf(first), 'dropped')), ['10']);
    assert.equal(gate.offer(node, push(pod('11'))).kind, 'create');
  });

  it('forgets a record whose delete the edge ACKed, so the object needed again is recorded again', () => {
    const gate = new RecordGate(() => true);
    assert.equal(gate.offer(node, push(pod('10'))).kind, 'send');
    gate.noteDeleted(node, uid);
    assert.equal(gate.offer(node, push(pod('10'))).kind, 'create', 'the informer may still show it');
  });

  it('on a resync, holds every recorded object until its record is marked unknown', () => {
    const gate = new RecordGate((record) => record.uid === uid);
    const recorded = recordOf(push(pod('10')));
    const learned = recordOf(push(pod('4', 'learned-uid')));
    gate.noteRecorded(node, learned);
    gate.noteDeleted(node, 'gone-uid');
    const gone = { ...recorded, uid: 'gone-uid' };
    const marks = gate.beginResync(node, [recorded, gone]);
    assert.deepEqual(
      marks.map((m) => [m.uid, m.objectResourceVersion]),
      [
        [uid, '0'],
        ['learned-uid', '0'],
      ],
    );
    assert.deepEqual(gate.offer(node, push(pod('10'))), { kind: 'held' });
    assert.deepEqual(gate.beginResync(node, [recorded]), [], 'a second resync does not mark twice');
    const [first] = marks;
    assert.ok(first !== undefined);
    assert.deepEqual(versions(gate.written(node, first, 'written')), ['10']);
  });

  it('drops a deleted node and what it held', () => {
    const gate = new RecordGate(() => false);
    gate.offer(node, push(pod('10')));
    gate.forgetNode(node);
    assert.equal(gate.heldCount, 0);
  });

  it('forgets what it knows once the record informer agrees, and ignores older news', () => {
    const store = new Set<string>();
    const gate = new RecordGate((record) => store.has(record.uid));
    const first = push(pod('10'));
    gate.offer(node, first);
    gate.written(node, recordOf(first), 'written');
    assert.equal(gate.knownCount, 1);
    gate.informerSaw(node, uid, false);
    assert.equal(gate.knownCount, 1, 'a delete event disagrees with a created record: older news');
    store.add(uid);
    gate.informerSaw(node, uid, true);
    assert.equal(gate.knownCount, 0);
    assert.equal(gate.offer(node, push(pod('11'))).kind, 'send', 'the store answers');
    gate.noteDeleted(node, uid);
    gate.informerSaw(node, uid, true);
    assert.equal(
      gate.offer(node, push(pod('12'))).kind,
      'create',
      'a late add event does not undo the delete',
    );
    store.delete(uid);
    gate.informerSaw(node, uid, false);
    assert.equal(gate.knownCount, 0, 'nothing is kept for a deleted object');
  });
});
