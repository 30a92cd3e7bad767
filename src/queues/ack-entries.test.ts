import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AckEntries } from './ack-entries.js';
import type { AckItem } from './types.js';

function item(key: string, rv: string, extra: Partial<AckItem<string>> = {}): AckItem<string> {
  return { uid: `uid-${key}`, key, resourceVersion: rv, isDelete: false, payload: `${key}@${rv}`, ...extra };
}

function takeAll(entries: AckEntries<string>): string[] {
  const out: string[] = [];
  for (let t = entries.takeNext(); t !== undefined; t = entries.takeNext()) out.push(t.version.item.payload);
  return out;
}

describe('AckEntries', () => {
  it('serves keys in the order they became sendable, a replaced version keeping its place', () => {
    const entries = new AckEntries<string>();
    entries.enqueue(item('a', '1'), 0);
    entries.enqueue(item('b', '1'), 0);
    entries.enqueue(item('a', '2'), 0);
    assert.deepEqual(takeAll(entries), ['a@2', 'b@1']);
  });

  it('keeps a busy key out of the order until its flight settles, then puts it last', () => {
    const entries = new AckEntries<string>();
    entries.enqueue(item('a', '1'), 0);
    assert.equal(entries.takeNext()?.version.item.payload, 'a@1');
    entries.enqueue(item('a', '2'), 0);
    entries.enqueue(item('b', '1'), 0);
    assert.equal(entries.sendableKeyCount, 1);
    entries.enqueue(item('c', '1'), 0);
    entries.settle('a', 'uid-a', 'acked');
    assert.deepEqual(takeAll(entries), ['b@1', 'c@1', 'a@2']);
  });

  it('sends objects of one key in the order they started waiting (old delete before new insert)', () => {
    const entries = new AckEntries<string>();
    entries.enqueue(item('k', '5', { uid: 'old' }), 0);
    assert.equal(entries.takeNext()?.uid, 'old');
    entries.enqueue(item('k', '', { uid: 'old', isDelete: true, payload: 'delete old' }), 0);
    entries.enqueue(item('k', '7', { uid: 'new', payload: 'insert new' }), 0);
    assert.equal(entries.takeNext(), undefined);
    entries.settle('k', 'old', 'acked');
    assert.equal(entries.takeNext()?.version.item.payload, 'delete old');
    assert.equal(entries.takeNext(), undefined);
    entries.settle('k', 'old', 'acked');
    assert.equal(entries.takeNext()?.version.item.payload, 'insert new');
  });

  it('remembers the ACKed version of an object and forgets the object after its delete is ACKed', () => {
    const entries = new AckEntries<string>();
    entries.enqueue(item('a', '5'), 0);
    entries.takeNext();
    entries.settle('a', 'uid-a', 'acked');
    assert.equal(entries.trackedCount, 1);
    assert.equal(entries.enqueue(item('a', '5'), 0).kind, 'dropped-stale');
    entries.enqueue(item('a', '', { isDelete: true }), 0);
    entries.takeNext();
    entries.settle('a', 'uid-a', 'acked');
    assert.equal(entries.trackedCount, 0);
    assert.equal(entries.enqueue(item('a', '3'), 0).kind, 'queued');
  });

  it('lets only the head object of a key supersede its own in-flight version', () => {
    const entries = new AckEntries<string>();
    entries.enqueue(item('k', '1', { uid: 'x' }), 0);
    entries.takeNext();
    entries.enqueue(item('k', '2', { uid: 'y' }), 0);
    entries.enqueue(item('k', '2', { uid: 'x' }), 0);
    assert.equal(entries.canSupersede('k', 'x'), false);
    entries.settle('k', 'x', 'dropped');
    assert.equal(entries.takeNext()?.uid, 'y');
    assert.equal(entries.canSupersede('k', 'y'), false);
    entries.enqueue(item('k', '3', { uid: 'y' }), 0);
    assert.equal(entries.canSupersede('k', 'y'), false, 'x still heads the key');
    entries.settle('k', 'y', 'acked');
    assert.equal(entries.takeNext()?.uid, 'x');
    entries.settle('k', 'x', 'acked');
    assert.equal(entries.takeNext()?.version.item.resourceVersion, '3');
    entries.enqueue(item('k', '4', { uid: 'y' }), 0);
    assert.equal(entries.canSupersede('k', 'y'), true);
    assert.equal(entries.takeSuperseding('k', 'y').item.resourceVersion, '4');
  });

  it('throws on settling something that is not in flight (a broken invariant, not input)', () => {
    const entries = new AckEntries<string>();
    assert.throws(() => {
      entries.settle('nope', 'nope', 'acked');
    }, /invariant/);
  });
});
