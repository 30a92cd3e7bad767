import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyOf, objectKey, parseObjectKey } from './object-key.js';

describe('objectKey', () => {
  it('spells namespace/name, and name alone for cluster-scoped objects', () => {
    assert.equal(objectKey('default', 'web'), 'default/web');
    assert.equal(objectKey(undefined, 'node-1'), 'node-1');
    assert.equal(objectKey('', 'node-1'), 'node-1');
    assert.equal(keyOf({ metadata: { namespace: 'ns', name: 'a' } }), 'ns/a');
  });

  it('parses back what it built', () => {
    assert.deepEqual(parseObjectKey(objectKey('ns', 'a')), { namespace: 'ns', name: 'a' });
    assert.deepEqual(parseObjectKey(objectKey(undefined, 'n')), { name: 'n' });
  });
});
