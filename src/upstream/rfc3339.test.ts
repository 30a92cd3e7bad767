import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRfc3339, isRfc3339, normalizeRfc3339, parseRfc3339 } from './rfc3339.js';

describe('parseRfc3339', () => {
  const table: [string, number | undefined][] = [
    ['2024-11-23T22:13:21Z', Date.UTC(2024, 10, 23, 22, 13, 21)],
    ['2024-11-23T22:13:21.999999999Z', Date.UTC(2024, 10, 23, 22, 13, 21)],
    ['2024-11-24T00:13:21+02:00', Date.UTC(2024, 10, 23, 22, 13, 21)],
    ['2024-11-23T20:13:21.5-02:00', Date.UTC(2024, 10, 23, 22, 13, 21)],
    ['2024-02-30T00:00:00Z', undefined],
    ['2024-11-23 22:13:21Z', undefined],
    ['2024-11-23T22:13:21', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of table) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.equal(parseRfc3339(text), expected);
      assert.equal(isRfc3339(text), expected !== undefined);
    });
  }
});

describe('formatRfc3339', () => {
  it('writes UTC whole seconds, truncating', () => {
    assert.equal(formatRfc3339(Date.UTC(2024, 10, 23, 22, 13, 21, 999)), '2024-11-23T22:13:21Z');
  });
});

describe('normalizeRfc3339', () => {
  const table: [string | null | undefined, string | null | undefined][] = [
    ['2024-11-23T22:13:21.123456Z', '2024-11-23T22:13:21Z'],
    ['2024-11-24T00:13:21+02:00', '2024-11-23T22:13:21Z'],
    [null, null],
    [undefined, undefined],
    ['garbage', 'garbage'],
  ];
  for (const [input, expected] of table) {
    it(`normalizes ${String(input)}`, () => {
      assert.equal(normalizeRfc3339(input), expected);
    });
  }
});
