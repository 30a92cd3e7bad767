import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('returns values in push order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift() ?? -1);
    }
    out.push(...fifo.drain());
    assert.deepEqual(
      out,
      Array.from({ length: 5_000 }, (_, i) => i),
    );
    assert.equal(fifo.length, 0);
    assert.equal(fifo.shift(), undefined);
  });

  it('holds no consumed slots once emptied, so a queue of one value at a time stays small', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 2_000; i += 1) {
      fifo.push(i);
      assert.equal(fifo.shift(), i);
      assert.equal(fifo.heldSlots, 0);
    }
    fifo.push(1);
    fifo.push(2);
    assert.equal(fifo.shift(), 1);
    assert.equal(fifo.heldSlots, 2, 'a value still held keeps its slot and the consumed one before it');
    assert.equal(fifo.shift(), 2);
    assert.equal(fifo.heldSlots, 0);
  });
});
