import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, nowText, replyContents, terminalOf, walk } from '../test-support.js';
import { decideNodeStatus } from './node-status.js';

const conflict = failed({ code: 409, reason: 'Conflict', message: 'the object has been modified' });

describe('decideNodeStatus insert (legacy)', () => {
  it('answers "OK" on <ns>/node/<name> when the node exists', () => {
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-a', 'insert', {})), [succeeded({})]);
    assert.deepEqual(result.emissions, [{ kind: 'reply', content: 'OK', resource: 'null/node/edge-a' }]);
  });

  it('registers a missing node, then answers "OK"', () => {
    const node = { metadata: { labels: { 'node-role.kubernetes.io/edge': '' } } };
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-a', 'insert', node)), [
      failed(notFoundFailure('nodes', 'edge-a')),
      succeeded({}),
      succeeded({}),
    ]);
    assert.deepEqual(
      result.calls.map((c) => c.verb),
      ['get', 'create', 'patch'],
    );
    assert.deepEqual(replyContents(result), ['OK']);
  });

  it('answers a failed registration with the error as a plain string (nodeMsgResponse)', () => {
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-a', 'insert', {})), [
      failed(notFoundFailure('nodes', 'edge-a')),
      failed({ code: 500, reason: 'InternalError', message: 'etcd is down' }),
    ]);
    assert.deepEqual(result.emissions, [
      { kind: 'reply', content: 'etcd is down', resource: 'null/node/edge-a' },
    ]);
  });

  it("denies node A node B's nodestatus", () => {
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-b', 'insert', {})));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'not-own-node' });
    assert.equal(typeof replyContents(result)[0], 'string');
  });
});

describe('decideNodeStatus update (legacy)', () => {
  const request = {
    UID: 'n-uid',
    Status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: null }] },
  };
  const current = { metadata: { name: 'edge-a', resourceVersion: '4' }, status: {} };

  it('reads the node, writes the merged status and answers "OK" with the new RV on <ns>/node/<name>', () => {
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-a', 'update', request)), [
      succeeded(current),
      succeeded({ metadata: { resourceVersion: '5' } }),
    ]);
    assert.partialDeepStrictEqual(result.calls[1], {
      verb: 'update',
      subresource: 'status',
      body: { metadata: { resourceVersion: '4' }, status: { conditions: [{ lastHeartbeatTime: nowText }] } },
    });
    assert.deepEqual(result.emissions, [
      { kind: 'reply', content: 'OK', resourceVersion: '5', resource: 'null/node/edge-a' },
    ]);
  });

  it('re-reads and merges again after a conflict, then gives up after conflictRetries', () => {
    const result = walk(decideNodeStatus(inputOf('null/nodestatus/edge-a', 'update', request)), [
      succeeded(current),
      conflict,
      succeeded(current),
      conflict,
      succeeded(current),
      conflict,
    ]);
    assert.equal(result.calls.length, 6);
    assertEach(replyContents(result), [{ ErrStatus: { code: 409 } }]);
  });

  it('accepts lower-case Go field names', () => {
    const result = walk(
      decideNodeStatus(inputOf('null/nodestatus/edge-a', 'update', { uid: 'x', status: {} })),
      [succeeded(current), succeeded({})],
    );
    assert.equal(terminalOf(result).action, 'done');
  });

  it("denies node A node B's status", () => {
    assert.partialDeepStrictEqual(
      terminalOf(walk(decideNodeStatus(inputOf('null/nodestatus/edge-b', 'update', request)))),
      {
        action: 'forbid',
        reason: 'not-own-node',
      },
    );
  });
});
