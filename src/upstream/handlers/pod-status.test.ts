import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, nowText, replyContents, walk } from '../test-support.js';
import { decidePodStatus } from './pod-status.js';

const apiPod = (uid: string, node: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { name: 'a-pod', namespace: 'default', uid, resourceVersion: '10', ...extra },
  spec: { nodeName: node },
  status: { phase: 'Pending' },
});
const report = (
  name: string,
  uid: string,
  status: Record<string, unknown> = { phase: 'Running' },
): Record<string, unknown> => ({
  UID: uid,
  Name: name,
  Status: status,
});
const conflict = failed({ code: 409, reason: 'Conflict', message: 'the object has been modified' });

describe('decidePodStatus (single form)', () => {
  it('reads the pod, writes the merged status with UpdateStatus and answers "OK"', () => {
    const result = walk(
      decidePodStatus(inputOf('default/podstatus/a-pod', 'update', report('a-pod', 'u1'))),
      [succeeded(apiPod('u1', 'edge-a')), succeeded(apiPod('u1', 'edge-a'))],
    );
    assertEach(result.calls, [
      {
        verb: 'get',
        target: { resource: 'pods', namespace: 'default', name: 'a-pod' },
        servedFromCache: false,
      },
      {
        verb: 'update',
        subresource: 'status',
        body: { metadata: { resourceVersion: '10' }, status: { phase: 'Running', startTime: nowText } },
      },
    ]);
    assert.deepEqual(replyContents(result), ['OK']);
  });

  const stale: [string, Record<string, unknown> | undefined][] = [
    ['gone', undefined],
    ['re-created under another UID', apiPod('u2', 'edge-a')],
  ];
  for (const [name, current] of stale) {
    it(`answers "OK" and pushes the pod's delete when it is ${name} (§4.4 step 1)`, () => {
      const read = current === undefined ? failed(notFoundFailure('pods', 'a-pod')) : succeeded(current);
      const result = walk(
        decidePodStatus(inputOf('default/podstatus/a-pod', 'update', report('a-pod', 'u1'))),
        [read],
      );
      assert.equal(result.calls.length, 1);
      assert.deepEqual(result.emissions, [
        { kind: 'reply', content: 'OK' },
        {
          kind: 'push',
          operation: 'delete',
          resource: 'default/pod/a-pod',
          content: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'a-pod', namespace: 'default', uid: 'u1' },
          },
        },
      ]);
    });
  }

  it('answers "OK", then deletes a terminated pod that has a deletionTimestamp', () => {
    const deleting = apiPod('u1', 'edge-a', { deletionTimestamp: '2024-11-23T00:00:00Z' });
    const result = walk(
      decidePodStatus(
        inputOf('default/podstatus/a-pod', 'update', report('a-pod', 'u1', { phase: 'Succeeded' })),
      ),
      [succeeded(deleting), succeeded(deleting), succeeded({})],
    );
    assert.partialDeepStrictEqual(result.calls[2], {
      verb: 'delete',
      options: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' } },
    });
    assert.deepEqual(replyContents(result), ['OK']);
    assert.equal(result.terminals[0]?.action, 'done');
  });

  it('retries a conflicting write from the read, then answers the conflict', () => {
    const result = walk(
      decidePodStatus(inputOf('default/podstatus/a-pod', 'update', report('a-pod', 'u1'))),
      [
        succeeded(apiPod('u1', 'edge-a')),
        conflict,
        succeeded(apiPod('u1', 'edge-a')),
        conflict,
        succeeded(apiPod('u1', 'edge-a')),
        conflict,
      ],
    );
    assert.equal(result.calls.length, 6);
    assertEach(replyContents(result), [{ ErrStatus: { code: 409 } }]);
  });

  it("denies node A writing the status of node B's pod, and nothing is written", () => {
    const result = walk(
      decidePodStatus(inputOf('default/podstatus/a-pod', 'update', report('a-pod', 'u1'))),
      [succeeded(apiPod('u1', 'edge-b'))],
    );
    assert.equal(result.calls.length, 1);
    assertEach(result.terminals, [{ action: 'forbid', reason: 'pod-not-on-node' }]);
    assertEach(replyContents(result), [{ ErrStatus: { code: 403 } }]);
  });

  it('rejects a report whose Name differs from the resource', () => {
    const result = walk(decidePodStatus(inputOf('default/podstatus/a-pod', 'update', report('other', 'u1'))));
    assertEach(result.terminals, [{ action: 'invalid', reason: 'malformed-content' }]);
  });
});

describe('decidePodStatus (list form <ns>/podstatus)', () => {
  it('answers each element on its own, in order', () => {
    const content = [report('a-pod', 'u1'), report('gone', 'u9'), report('a-pod', 'u1')];
    const result = walk(decidePodStatus(inputOf('default/podstatus', 'update', JSON.stringify(content))), [
      succeeded(apiPod('u1', 'edge-a')),
      succeeded(apiPod('u1', 'edge-a')),
      failed(notFoundFailure('pods', 'gone')),
      succeeded(apiPod('u1', 'edge-b')),
    ]);
    assert.deepEqual(
      result.terminals.map((t) => t.action),
      ['done', 'done', 'forbid'],
    );
    assertEach(
      result.emissions.map((e) => e.content),
      ['OK', 'OK', { metadata: { name: 'gone' } }, { ErrStatus: { code: 403 } }],
    );
  });

  it('rejects a list with a bad element once, before any call', () => {
    const result = walk(
      decidePodStatus(inputOf('default/podstatus', 'update', [report('a-pod', 'u1'), { UID: 'x' }])),
    );
    assert.equal(result.calls.length, 0);
    assertEach(result.terminals, [{ action: 'invalid', reason: 'malformed-content' }]);
    assert.equal(replyContents(result).length, 1);
  });

  it('refuses a list longer than maxPodStatusListEntries (256) with one 400 naming the limit, before any call', () => {
    const content = Array.from({ length: 10_000 }, (_, i) => report(`p${String(i)}`, `u${String(i)}`));
    const result = walk(decidePodStatus(inputOf('default/podstatus', 'update', content)));
    assert.equal(result.calls.length, 0);
    assertEach(result.terminals, [{ action: 'invalid', reason: 'list-too-long' }]);
    assertEach(replyContents(result), [{ ErrStatus: { code: 400 } }]);
    assert.match(JSON.stringify(replyContents(result)), /10000 entries is longer than the 256 allowed/);
  });

  it('answers a list of 256 entries in full, one reply per entry', () => {
    const content = Array.from({ length: 256 }, (_, i) => report(`p${String(i)}`, `u${String(i)}`));
    const decision = decidePodStatus(inputOf('default/podstatus', 'update', content));
    if (decision.action !== 'fan-out') assert.fail(`expected a fan-out, got ${decision.action}`);
    assert.equal(decision.decisions.length, 256);
  });
});
