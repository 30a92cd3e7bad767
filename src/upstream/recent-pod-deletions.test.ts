import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { RecentPodDeletions } from './recent-pod-deletions.js';

const a = 'edge-a' as NodeName;
const b = 'edge-b' as NodeName;

describe('RecentPodDeletions', () => {
  it('remembers a pod deleted from a node for the TTL, for that node only', () => {
    const recent = new RecentPodDeletions({ ttlMs: 1000 });
    recent.record(a, 'ns', 'p', 10_000);
    assert.ok(recent.has(a, 'ns', 'p', 10_999));
    assert.ok(!recent.has(a, 'ns', 'p', 11_000), 'expired');
    assert.ok(!recent.has(b, 'ns', 'p', 10_500), 'not deleted from B');
    assert.ok(!recent.has(a, 'other', 'p', 10_500));
  });

  it('forgets expired deletions on the next write, so its size follows the deletion rate', () => {
    const recent = new RecentPodDeletions({ ttlMs: 1000 });
    for (let i = 0; i < 50; i += 1) recent.record(a, 'ns', `p${String(i)}`, 0);
    recent.record(b, 'ns', 'q', 5000);
    assert.equal(recent.size, 1);
  });

  it('keeps at most maxPerNode per node (oldest forgotten) and maxTotal overall', () => {
    const recent = new RecentPodDeletions({ maxPerNode: 3, maxTotal: 5 });
    for (let i = 0; i < 4; i += 1) recent.record(a, 'ns', `p${String(i)}`, i);
    assert.ok(!recent.has(a, 'ns', 'p0', 10));
    assert.ok(recent.has(a, 'ns', 'p3', 10));
    for (let i = 0; i < 4; i += 1) recent.record(b, 'ns', `q${String(i)}`, 10 + i);
    assert.ok(recent.size <= 5, `size ${String(recent.size)}`);
    assert.ok(recent.has(b, 'ns', 'q3', 20));
  });

  it('a pod deleted again is remembered from its latest deletion', () => {
    const recent = new RecentPodDeletions({ ttlMs: 1000 });
    recent.record(a, 'ns', 'p', 0);
    recent.record(a, 'ns', 'p', 900);
    recent.record(b, 'ns', 'x', 1500);
    assert.ok(recent.has(a, 'ns', 'p', 1500));
  });
});
