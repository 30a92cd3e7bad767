import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectBackoffDefaults, reconnectDelayMs } from './reconnect-backoff.js';

describe('reconnectDelayMs (full jitter)', () => {
  const b = { initialDelayMs: 1000, maxDelayMs: 30_000 };
  const table: [string, number, number, number][] = [
    ['first retry, top of the range', 0, 0.999, 999],
    ['first retry, bottom of the range', 0, 0, 0],
    ['cap doubles per attempt', 3, 0.5, 4000],
    ['cap stops at maxDelayMs', 10, 0.999, 29_970],
    ['huge attempt counts do not overflow', 10_000, 0.5, 15_000],
    ['negative attempt is treated as 0', -4, 0.5, 500],
    ['random above 1 is clamped', 0, 7, 1000],
  ];
  for (const [name, attempt, random, expected] of table) {
    it(name, () => {
      assert.equal(reconnectDelayMs(attempt, random, b), expected);
    });
  }
  it('spreads 1,000 nodes cut at once over the window instead of KubeEdge fixed 30 s', () => {
    const delays = Array.from({ length: 1000 }, (_, i) =>
      reconnectDelayMs(0, i / 1000, reconnectBackoffDefaults),
    );
    assert.equal(new Set(delays).size, 1000);
    assert.ok(Math.max(...delays) < reconnectBackoffDefaults.initialDelayMs);
  });
});
