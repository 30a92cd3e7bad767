import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEdgeControllerError } from '../../errors/index.js';
import { informerDefaults, resolveInformerOptions } from './informer-options.js';
import type { InformerOptions, ListWatchClient } from './informer-options.js';
import type { KubeObject } from './object.js';

const client: ListWatchClient = {
  request: () => Promise.reject(new Error('unused')),
  openStream: () => Promise.reject(new Error('unused')),
};

describe('resolveInformerOptions', () => {
  it('merges the defaults and names the informer after its path', () => {
    const resolved = resolveInformerOptions({ client, path: '/api/v1/pods' });
    assert.equal(resolved.name, '/api/v1/pods');
    assert.equal(resolved.pageSize, informerDefaults.pageSize);
    assert.equal(resolved.watchdogMs, 180_000);
  });

  const invalid: [field: string, options: Partial<InformerOptions<KubeObject>>][] = [
    ['path', { path: 'pods' }],
    ['path', { path: '/api/v1/pods?watch=1' }],
    ['pageSize', { pageSize: 0 }],
    ['pageSize', { pageSize: 1.5 }],
    ['maxWatchTimeoutSeconds', { minWatchTimeoutSeconds: 600, maxWatchTimeoutSeconds: 300 }],
    ['watchdogMs', { watchdogMs: 0 }],
    ['maxBackoffMs', { maxBackoffMs: -1 }],
    ['backoffJitter', { backoffJitter: 1.5 }],
    ['backoffJitter', { backoffJitter: Number.NaN }],
  ];
  for (const [field, options] of invalid) {
    it(`rejects a bad ${field} (${JSON.stringify(options)}) with EC_CONFIG_INVALID naming it`, () => {
      assert.throws(
        () => resolveInformerOptions({ client, path: '/api/v1/pods', ...options }),
        (err: unknown) => isEdgeControllerError(err, 'EC_CONFIG_INVALID') && err.message.includes(field),
      );
    });
  }
});
