import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideNodePatch } from './node-patch.js';

describe('decideNodePatch', () => {
  it('sends the patch text as a strategic-merge patch on nodes/<name>/status and answers the full node', () => {
    const result = walk(decideNodePatch(inputOf('null/nodepatch/edge-a', 'patch', '{}')), [
      succeeded({ metadata: { name: 'edge-a', resourceVersion: '77' }, status: {} }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'patch',
        target: { resource: 'nodes', name: 'edge-a' },
        subresource: 'status',
        patchType: 'strategic-merge',
        patch: '{}',
        asNode: true,
      },
    ]);
    assert.deepEqual(result.emissions, [
      {
        kind: 'reply',
        content: {
          Object: {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name: 'edge-a', resourceVersion: '77' },
            status: {},
          },
          Err: null,
        },
        resourceVersion: '77',
      },
    ]);
  });

  it('answers a failure as an ObjectResp with a null Object', () => {
    const result = walk(decideNodePatch(inputOf('null/nodepatch/edge-a', 'patch', '{}')), [
      failed(notFoundFailure('nodes', 'edge-a')),
    ]);
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 404 } } }]);
  });

  const rejected: [string, string, unknown, string][] = [
    ["node B's status", 'null/nodepatch/edge-b', '{}', 'not-own-node'],
    [
      'a node-restriction label',
      'null/nodepatch/edge-a',
      '{"metadata":{"labels":{"node-restriction.kubernetes.io/x":"y"}}}',
      'restricted-label',
    ],
    ['a spec change', 'null/nodepatch/edge-a', '{"spec":{"taints":[]}}', 'patch-field-not-allowed'],
  ];
  for (const [name, resource, content, reason] of rejected) {
    it(`denies node A ${name}`, () => {
      const result = walk(decideNodePatch(inputOf(resource, 'patch', content)));
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason });
      assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
    });
  }

  it('answers a patch that is not a JSON object with a 400', () => {
    assert.partialDeepStrictEqual(
      terminalOf(walk(decideNodePatch(inputOf('null/nodepatch/edge-a', 'patch', '"x"')))),
      {
        action: 'invalid',
        reason: 'malformed-content',
      },
    );
  });
});
