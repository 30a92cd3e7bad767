import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decidePersistentVolume } from './persistent-volume.js';

describe('decidePersistentVolume', () => {
  it('reads the PV bound to a claim of the node, cluster-scoped', () => {
    const result = walk(decidePersistentVolume(inputOf('null/persistentvolume/a-pv', 'query', null)), [
      succeeded({}),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'get',
        target: { resource: 'persistentvolumes', name: 'a-pv' },
        servedFromCache: false,
        asNode: true,
      },
    ]);
    assertEach(replyContents(result), [{ kind: 'PersistentVolume', apiVersion: 'v1' }]);
  });

  it("denies node A the PV of node B's claim", () => {
    const result = walk(decidePersistentVolume(inputOf('null/persistentvolume/b-pv', 'query', null)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'volume-not-referenced' });
  });
});
