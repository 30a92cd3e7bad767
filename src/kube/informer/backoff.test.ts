import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, watchTimeoutSeconds } from './backoff.js';

describe('backoffDelayMs', () => {
  const options = { initialBackoffMs: 800, maxBackoffMs: 30_000, backoffJitter: 0.5 };
  const table: [failures: number, random: number, delayMs: number][] = [
    [0, 0.5, 0],
    [1, 0, 800],
    [1, 0.5, 600],
    [1, 0.999999, 400],
    [2, 0, 1_600],
    [3, 0, 3_200],
    [6, 0, 25_600],
    [7, 0, 30_000],
    [7, 0.5, 22_500],
    [5_000, 0, 30_000],
  ];
  for (const [failures, random, delayMs] of table) {
    it(`waits ${String(delayMs)} ms after ${String(failures)} failures at random ${String(random)}`, () => {
      assert.equal(backoffDelayMs(failures, options, random), delayMs);
    });
  }

  it('never exceeds the cap and never goes below (1 - jitter) of it', () => {
    for (let r = 0; r < 1; r += 0.01) {
      const d = backoffDelayMs(50, options, r);
      assert.ok(d <= 30_000 && d >= 15_000, String(d));
    }
  });

  it('is deterministic without jitter', () => {
    assert.equal(backoffDelayMs(2, { ...options, backoffJitter: 0 }, 0.9), 1_600);
  });
});

describe('watchTimeoutSeconds', () => {
  it('spreads watch timeouts over [min, max) like client-go', () => {
    const bounds = { minWatchTimeoutSeconds: 300, maxWatchTimeoutSeconds: 600 };
    assert.equal(watchTimeoutSeconds(bounds, 0), 300);
    assert.equal(watchTimeoutSeconds(bounds, 0.5), 450);
    assert.equal(watchTimeoutSeconds(bounds, 0.999999), 599);
    assert.equal(watchTimeoutSeconds({ minWatchTimeoutSeconds: 5, maxWatchTimeoutSeconds: 5 }, 0.7), 5);
  });
});
