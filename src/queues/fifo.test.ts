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
});
