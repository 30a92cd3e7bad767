import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineHeap } from './deadline-heap.js';
import type { HeapNode } from './deadline-heap.js';

function node(deadline: number, seq: number): HeapNode {
  return { deadline, seq, heapIndex: -1 };
}

describe('DeadlineHeap', () => {
  it('pops by deadline, then by seq', () => {
    const heap = new DeadlineHeap<HeapNode>();
    const nodes = [node(30, 0), node(10, 1), node(20, 2), node(10, 3), node(5, 4)];
    for (const n of nodes) heap.push(n);
    const order: number[] = [];
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) order.push(n.seq);
    assert.deepEqual(order, [4, 1, 3, 2, 0]);
  });

  it('removes arbitrary nodes and stays ordered (random check against a sort)', () => {
    let state = 7;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const heap = new DeadlineHeap<HeapNode>();
    const live = new Set<HeapNode>();
    for (let i = 0; i < 2_000; i += 1) {
      const n = node(Math.floor(random() * 100), i);
      heap.push(n);
      live.add(n);
      if (random() < 0.4) {
        const victim = [...live][Math.floor(random() * live.size)];
        if (victim !== undefined) {
          assert.equal(heap.remove(victim), true);
          assert.equal(heap.remove(victim), false);
          live.delete(victim);
        }
      }
    }
    const expected = [...live].sort((a, b) => a.deadline - b.deadline || a.seq - b.seq).map((n) => n.seq);
    const actual: number[] = [];
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) actual.push(n.seq);
    assert.deepEqual(actual, expected);
  });

  it('clear detaches every node so it can be pushed again', () => {
    const heap = new DeadlineHeap<HeapNode>();
    const n = node(1, 0);
    heap.push(n);
    heap.clear();
    assert.equal(n.heapIndex, -1);
    assert.equal(heap.size, 0);
    heap.push(n);
    assert.equal(heap.peek(), n);
  });
});
