import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialDelayMs, fullJitterDelayMs, proportionalJitterDelayMs } from './exponential.js';

describe('exponentialDelayMs', () => {
  // The per-node queue's ACK timeout with its defaults (5 s doubling to 60 s).
  const ack = { initialDelayMs: 5_000, maxDelayMs: 60_000 };
  const table: [attempt: number, delayMs: number][] = [
    [0, 5_000],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 60_000],
    [50, 60_000],
    [5_000, 60_000],
    [-3, 5_000],
  ];
  for (const [attempt, delayMs] of table) {
    it(`waits ${String(delayMs)} ms at attempt ${String(attempt)}, doubling up to the cap`, () => {
      assert.equal(exponentialDelayMs(attempt, ack), delayMs);
    });
  }
});

describe('fullJitterDelayMs', () => {
  const b = { initialDelayMs: 1000, maxDelayMs: 30_000 };
  const table: [string, number, number, number][] = [
    ['first retry, top of the range', 0, 0.999, 999],
    ['first retry, bottom of the range', 0, 0, 0],
    ['cap doubles per attempt', 3, 0.5, 4000],
    ['cap stops at maxDelayMs', 10, 0.999, 29_970],
    ['huge attempt counts do not overflow', 10_000, 0.5, 15_000],
    ['negative attempt is treated as 0', -4, 0.5, 500],
    ['random above 1 is clamped', 0, 7, 1000],
    ['random below 0 is clamped', 2, -1, 0],
  ];
  for (const [name, attempt, random, expected] of table) {
    it(name, () => {
      assert.equal(fullJitterDelayMs(attempt, b, random), expected);
    });
  }

  it('spreads 1,000 clients cut at once over the window', () => {
    const delays = Array.from({ length: 1000 }, (_, i) => fullJitterDelayMs(0, b, i / 1000));
    assert.equal(new Set(delays).size, 1000);
    assert.ok(Math.max(...delays) < b.initialDelayMs);
  });
});

describe('proportionalJitterDelayMs', () => {
  // The informer's defaults: 800 ms doubling to 30 s, up to half taken off.
  const b = { initialDelayMs: 800, maxDelayMs: 30_000 };
  const table: [attempt: number, random: number, delayMs: number][] = [
    [0, 0, 800],
    [1, 0, 1_600],
    [5, 0, 25_600],
    [6, 0, 30_000],
    [100, 0, 30_000],
    [0, 0.5, 600],
    [6, 0.999, 15_015],
  ];
  for (const [attempt, random, delayMs] of table) {
    it(`waits ${String(delayMs)} ms at attempt ${String(attempt)} with random ${String(random)}`, () => {
      assert.equal(proportionalJitterDelayMs(attempt, b, 0.5, random), delayMs);
    });
  }

  it('never exceeds the cap and never goes below (1 - jitter) of it', () => {
    for (let r = 0; r < 1; r += 0.01) {
      const d = proportionalJitterDelayMs(50, b, 0.5, r);
      assert.ok(d <= 30_000 && d >= 15_000, String(d));
    }
  });

  it('takes nothing off without jitter', () => {
    assert.equal(proportionalJitterDelayMs(1, b, 0, 0.9), 1_600);
  });
});
