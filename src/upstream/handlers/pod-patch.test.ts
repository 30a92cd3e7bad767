import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, nodeB, replyContents, terminalOf, walk } from '../test-support.js';
import { decidePodPatch } from './pod-patch.js';

const kubeletPatch = JSON.stringify({
  metadata: { uid: '9b0e' },
  status: { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running', podIPs: [{ ip: '10.1.0.7' }] },
});

describe('decidePodPatch', () => {
  it('patches pods/<name>/status with the text as sent and answers the full pod with its RV (§4.7)', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch)), [
      succeeded({ metadata: { name: 'a-pod', resourceVersion: '48230' } }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'patch',
        target: { resource: 'pods', namespace: 'default', name: 'a-pod' },
        subresource: 'status',
        patchType: 'strategic-merge',
        patch: kubeletPatch,
        asNode: true,
      },
    ]);
    assert.deepEqual(result.emissions, [
      {
        kind: 'reply',
        content: {
          Object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a-pod', resourceVersion: '48230' } },
          Err: null,
        },
        resourceVersion: '48230',
      },
    ]);
  });

  it('answers a UID precondition failure in Err', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch)), [
      failed({ code: 409, reason: 'Conflict', message: 'uid mismatch' }),
    ]);
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 409 } } }]);
  });

  it("denies node A patching node B's pod, and nothing is written", () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/b-pod', 'patch', kubeletPatch)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'pod-not-on-node' });
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 403, reason: 'Forbidden' } } },
    ]);
  });

  it('lets node B patch its own pod', () => {
    const result = walk(
      decidePodPatch(inputOf('default/podpatch/b-pod', 'patch', kubeletPatch, { node: nodeB })),
      [succeeded({})],
    );
    assert.equal(terminalOf(result).action, 'done');
  });

  it('denies metadata beyond the UID precondition', () => {
    const patch = JSON.stringify({ metadata: { labels: { a: 'b' } }, status: {} });
    assert.partialDeepStrictEqual(
      terminalOf(walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', patch)))),
      {
        action: 'forbid',
        reason: 'patch-field-not-allowed',
      },
    );
  });

  it('answers a non-patch operation with 405 in the ObjectResp shape', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'update', kubeletPatch)));
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 405 } } }]);
  });
});
