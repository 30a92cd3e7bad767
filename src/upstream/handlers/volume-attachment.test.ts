import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideVolumeAttachment } from './volume-attachment.js';

describe('decideVolumeAttachment', () => {
  it('answers an attachment for the node; the edge sends namespace default, the read ignores it', () => {
    const result = walk(decideVolumeAttachment(inputOf('default/volumeattachment/va-1', 'query', null)), [
      succeeded({ metadata: { name: 'va-1', resourceVersion: '8' }, spec: { nodeName: 'edge-a' } }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'get',
        target: { resource: 'volumeattachments', name: 'va-1' },
        servedFromCache: false,
        asNode: true,
      },
    ]);
    assertEach(result.emissions, [
      { content: { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment' }, resourceVersion: '8' },
    ]);
  });

  it("denies node A node B's attachment after reading it, without its content", () => {
    const result = walk(decideVolumeAttachment(inputOf('default/volumeattachment/va-2', 'query', null)), [
      succeeded({ metadata: { name: 'va-2' }, spec: { nodeName: 'edge-b' } }),
    ]);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'attachment-not-on-node' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
    assert.doesNotMatch(JSON.stringify(result.emissions), /edge-b/);
  });
});
