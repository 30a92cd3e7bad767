import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renewalDelayMs } from './cert-rotation.js';

describe('renewalDelayMs', () => {
  const day = 86_400_000;
  const table: [string, number, number, number, number, number][] = [
    ['renews at 70 % of a 365-day certificate with random 0', 0, 365 * day, 0, 0, 0.7 * 365 * day],
    ['renews at 90 % with random 1', 0, 100 * day, 0, 1, 90 * day],
    ['counts from now', 0, 100 * day, 10 * day, 0.5, 70 * day],
    ['renews at once when the point has passed', 0, 100 * day, 95 * day, 0.5, 0],
    ['an expired certificate renews at once', 0, 10, 1_000, 0, 0],
    ['random out of range is clamped', 0, 100, 0, 5, 90],
  ];
  for (const [name, notBefore, notAfter, now, random, expected] of table) {
    it(name, () => {
      assert.equal(renewalDelayMs(notBefore, notAfter, now, random), Math.round(expected));
    });
  }
});
