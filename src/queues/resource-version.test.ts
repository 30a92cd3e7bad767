import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResourceVersion } from './resource-version.js';

describe('parseResourceVersion', () => {
  const table: [input: string, expected: bigint | undefined][] = [
    ['0', 0n],
    ['42', 42n],
    ['007', 7n],
    ['9007199254740993', 9007199254740993n],
    ['18446744073709551615', 18446744073709551615n],
    ['18446744073709551616', undefined],
    ['', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    [' 1', undefined],
    ['abc', undefined],
    ['123456789012345678901', undefined],
  ];
  for (const [input, expected] of table) {
    it(`reads ${JSON.stringify(input)} as ${String(expected)} without throwing (errata omission 13)`, () => {
      assert.equal(parseResourceVersion(input), expected);
    });
  }

  it('compares numerically where string order would be wrong', () => {
    const nine = parseResourceVersion('9');
    const ten = parseResourceVersion('10');
    assert.ok(nine !== undefined && ten !== undefined && ten > nine);
  });
});
