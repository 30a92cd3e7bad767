import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { Outbox } from './outbox.js';

/** An outbox whose later turns run only when the test says so. */
function harness(perTurn: number) {
  const sent: string[] = [];
  const turns: (() => void)[] = [];
  const outbox = new Outbox<string>({
    perTurn,
    send: (node, item) => sent.push(`${node}:${item}`),
    later: (fn) => turns.push(fn),
  });
  const nextTurn = (): void => {
    for (const fn of turns.splice(0)) fn();
  };
  const offer = (node: string, item: string): void => {
    outbox.offer(node as NodeName, item);
  };
  return { outbox, sent, nextTurn, offer, turns };
}

describe('Outbox', () => {
  it('hands on at most perTurn items in one turn and the rest in later turns, all of them', () => {
    const h = harness(3);
    for (let i = 0; i < 10; i += 1) h.offer(`edge-${String(i)}`, 'v1');
    assert.equal(h.sent.length, 3);
    assert.equal(h.outbox.waiting, 7);
    h.nextTurn();
    assert.equal(h.sent.length, 6);
    h.nextTurn();
    h.nextTurn();
    assert.equal(h.sent.length, 10);
    assert.equal(h.outbox.waiting, 0);
    h.nextTurn();
    assert.equal(h.turns.length, 0, 'nothing left scheduled once drained and the budget is back');
  });

  it('keeps per-node order: a node with an item waiting waits behind it, even with budget left', () => {
    const h = harness(2);
    h.offer('a', '1');
    h.offer('b', '1');
    h.offer('a', '2'); // budget spent: waits
    h.nextTurn(); // a:2 goes; budget 1 left in this turn
    h.offer('b', '2'); // b has nothing waiting: goes now
    h.offer('c', '1'); // budget spent again: waits
    h.offer('b', '3');
    h.nextTurn();
    assert.deepEqual(h.sent, ['a:1', 'b:1', 'a:2', 'b:2', 'c:1', 'b:3']);
    const perNode = (node: string): string[] => h.sent.filter((s) => s.startsWith(`${node}:`));
    assert.deepEqual(perNode('b'), ['b:1', 'b:2', 'b:3']);
  });

  it('an item for a node that has one waiting never overtakes it, whatever the budget', () => {
    const h = harness(1);
    h.offer('a', '1');
    h.offer('a', '2'); // waits
    h.nextTurn(); // a:2 goes, budget spent
    h.offer('a', '3');
    h.nextTurn();
    assert.deepEqual(h.sent, ['a:1', 'a:2', 'a:3']);
  });

  it('drops what waits for a node, and only that', () => {
    const h = harness(1);
    h.offer('a', '1');
    h.offer('b', '1');
    h.offer('a', '2');
    h.offer('b', '2');
    h.outbox.dropNode('b' as NodeName);
    assert.equal(h.outbox.waiting, 1);
    h.nextTurn();
    h.nextTurn();
    h.offer('b', '3'); // b has nothing waiting any more
    h.nextTurn();
    assert.deepEqual(h.sent, ['a:1', 'a:2', 'b:3']);
  });

  it('a send that throws in a later turn is reported and the rest still go', () => {
    const errors: string[] = [];
    const turns: (() => void)[] = [];
    const sent: string[] = [];
    const outbox = new Outbox<string>({
      perTurn: 1,
      send: (node, item) => {
        if (item === 'bad') throw new Error('boom');
        sent.push(`${node}:${item}`);
      },
      later: (fn) => turns.push(fn),
      onError: (err, node) => errors.push(`${node} ${String(err)}`),
    });
    outbox.offer('a' as NodeName, '1');
    outbox.offer('a' as NodeName, 'bad');
    outbox.offer('a' as NodeName, '2');
    for (let i = 0; i < 3; i += 1) for (const fn of turns.splice(0)) fn();
    assert.deepEqual(sent, ['a:1', 'a:2']);
    assert.deepEqual(errors, ['a Error: boom']);
  });
});
