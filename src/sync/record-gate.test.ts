import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  identityDelete,
  newResponse,
  objectPush,
  pushContentDefaults,
  toMessage,
} from '../protocol/index.js';
import type { KubeObjectShape, Message, MessageId, NodeName, PodObject } from '../protocol/index.js';
import { realisticObject, realisticPod } from '../../test/support/builders.js';
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
  it('holds a first push until its record is created, then releases the newest version held', () => {
    const gate = new RecordGate(() => false);
    const first = push(pod('10'), 'insert');
    const decision = gate.offer(node, first);
    assert.equal(decision.kind, 'create');
    assert.deepEqual(gate.offer(node, push(pod('11'))), { kind: 'held' });
    assert.equal(gate.heldCount, 1, 'version 11 replaced version 10');
    const released = gate.written(node, recordOf(first), 'written');
    assert.deepEqual(versions(released), ['11']);
    assert.equal(gate.heldCount, 0);
    assert.deepEqual(gate.offer(node, push(pod('12'))), { kind: 'send' }, 'the record now exists');
  });

  it('holds one message per object however often a repair offers it again', () => {
    const gate = new RecordGate(() => false);
    const first = push(pod('10'), 'insert');
    assert.equal(gate.offer(node, first).kind, 'create');
    for (let round = 0; round < 50; round++)
      assert.deepEqual(gate.offer(node, push(pod('10'))), { kind: 'held' });
    assert.deepEqual(gate.offer(node, push(pod('9'))), { kind: 'held' }, 'an older version is dropped');
    assert.equal(gate.heldCount, 1);
    assert.deepEqual(
      gate
        .written(node, recordOf(first), 'written')
        .map((m) => [m.header.resourceversion, m.route.operation]),
      [['10', 'insert']],
      'the first of equal versions is the one kept',
    );
  });

  it('keeps every reply held for an object, in order, and only the newest push', () => {
    const gate = new RecordGate(() => false);
    const cmUid = '0d3c7a52-9c1e-4d4b-8f3e-2a1b5c6d7e8f';
    const configMap = (rv: string): KubeObjectShape => realisticObject('ConfigMap', 'app', cmUid, rv);
    const gated = (message: Message): GatedPush => {
      const g = gatedPushOf(node, message);
      assert.ok(g !== undefined);
      return g;
    };
    const cmPush = (rv: string, operation: 'insert' | 'update' = 'update'): GatedPush =>
      gated(
        toMessage(objectPush('ConfigMap', operation, configMap(rv), pushContentDefaults), {
          id: `m${String(++serial)}` as MessageId,
          now: 1,
        }),
      );
    const query: Message = {
      header: { msg_id: 'q1' as MessageId, timestamp: 1 },
      route: { source: 'edged', group: 'meta', operation: 'query', resource: 'default/configmap/app' },
      content: null,
    };
    const reply = (rv: string): GatedPush =>
      gated(
        newResponse(query, configMap(rv), {
          id: `r${String(++serial)}` as MessageId,
          now: 1,
          resourceVersion: rv,
        }),
      );
    const first = cmPush('10', 'insert');
    assert.equal(gate.offer(node, first).kind, 'create');
    gate.offer(node, reply('10'));
    gate.offer(node, cmPush('11'));
    gate.offer(node, reply('11'));
    gate.offer(node, reply('11'));
    gate.offer(node, cmPush('12'));
    assert.equal(gate.heldCount, 4);
    const released = gate.written(node, recordOf(first), 'written');
    assert.deepEqual(
      released.map(
        (m) => `${m.header.parent_msg_id === undefined ? 'push' : 'reply'} ${m.header.resourceversion ?? ''}`,
      ),
      ['reply 10', 'reply 11', 'reply 11', 'push 12'],
    );
    assert.equal(gate.heldCount, 0);
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
