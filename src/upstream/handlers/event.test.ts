import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, terminalOf, walk } from '../test-support.js';
import { decideEvent } from './event.js';

const podEvent = (pod: string): Record<string, unknown> => ({
  metadata: { name: `${pod}.17f9a`, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: pod, uid: 'u' },
  reason: 'Started',
  message: 'Started container web',
  count: 1,
});

describe('decideEvent', () => {
  it('creates an event about its pod in the event namespace, with no reply', () => {
    const result = walk(decideEvent(inputOf('default/event/a-pod.17f9a', 'insert', podEvent('a-pod'))), [
      succeeded({}),
    ]);
    assertEach(result.calls, [
      {
        verb: 'create',
        target: { resource: 'events', namespace: 'default' },
        body: { apiVersion: 'v1', kind: 'Event', reason: 'Started' },
      },
    ]);
    assert.deepEqual(result.emissions, []);
    assert.equal(terminalOf(result).action, 'done');
  });

  const storedRead = {
    verb: 'get',
    target: { resource: 'events', namespace: 'default', name: 'a-pod.17f9a' },
    servedFromCache: false,
    asNode: false,
  };

  it('updates with PUT and patches with the patchData as a strategic-merge patch, each after reading the stored event', () => {
    const update = walk(decideEvent(inputOf('default/event/a-pod.17f9a', 'update', podEvent('a-pod'))), [
      succeeded(podEvent('a-pod')),
      succeeded({}),
    ]);
    assertEach(update.calls, [storedRead, { verb: 'update', target: { name: 'a-pod.17f9a' } }]);
    const patchContent = {
      event: podEvent('a-pod'),
      patchData: '{"count":2,"lastTimestamp":"2024-11-23T22:13:21Z"}',
    };
    const patch = walk(decideEvent(inputOf('default/event/a-pod.17f9a', 'patch', patchContent)), [
      succeeded(podEvent('a-pod')),
      succeeded({}),
    ]);
    assert.deepEqual(patch.calls, [
      storedRead,
      {
        verb: 'patch',
        target: { resource: 'events', namespace: 'default', name: 'a-pod.17f9a' },
        patchType: 'strategic-merge',
        patch: patchContent.patchData,
        asNode: true,
      },
    ]);
  });

  it('answers nothing when the API fails', () => {
    const result = walk(decideEvent(inputOf('default/event/x', 'insert', podEvent('a-pod'))), [
      failed({ code: 500, reason: 'InternalError', message: 'x' }),
    ]);
    assert.deepEqual(result.emissions, []);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'done', result: 'api-error' });
  });

  const rejected: [string, string, unknown, string, string][] = [
    ["an event about node B's pod", 'insert', podEvent('b-pod'), 'forbid', 'event-not-about-node'],
    [
      'an event about node B',
      'insert',
      { involvedObject: { kind: 'Node', name: 'edge-b' } },
      'forbid',
      'event-not-about-node',
    ],
    [
      'a patch moving the event to another object',
      'patch',
      { event: podEvent('a-pod'), patchData: '{"involvedObject":{"name":"b-pod"}}' },
      'forbid',
      'patch-field-not-allowed',
    ],
    [
      'a patch whose patchData is not JSON',
      'patch',
      { event: podEvent('a-pod'), patchData: 'x' },
      'invalid',
      'malformed-content',
    ],
    [
      'an event without involvedObject',
      'insert',
      { metadata: { name: 'e' } },
      'invalid',
      'malformed-content',
    ],
  ];
  for (const [name, operation, content, action, reason] of rejected) {
    it(`refuses node A ${name}, silently`, () => {
      const result = walk(decideEvent(inputOf('default/event/e', operation, content)));
      assert.equal(result.calls.length, 0);
      assert.deepEqual(result.emissions, []);
      assert.partialDeepStrictEqual(terminalOf(result), { action, reason });
    });
  }

  // Issue 12: the name `a-pod.<x>` and a content about a-pod used to be enough to rewrite node B's event.
  for (const operation of ['update', 'patch'] as const) {
    it(`refuses node A's ${operation} of node B's stored event, even under a name starting with its pod's`, () => {
      const content =
        operation === 'patch'
          ? { event: podEvent('a-pod'), patchData: '{"message":"x"}' }
          : podEvent('a-pod');
      const result = walk(decideEvent(inputOf('default/event/a-pod.17f9a', operation, content)), [
        succeeded({ ...podEvent('b-pod'), metadata: { name: 'a-pod.17f9a', namespace: 'default' } }),
      ]);
      assert.deepEqual(result.calls, [storedRead], 'read, never written');
      assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'event-not-about-node' });
      assert.deepEqual(result.emissions, []);
    });
  }

  it('refuses an update whose new body is about node B even when the stored event is its own', () => {
    const result = walk(decideEvent(inputOf('default/event/a-pod.17f9a', 'update', podEvent('b-pod'))));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'event-not-about-node' });
  });

  it('records an event about its pod deleted a moment ago, and not about a pod node B lost', () => {
    const own = walk(decideEvent(inputOf('default/event/a-gone.1', 'insert', podEvent('a-gone'))), [
      succeeded({}),
    ]);
    assert.equal(terminalOf(own).action, 'done');
    const other = walk(decideEvent(inputOf('default/event/b-gone.1', 'insert', podEvent('b-gone'))));
    assert.partialDeepStrictEqual(terminalOf(other), { action: 'forbid', reason: 'event-not-about-node' });
  });

  it('answers nothing when the stored event is gone', () => {
    const result = walk(decideEvent(inputOf('default/event/a-pod.17f9a', 'update', podEvent('a-pod'))), [
      failed({ code: 404, reason: 'NotFound', message: 'x' }),
    ]);
    assert.equal(result.calls.length, 1);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'done', result: 'api-error' });
  });

  it('records an event about itself', () => {
    const event = {
      metadata: { name: 'edge-a.17f' },
      involvedObject: { kind: 'Node', name: 'edge-a' },
      reason: 'NodeReady',
    };
    assert.equal(
      terminalOf(walk(decideEvent(inputOf('default/event/edge-a.17f', 'insert', event)), [succeeded({})]))
        .action,
      'done',
    );
  });
});
