import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterSeconds } from './busy-retry.js';

describe('retryAfterSeconds', () => {
  it('is the time the requests ahead take, rounded up, stretched by the random factor', () => {
    // 399 waiting + this one, 4 slots, 20 ms each: 2 s ahead.
    assert.equal(retryAfterSeconds(399, 4, 20, 0), 2);
    assert.equal(retryAfterSeconds(399, 4, 20, 0.5), 3); // 2.5 s
    assert.equal(retryAfterSeconds(599, 4, 20, 0.99), 5); // 3 s × 1.495
  });

  it('is at least 1 s and at most the cap', () => {
    assert.equal(retryAfterSeconds(0, 4, 5, 0), 1);
    assert.equal(retryAfterSeconds(100_000, 1, 50, 0), 30);
    assert.equal(retryAfterSeconds(100_000, 1, 50, 0, 10), 10);
  });

  it('is 1 s when the mean is not a number yet', () => {
    assert.equal(retryAfterSeconds(10, 4, Number.NaN, 0), 1);
  });
});
