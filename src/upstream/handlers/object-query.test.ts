import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideQuery } from './object-query.js';

describe('decideQuery', () => {
  const spec = { resource: 'configmaps', servedFromCache: true, asNode: true, shape: 'object' } as const;

  it('reads the object and answers it bare with its resourceVersion in the header', () => {
    const result = walk(decideQuery(inputOf('default/configmap/c', 'query', null), spec), [
      succeeded({ metadata: { name: 'c', resourceVersion: '51002' } }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'get',
        target: { resource: 'configmaps', name: 'c', namespace: 'default' },
        servedFromCache: true,
        asNode: true,
      },
    ]);
    assert.deepEqual(result.emissions, [
      {
        kind: 'reply',
        content: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '51002' } },
        resourceVersion: '51002',
      },
    ]);
  });

  it('answers the object in an ObjectResp without a header RV in the object-resp shape', () => {
    const result = walk(
      decideQuery(inputOf('default/configmap/c', 'query', null), { ...spec, shape: 'object-resp' }),
      [succeeded({ metadata: { resourceVersion: '1' } })],
    );
    assert.deepEqual(result.emissions, [
      {
        kind: 'reply',
        content: {
          Object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '1' } },
          Err: null,
        },
      },
    ]);
  });

  it('answers a NotFound as {"ErrStatus"} with no RV', () => {
    const result = walk(decideQuery(inputOf('default/configmap/c', 'query', null), spec), [
      failed(notFoundFailure('configmaps', 'c')),
    ]);
    assert.equal(terminalOf(result).action, 'done');
    assert.deepEqual(
      result.emissions.map((e) => ('resourceVersion' in e ? e.resourceVersion : undefined)),
      [undefined],
    );
    assertEach(replyContents(result), [{ ErrStatus: { code: 404, reason: 'NotFound' } }]);
  });

  const invalidTable: [string, string, string, string][] = [
    ['an unserved operation', 'default/configmap/c', 'delete', 'unsupported-operation'],
    ['a missing name', 'default/configmap', 'query', 'bad-resource'],
    ['a missing namespace', 'null/configmap/c', 'query', 'bad-resource'],
  ];
  for (const [name, resource, operation, reason] of invalidTable) {
    it(`answers ${name} without a call`, () => {
      const result = walk(decideQuery(inputOf(resource, operation, null), spec));
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), { action: 'invalid', reason });
      assert.equal(replyContents(result).length, 1);
    });
  }
});
