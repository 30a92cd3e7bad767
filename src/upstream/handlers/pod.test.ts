import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiOutcome } from '../api-outcome.js';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decidePod, podDeleteOptions } from './pod.js';

const mirrorPod = {
  metadata: {
    name: 'static-web-edge-a',
    namespace: 'default',
    annotations: { 'kubernetes.io/config.mirror': 'hash', 'kubernetes.io/config.source': 'file' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'edge-a', uid: 'n-uid', controller: true }],
  },
  spec: { nodeName: 'edge-a', containers: [{ name: 'web', image: 'nginx' }] },
};

describe('decidePod insert (mirror pods)', () => {
  it('creates a mirror pod for the node and answers an ObjectResp with its RV', () => {
    const result = walk(decidePod(inputOf('default/pod/static-web-edge-a', 'insert', mirrorPod)), [
      succeeded({ metadata: { name: 'static-web-edge-a', resourceVersion: '9' } }),
    ]);
    assertEach(result.calls, [
      {
        verb: 'create',
        target: { resource: 'pods', namespace: 'default' },
        asNode: true,
        body: { apiVersion: 'v1', kind: 'Pod' },
      },
    ]);
    assertEach(result.emissions, [{ content: { Object: { kind: 'Pod' }, Err: null }, resourceVersion: '9' }]);
  });

  const rejected: [string, unknown][] = [
    ['a mirror pod bound to node B', { ...mirrorPod, spec: { ...mirrorPod.spec, nodeName: 'edge-b' } }],
    ['a regular pod', { ...mirrorPod, metadata: { ...mirrorPod.metadata, annotations: {} } }],
    [
      'a mirror pod owned by node B',
      {
        ...mirrorPod,
        metadata: { ...mirrorPod.metadata, ownerReferences: [{ kind: 'Node', name: 'edge-b' }] },
      },
    ],
  ];
  for (const [name, pod] of rejected) {
    it(`denies node A ${name}`, () => {
      const result = walk(decidePod(inputOf('default/pod/static-web-edge-a', 'insert', pod)));
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), {
        action: 'forbid',
        reason: 'mirror-pod-not-allowed',
      });
      assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
    });
  }

  it('rejects a body naming another pod than the resource', () => {
    assert.partialDeepStrictEqual(
      terminalOf(walk(decidePod(inputOf('default/pod/other', 'insert', mirrorPod)))),
      {
        action: 'invalid',
        reason: 'malformed-content',
      },
    );
  });
});

describe('podDeleteOptions', () => {
  const table: [string, unknown, unknown][] = [
    [
      'a UID string (legacy): grace 0 and a UID precondition',
      'u-1',
      { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' } },
    ],
    ['null: defaults', null, {}],
    [
      'DeleteOptions',
      { gracePeriodSeconds: 30, preconditions: { uid: 'u-2' } },
      { gracePeriodSeconds: 30, preconditions: { uid: 'u-2' } },
    ],
  ];
  for (const [name, content, expected] of table) {
    it(`reads ${name}`, () => {
      assert.deepEqual(podDeleteOptions(content), { ok: true, options: expected });
    });
  }

  it('rejects bad DeleteOptions', () => {
    assert.equal(podDeleteOptions({ gracePeriodSeconds: -1 }).ok, false);
  });
});

describe('decidePod delete', () => {
  const table: [string, ApiOutcome, string][] = [
    ['success', succeeded({}), 'OK'],
    ['NotFound', failed(notFoundFailure('pods', 'a-pod')), 'OK'],
    [
      'a re-created pod (failed UID precondition)',
      failed({
        code: 409,
        reason: 'Conflict',
        message: 'Precondition failed. The object might have been deleted and then recreated',
      }),
      'OK',
    ],
  ];
  for (const [name, outcome, expected] of table) {
    it(`answers exactly "OK" on ${name} (errata O7)`, () => {
      const result = walk(decidePod(inputOf('default/pod/a-pod', 'delete', 'u-1')), [outcome]);
      assert.deepEqual(result.calls, [
        {
          verb: 'delete',
          target: { resource: 'pods', namespace: 'default', name: 'a-pod' },
          options: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            gracePeriodSeconds: 0,
            preconditions: { uid: 'u-1' },
          },
          asNode: true,
        },
      ]);
      assert.deepEqual(replyContents(result), [expected]);
    });
  }

  it('answers another failure with {"ErrStatus"}', () => {
    const result = walk(decidePod(inputOf('default/pod/a-pod', 'delete', null)), [
      failed({ code: 500, reason: 'InternalError', message: 'x' }),
    ]);
    assertEach(replyContents(result), [{ ErrStatus: { code: 500 } }]);
  });

  // Served from the pod informer's store when it has the pod; the API is read only on a miss (issue 12).
  const readOf = (target: string) => ({
    verb: 'get',
    target: { resource: 'pods', namespace: 'default', name: target },
    servedFromCache: true,
    asNode: true,
  });

  it("denies node A deleting node B's pod, and nothing is deleted", () => {
    const result = walk(decidePod(inputOf('default/pod/b-pod', 'delete', 'u-1')), [
      succeeded({ metadata: { name: 'b-pod', uid: 'u-1' }, spec: { nodeName: 'edge-b' } }),
    ]);
    assert.deepEqual(result.calls, [readOf('b-pod')], 'read, never deleted');
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'pod-not-on-node' });
    assertEach(replyContents(result), [{ ErrStatus: { code: 403 } }]);
  });

  // Issue 11: the edge deletes its own pod after the cloud's delete reached it and a late reply put
  // the row back; KubeEdge answers "OK" (the API says NotFound), and only a delete from the cloud
  // removes the row.
  it('answers "OK" and pushes a delete of the row for a pod the cache no longer has and the API neither', () => {
    const result = walk(
      decidePod(inputOf('default/pod/gone', 'delete', { preconditions: { uid: 'u-gone' } })),
      [failed(notFoundFailure('pods', 'gone'))],
    );
    assert.deepEqual(result.calls, [readOf('gone')], 'nothing to delete');
    assert.equal(terminalOf(result).action, 'done');
    assert.deepEqual(result.emissions, [
      { kind: 'reply', content: 'OK' },
      {
        kind: 'push',
        operation: 'delete',
        resource: 'default/pod/gone',
        content: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'gone', namespace: 'default', uid: 'u-gone' },
        },
      },
    ]);
  });

  it('answers "OK" and pushes a delete of the old incarnation when the name now holds another pod', () => {
    const result = walk(decidePod(inputOf('default/pod/reborn', 'delete', 'u-old')), [
      succeeded({ metadata: { name: 'reborn', uid: 'u-new' }, spec: { nodeName: 'edge-b' } }),
    ]);
    assert.deepEqual(result.calls, [readOf('reborn')], 'the new pod is not touched');
    assertEach(result.emissions, [
      { kind: 'reply', content: 'OK' },
      { kind: 'push', operation: 'delete', content: { metadata: { uid: 'u-old' } } },
    ]);
  });

  it('deletes a pod bound to the node that the cache does not know yet', () => {
    const result = walk(decidePod(inputOf('default/pod/new', 'delete', 'u-1')), [
      succeeded({ metadata: { name: 'new', uid: 'u-1' }, spec: { nodeName: 'edge-a' } }),
      succeeded({}),
    ]);
    assert.deepEqual(
      result.calls.map((c) => c.verb),
      ['get', 'delete'],
    );
    assert.deepEqual(replyContents(result), ['OK']);
    assert.equal(
      result.emissions.filter((e) => e.kind === 'push').length,
      0,
      'the informer pushes the delete',
    );
  });

  it('answers a failed read of an unbound pod with {"ErrStatus"} and pushes nothing', () => {
    const result = walk(decidePod(inputOf('default/pod/gone', 'delete', 'u-1')), [
      failed({ code: 503, reason: 'ServiceUnavailable', message: 'x' }),
    ]);
    assertEach(result.emissions, [{ kind: 'reply', content: { ErrStatus: { code: 503 } } }]);
  });
});
