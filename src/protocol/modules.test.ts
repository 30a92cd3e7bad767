import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCloudModuleSource } from './modules.js';

describe('isCloudModuleSource', () => {
  const table: [string, boolean][] = [
    ['cloudhub', true],
    ['cloudStream', true],
    ['devicecontroller', true],
    ['edgecontroller', true],
    ['synccontroller', true],
    ['cloudstream', false],
    ['edged', false],
    ['websocket', false],
    ['metaserver', false],
    ['twin', false],
    ['dynamiccontroller', false],
    ['', false],
  ];
  for (const [source, expected] of table) {
    it(`${expected ? 'treats' : 'does not treat'} ${JSON.stringify(source)} as a cloud module`, () => {
      assert.equal(isCloudModuleSource(source), expected);
    });
  }
});
