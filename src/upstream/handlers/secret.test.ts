import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideSecret } from './secret.js';

describe('decideSecret', () => {
  it('serves a Secret a pod of the node uses', () => {
    const result = walk(decideSecret(inputOf('default/secret/a-secret', 'query', null)), [
      succeeded({ metadata: { resourceVersion: '3' }, data: { k: 'dg==' } }),
    ]);
    assertEach(result.emissions, [{ kind: 'reply', content: { kind: 'Secret' }, resourceVersion: '3' }]);
  });

  it('answers a missing Secret in the shape the edge does not store, so it asks again next time', () => {
    // KubeEdge's bare {"ErrStatus"} is stored by the edge under default/secret/a-secret as if it were the
    // Secret, and the edge's secret client reads its store before asking: an empty Secret, for good.
    const result = walk(decideSecret(inputOf('default/secret/a-secret', 'query', null)), [
      failed(notFoundFailure('secrets', 'a-secret')),
    ]);
    assert.equal(terminalOf(result).action, 'done');
    assert.deepEqual(
      replyContents(result).map((content) => Object.keys(content as object)),
      [['Object', 'Err']],
    );
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 404, reason: 'NotFound' } } },
    ]);
  });

  it("denies node A node B's Secret with a 403, without reading it", () => {
    const result = walk(decideSecret(inputOf('default/secret/b-secret', 'query', null)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'object-not-referenced' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
  });

  it('serves any Secret with authorization off (KubeEdge default)', () => {
    const result = walk(
      decideSecret(inputOf('default/secret/b-secret', 'query', null, { authorization: 'none' })),
      [succeeded({})],
    );
    assert.equal(terminalOf(result).action, 'done');
  });
});
