import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decidePersistentVolumeClaim } from './persistent-volume-claim.js';

describe('decidePersistentVolumeClaim', () => {
  it('reads a claim a pod of the node uses from the API', () => {
    const result = walk(
      decidePersistentVolumeClaim(inputOf('default/persistentvolumeclaim/a-pvc', 'query', null)),
      [succeeded({})],
    );
    assertEach(result.calls, [
      { verb: 'get', servedFromCache: false, target: { resource: 'persistentvolumeclaims' } },
    ]);
    assertEach(replyContents(result), [{ kind: 'PersistentVolumeClaim' }]);
  });

  it("denies node A node B's claim", () => {
    const result = walk(
      decidePersistentVolumeClaim(inputOf('default/persistentvolumeclaim/b-pvc', 'query', null)),
    );
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'object-not-referenced' });
  });
});
