import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('finds a remembered id once, before it expires', () => {
    const ids = new RecentIds({ maxIds: 4, ttlMs: 100 });
    ids.remember('a', 0);
    assert.equal(ids.take('a', 99), true);
    assert.equal(ids.take('a', 99), false, 'found at most once');
    assert.equal(ids.take('never', 0), false);
  });

  it('forgets an id once ttlMs has passed since it was remembered', () => {
    const ids = new RecentIds({ maxIds: 4, ttlMs: 100 });
    ids.remember('a', 0);
    ids.remember('b', 50);
    assert.equal(ids.take('a', 100), false);
    assert.equal(ids.size, 1, 'the expired id no longer takes room');
    assert.equal(ids.take('b', 149), true);
  });

  it('holds at most maxIds, forgetting the oldest first', () => {
    const ids = new RecentIds({ maxIds: 3, ttlMs: 1_000 });
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) ids.remember(id, i);
    assert.equal(ids.size, 3);
    assert.equal(ids.take('a', 5), false);
    assert.equal(ids.take('b', 5), false);
    assert.deepEqual(
      ['c', 'd', 'e'].map((id) => ids.take(id, 5)),
      [true, true, true],
    );
  });

  it('stays bounded however many ids are remembered', () => {
    const ids = new RecentIds({ maxIds: 100, ttlMs: 1_000_000 });
    for (let i = 0; i < 100_000; i += 1) ids.remember(`id-${String(i)}`, i);
    assert.equal(ids.size, 100);
  });

  it('re-remembering an id renews it and moves it to the newest place', () => {
    const ids = new RecentIds({ maxIds: 2, ttlMs: 100 });
    ids.remember('a', 0);
    ids.remember('b', 10);
    ids.remember('a', 90);
    ids.remember('c', 95);
    assert.equal(ids.take('b', 95), false, 'b was the oldest');
    assert.equal(ids.take('a', 150), true, 'a was renewed at 90');
  });

  it('clear forgets everything', () => {
    const ids = new RecentIds({ maxIds: 2, ttlMs: 100 });
    ids.remember('a', 0);
    ids.clear();
    assert.equal(ids.take('a', 1), false);
  });
});
