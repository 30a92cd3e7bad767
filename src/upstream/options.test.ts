import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEdgeControllerError } from '../errors/index.js';
import type { UpstreamOptions } from './options.js';
import { resolveUpstreamOptions, upstreamDefaults } from './options.js';

describe('resolveUpstreamOptions', () => {
  it('applies the defaults: node authorization on', () => {
    assert.deepEqual(resolveUpstreamOptions({ cloudcoreAddress: '10.0.0.1' }), {
      cloudcoreAddress: '10.0.0.1',
      ...upstreamDefaults,
    });
    assert.equal(upstreamDefaults.authorization, 'node');
  });

  const invalid: [string, UpstreamOptions][] = [
    ['cloudcoreAddress', { cloudcoreAddress: '' }],
    ['authorization', { cloudcoreAddress: 'a', authorization: 'off' as 'none' }],
    ['nodeUpdateFrequencyMs', { cloudcoreAddress: 'a', nodeUpdateFrequencyMs: 0 }],
    ['conflictRetries', { cloudcoreAddress: 'a', conflictRetries: -1 }],
    ['conflictRetries', { cloudcoreAddress: 'a', conflictRetries: 1.5 }],
  ];
  for (const [field, options] of invalid) {
    it(`rejects a bad ${field} with EC_CONFIG_INVALID naming it`, () => {
      assert.throws(
        () => resolveUpstreamOptions(options),
        (err: unknown) => isEdgeControllerError(err, 'EC_CONFIG_INVALID') && err.message.includes(field),
      );
    });
  }
});
