import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageId, ResourcePath } from '../protocol/index.js';
import { isAckRequired } from '../protocol/index.js';
import { notFoundFailure } from './api-outcome.js';
import type { ReplyShape } from './decision.js';
import { emissionToMessage, failureEmissions, reply } from './decision.js';
import { messageOf } from './test-support.js';

const stamp = { id: 'r-77' as MessageId, now: 1_732_400_002_000 };

describe('failureEmissions', () => {
  const failure = notFoundFailure('leases', 'edge-a');
  const table: [ReplyShape, unknown[]][] = [
    ['ok', [{ ErrStatus: { code: 404 } }]],
    ['object', [{ ErrStatus: { code: 404 } }]],
    ['object-resp', [{ Object: null, Err: { ErrStatus: { code: 404 } } }]],
    ['text', ['leases.coordination.k8s.io "edge-a" not found']],
    ['none', []],
  ];
  for (const [shape, expected] of table) {
    it(`answers a failure in the ${shape} shape`, () => {
      const contents = failureEmissions(shape, failure).map((e) => e.content);
      assert.equal(contents.length, expected.length);
      for (const [i, content] of contents.entries()) assert.partialDeepStrictEqual(content, expected[i]);
    });
  }
});

describe('emissionToMessage', () => {
  const request = messageOf('default/configmap/app-cfg', 'query', null);

  it('answers with group resource, operation response and the request id as parent (spec §4.8)', () => {
    const message = emissionToMessage(
      request,
      reply({ kind: 'ConfigMap' }, { resourceVersion: '51002' }),
      stamp,
    );
    assert.deepEqual(message, {
      header: { msg_id: 'r-77', parent_msg_id: 'req-1', timestamp: stamp.now, resourceversion: '51002' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/configmap/app-cfg',
      },
      content: { kind: 'ConfigMap' },
    });
    assert.equal(isAckRequired(message), true);
  });

  it('answers on another resource when asked (legacy nodestatus)', () => {
    const nodeStatus = messageOf('null/nodestatus/edge-a', 'update', {});
    const message = emissionToMessage(
      nodeStatus,
      reply('OK', { resource: 'null/node/edge-a' as ResourcePath }),
      stamp,
    );
    assert.equal(message.route.resource, 'null/node/edge-a');
    assert.equal(message.content, 'OK');
  });

  it('pushes with no parent, source edgecontroller', () => {
    const message = emissionToMessage(
      request,
      {
        kind: 'push',
        operation: 'delete',
        resource: 'default/pod/p' as ResourcePath,
        content: { kind: 'Pod' },
      },
      stamp,
    );
    assert.equal(message.header.parent_msg_id, undefined);
    assert.deepEqual(message.route, {
      source: 'edgecontroller',
      group: 'resource',
      operation: 'delete',
      resource: 'default/pod/p',
    });
  });
});
