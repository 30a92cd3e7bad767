import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import type { NodeGraph } from '../authorize.js';
import type { Walk } from '../decision-walk.js';
import { walkDecision } from '../decision-walk.js';
import { emptyPodObject, statusOf } from '../replies.js';
import {
  assertEach,
  inputOf,
  nodeB,
  now,
  replyContents,
  terminalOf,
  twoNodeGraph,
  walk,
} from '../test-support.js';
import { decidePodPatch } from './pod-patch.js';

const kubeletPatch = JSON.stringify({
  metadata: { uid: '9b0e' },
  status: { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running', podIPs: [{ ip: '10.1.0.7' }] },
});

/** The reply to a podpatch whose pod is gone for the node: NotFound, never the pod, never null. */
function assertGone(result: Walk): void {
  assert.deepEqual(replyContents(result), [
    { Object: emptyPodObject, Err: { ErrStatus: statusOf(notFoundFailure('pods', 'a-pod')) } },
  ]);
  assert.partialDeepStrictEqual(terminalOf(result), { action: 'done', result: 'api-error' });
}

describe('decidePodPatch', () => {
  it('patches pods/<name>/status with the text as sent and answers the full pod with its RV (§4.7)', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch)), [
      succeeded({ metadata: { name: 'a-pod', resourceVersion: '48230' } }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'patch',
        target: { resource: 'pods', namespace: 'default', name: 'a-pod' },
        subresource: 'status',
        patchType: 'strategic-merge',
        patch: kubeletPatch,
        asNode: true,
      },
    ]);
    assert.deepEqual(result.emissions, [
      {
        kind: 'reply',
        content: {
          Object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a-pod', resourceVersion: '48230' } },
          Err: null,
        },
        resourceVersion: '48230',
      },
    ]);
  });

  it('answers a UID precondition failure in Err, with KubeEdge’s empty Pod as Object', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch)), [
      failed({ code: 409, reason: 'Conflict', message: 'uid mismatch' }),
    ]);
    assert.deepEqual(replyContents(result), [
      {
        Object: emptyPodObject,
        Err: { ErrStatus: statusOf({ code: 409, reason: 'Conflict', message: 'uid mismatch' }) },
      },
    ]);
  });

  it("denies node A patching node B's pod, and nothing is written", () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/b-pod', 'patch', kubeletPatch)), [
      succeeded({ metadata: { name: 'b-pod', uid: '9b0e' }, spec: { nodeName: 'edge-b' } }),
    ]);
    assert.deepEqual(
      result.calls.map((c) => c.verb),
      ['get'],
      'read, never patched',
    );
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'pod-not-on-node' });
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 403, reason: 'Forbidden' } } },
    ]);
  });

  it('lets node B patch its own pod', () => {
    const result = walk(
      decidePodPatch(inputOf('default/podpatch/b-pod', 'patch', kubeletPatch, { node: nodeB })),
      [succeeded({})],
    );
    assert.equal(terminalOf(result).action, 'done');
  });

  it('denies metadata beyond the UID precondition', () => {
    const patch = JSON.stringify({ metadata: { labels: { a: 'b' } }, status: {} });
    assert.partialDeepStrictEqual(
      terminalOf(walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', patch)))),
      {
        action: 'forbid',
        reason: 'patch-field-not-allowed',
      },
    );
  });

  it('answers a non-patch operation with 405 in the ObjectResp shape', () => {
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'update', kubeletPatch)));
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 405 } } }]);
  });

  // Issue 11: a podpatch that ran while the pod's delete was queued for the node answered with the
  // pod, and the edge stored it again after the delete had removed it.
  it('answers NotFound, not the patched pod, when the pod’s delete is queued while the patch runs', () => {
    let isBound = true;
    const graph: NodeGraph = {
      ...twoNodeGraph,
      podOn: (node, namespace, name) => isBound && twoNodeGraph.podOn(node, namespace, name),
    };
    const result = walkDecision(
      decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch, { graph })),
      {
        respond: () => {
          isBound = false; // the informer's DELETED ran while the call was out: downstream queued the delete
          return succeeded({ metadata: { name: 'a-pod', uid: '9b0e', resourceVersion: '7' } });
        },
        now: () => now,
      },
    );
    assertGone(result);
  });

  it('answers NotFound for a pod the cache no longer binds to the node and the API no longer has', () => {
    const graph: NodeGraph = { ...twoNodeGraph, podOn: () => false };
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch, { graph })), [
      failed(notFoundFailure('pods', 'a-pod')),
    ]);
    assert.deepEqual(
      result.calls.map((c) => c.verb),
      ['get'],
    );
    assertGone(result);
  });

  it('answers NotFound when the name now holds another incarnation than the patch’s UID', () => {
    const graph: NodeGraph = { ...twoNodeGraph, podOn: () => false };
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch, { graph })), [
      succeeded({ metadata: { name: 'a-pod', uid: 'other' }, spec: { nodeName: 'edge-a' } }),
    ]);
    assertGone(result);
  });

  it('patches a pod bound to the node that the cache does not know yet, and answers the pod', () => {
    const graph: NodeGraph = { ...twoNodeGraph, podOn: () => false };
    const result = walk(decidePodPatch(inputOf('default/podpatch/a-pod', 'patch', kubeletPatch, { graph })), [
      succeeded({ metadata: { name: 'a-pod', uid: '9b0e' }, spec: { nodeName: 'edge-a' } }),
      succeeded({ metadata: { name: 'a-pod', uid: '9b0e', resourceVersion: '8' } }),
    ]);
    assert.deepEqual(
      result.calls.map((c) => c.verb),
      ['get', 'patch'],
    );
    assertEach(replyContents(result), [{ Object: { kind: 'Pod', metadata: { name: 'a-pod' } }, Err: null }]);
  });
});
