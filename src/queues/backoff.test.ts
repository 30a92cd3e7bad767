import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ackTimeoutForAttempt } from './backoff.js';

describe('ackTimeoutForAttempt', () => {
  const options = { ackTimeoutMs: 5_000, maxAckTimeoutMs: 60_000 };
  const table: [attempt: number, timeoutMs: number][] = [
    [0, 5_000],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 60_000],
    [50, 60_000],
    [5_000, 60_000],
  ];
  for (const [attempt, timeoutMs] of table) {
    it(`waits ${String(timeoutMs)} ms after send ${String(attempt)}, doubling up to the cap`, () => {
      assert.equal(ackTimeoutForAttempt(attempt, options), timeoutMs);
    });
  }
});
