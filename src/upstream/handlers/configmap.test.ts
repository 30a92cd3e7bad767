import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, nodeB, replyContents, terminalOf, walk } from '../test-support.js';
import { decideConfigMap } from './configmap.js';

describe('decideConfigMap', () => {
  it('serves a ConfigMap a pod of the node uses, from the informer store', () => {
    const result = walk(decideConfigMap(inputOf('default/configmap/a-cm', 'query', null)), [
      succeeded({ data: {} }),
    ]);
    assert.equal(result.calls[0]?.verb === 'get' && result.calls[0].servedFromCache, true);
    assertEach(replyContents(result), [{ kind: 'ConfigMap' }]);
  });

  it("denies node A node B's ConfigMap with a 403, without reading it", () => {
    const result = walk(decideConfigMap(inputOf('default/configmap/b-cm', 'query', null)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'object-not-referenced' });
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 403, reason: 'Forbidden' } } },
    ]);
  });

  it('serves node B its own ConfigMap', () => {
    const result = walk(decideConfigMap(inputOf('default/configmap/b-cm', 'query', null, { node: nodeB })), [
      succeeded({}),
    ]);
    assert.equal(terminalOf(result).action, 'done');
  });
});
