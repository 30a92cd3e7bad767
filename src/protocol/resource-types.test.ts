import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isResourceType,
  isUpstreamResourceType,
  resourceTypes,
  upstreamResourceTypes,
} from './resource-types.js';

describe('resource types', () => {
  it('lists the 23 names of spec §2.2 once each', () => {
    assert.equal(resourceTypes.length, 23);
    assert.equal(new Set(resourceTypes).size, resourceTypes.length);
  });

  it('lets the edge request only types edgecontroller routes upstream', () => {
    assert.equal(new Set(upstreamResourceTypes).size, 15);
    for (const type of upstreamResourceTypes) assert.equal(isResourceType(type), true, type);
  });

  const table: [string, boolean, boolean][] = [
    ['pod', true, true],
    ['podstatus', true, true],
    ['lease', true, true],
    ['certificatesigningrequest', true, true],
    ['podlist', true, false],
    ['rulestatus', true, false],
    ['volume', true, false],
    ['service', true, false],
    ['serviceaccountaccess', true, false],
    ['Pod', false, false],
    ['endpointslice', false, false],
    ['constructor', false, false],
    ['', false, false],
  ];
  for (const [type, known, upstream] of table) {
    it(`classifies ${JSON.stringify(type)}`, () => {
      assert.equal(isResourceType(type), known);
      assert.equal(isUpstreamResourceType(type), upstream);
    });
  }
});
