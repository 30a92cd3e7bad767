import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBudget } from './memory-budget.js';

const limits = { nodeBudgetBytes: 100, globalBudgetBytes: 250 };

describe('MemoryBudget', () => {
  it('sums every kind of a node and all nodes together', () => {
    const budget = new MemoryBudget(limits);
    assert.deepEqual(budget.set('a', 'replies', 30), { kind: 'within' });
    assert.deepEqual(budget.add('a', 'upstream', 20), { kind: 'within' });
    assert.deepEqual(budget.set('b', 'partialFrames', 10), { kind: 'within' });
    assert.deepEqual(budget.usage('a'), { replies: 30, partialFrames: 0, upstream: 20, total: 50 });
    assert.equal(budget.totalBytes, 60);
    assert.equal(budget.totalOf('replies'), 30);
    budget.set('a', 'replies', 5);
    assert.equal(budget.totalBytes, 35);
  });

  it('reports a node over its own budget, and never for a release', () => {
    const budget = new MemoryBudget(limits);
    budget.set('a', 'replies', 90);
    assert.deepEqual(budget.add('a', 'upstream', 20), { kind: 'over-node', node: 'a', usedBytes: 110 });
    assert.deepEqual(budget.add('a', 'upstream', -5), { kind: 'within' }, 'releasing never disconnects');
  });

  it('evicts the largest consumers first until the rest fits the global budget', () => {
    const budget = new MemoryBudget(limits);
    budget.set('small', 'replies', 40);
    budget.set('big', 'replies', 95);
    budget.set('mid', 'replies', 70);
    const verdict = budget.set('other', 'upstream', 60);
    assert.deepEqual(verdict, { kind: 'over-global', evict: ['big'], totalBytes: 265 });
    budget.writeOff('big');
    assert.equal(budget.totalBytes, 170);
    assert.deepEqual(budget.add('small', 'replies', 1), { kind: 'within' });
  });

  it('never goes below zero and drops idle nodes', () => {
    const budget = new MemoryBudget(limits);
    budget.add('a', 'upstream', 10);
    budget.add('a', 'upstream', -50);
    assert.equal(budget.totalBytes, 0);
    assert.equal(budget.nodeCount, 0);
    assert.deepEqual(budget.add('never', 'upstream', -3), { kind: 'within' });
    assert.equal(budget.totalBytes, 0);
  });

  it('bumps the generation on a write-off so that older charges can be told apart', () => {
    const budget = new MemoryBudget(limits);
    budget.add('a', 'upstream', 10);
    assert.equal(budget.generation('a'), 0);
    budget.writeOff('a');
    assert.equal(budget.generation('a'), 1);
    assert.equal(budget.usage('a').total, 0);
    budget.forget('a');
    assert.equal(budget.generation('a'), 0);
  });
});
