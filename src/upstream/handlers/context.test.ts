import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEach, inputOf } from '../test-support.js';
import { denied, malformed, requireName, requireNamespace, unsupported } from './context.js';

describe('handler context', () => {
  it('reads the name and namespace of the resource', () => {
    const input = inputOf('default/configmap/c', 'query', null);
    assert.deepEqual(requireName(input, 'object'), { ok: true, value: 'c' });
    assert.deepEqual(requireNamespace(input, 'object'), { ok: true, value: 'default' });
  });

  it('turns a missing name or namespace into a 400 bad-resource decision', () => {
    const name = requireName(inputOf('default/podstatus', 'update', null), 'ok');
    const namespace = requireNamespace(inputOf('null/configmap/c', 'query', null), 'ok');
    for (const step of [name, namespace]) {
      if (step.ok) assert.fail('expected a failure');
      assert.partialDeepStrictEqual(step.decision, { action: 'invalid', reason: 'bad-resource' });
      assertEach(step.decision.action === 'invalid' ? step.decision.emit : [], [
        { content: { ErrStatus: { code: 400 } } },
      ]);
    }
  });

  it('answers unsupported operations with 405 and bad content with 400, in the given shape', () => {
    assert.partialDeepStrictEqual(
      unsupported(inputOf('default/configmap/c', 'delete', null), 'object-resp'),
      {
        action: 'invalid',
        reason: 'unsupported-operation',
        emit: [{ content: { Object: null, Err: { ErrStatus: { code: 405 } } } }],
      },
    );
    assert.partialDeepStrictEqual(malformed('bad', 'text'), { emit: [{ content: 'bad' }] });
  });

  it('authorizes against the session node, not a node named in the request', () => {
    const input = inputOf('null/node/edge-b', 'query', null);
    assert.partialDeepStrictEqual(
      denied(input, { kind: 'node', name: 'edge-b' }, { resource: 'nodes', name: 'edge-b' }, 'object'),
      {
        action: 'forbid',
        reason: 'not-own-node',
      },
    );
    assert.equal(
      denied(input, { kind: 'node', name: 'edge-a' }, { resource: 'nodes', name: 'edge-a' }, 'object'),
      undefined,
    );
  });
});
