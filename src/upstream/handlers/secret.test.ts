import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideSecret } from './secret.js';

describe('decideSecret', () => {
  it('serves a Secret a pod of the node uses', () => {
    const result = walk(decideSecret(inputOf('default/secret/a-secret', 'query', null)), [
      succeeded({ metadata: { resourceVersion: '3' }, data: { k: 'dg==' } }),
    ]);
    assertEach(result.emissions, [{ kind: 'reply', content: { kind: 'Secret' }, resourceVersion: '3' }]);
  });

  it("denies node A node B's Secret with a 403, without reading it", () => {
    const result = walk(decideSecret(inputOf('default/secret/b-secret', 'query', null)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'object-not-referenced' });
    assertEach(replyContents(result), [{ ErrStatus: { code: 403 } }]);
  });

  it('serves any Secret with authorization off (KubeEdge default)', () => {
    const result = walk(
      decideSecret(inputOf('default/secret/b-secret', 'query', null, { authorization: 'none' })),
      [succeeded({})],
    );
    assert.equal(terminalOf(result).action, 'done');
  });
});
