import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideNode } from './node.js';

// The Node a hollow EdgeCore v1.23.1 registers with: no apiVersion/kind (spec §4.10).
const edgeNode = {
  metadata: {
    name: 'edge-a',
    labels: { 'node-role.kubernetes.io/edge': '', 'kubernetes.io/hostname': 'edge-a', zone: 'z1' },
  },
  status: { daemonEndpoints: { kubeletEndpoint: { Port: 10350 } } },
};

describe('decideNode insert (registration)', () => {
  it('creates without kubernetes.io labels, then merge-patches them back not as the node', () => {
    const created = { metadata: { name: 'edge-a', resourceVersion: '1' } };
    const patched = { metadata: { name: 'edge-a', resourceVersion: '2', labels: edgeNode.metadata.labels } };
    const result = walk(decideNode(inputOf('null/node/edge-a', 'insert', edgeNode)), [
      succeeded(created),
      succeeded(patched),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'create',
        target: { resource: 'nodes' },
        asNode: true,
        body: {
          ...edgeNode,
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'edge-a', labels: { zone: 'z1' }, annotations: { cloudcore: '10.0.0.1' } },
        },
      },
      {
        verb: 'patch',
        target: { resource: 'nodes', name: 'edge-a' },
        patchType: 'merge',
        patch:
          '{"metadata":{"labels":{"node-role.kubernetes.io/edge":"","kubernetes.io/hostname":"edge-a"}}}',
        asNode: false,
      },
    ]);
    assert.deepEqual(replyContents(result), [
      { Object: { ...patched, apiVersion: 'v1', kind: 'Node' }, Err: null },
    ]);
    assert.equal(result.emissions[0]?.kind === 'reply' && result.emissions[0].resourceVersion, undefined);
  });

  it('answers AlreadyExists in the ObjectResp Err so the kubelet reads the node instead (errata O3)', () => {
    const result = walk(decideNode(inputOf('null/node/edge-a', 'insert', JSON.stringify(edgeNode))), [
      failed({ code: 409, reason: 'AlreadyExists', message: 'nodes "edge-a" already exists' }),
    ]);
    assert.equal(result.calls.length, 1);
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 409, reason: 'AlreadyExists' } } },
    ]);
  });

  it("denies node A registering node B's Node", () => {
    const result = walk(decideNode(inputOf('null/node/edge-b', 'insert', edgeNode)));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'not-own-node' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
  });

  it('denies a node-restriction label', () => {
    const node = { metadata: { labels: { 'node-restriction.kubernetes.io/pool': 'gold' } } };
    assert.partialDeepStrictEqual(terminalOf(walk(decideNode(inputOf('null/node/edge-a', 'insert', node)))), {
      action: 'forbid',
      reason: 'restricted-label',
    });
  });

  it('answers undecodable content with a 400 ObjectResp, not a plain string', () => {
    const result = walk(
      decideNode(inputOf('null/node/edge-a', 'insert', { metadata: { labels: { a: 1 } } })),
    );
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'invalid', reason: 'malformed-content' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 400 } } }]);
  });
});

describe('decideNode query', () => {
  it('reads its own Node from the store', () => {
    const result = walk(decideNode(inputOf('null/node/edge-a', 'query', null)), [
      succeeded({ metadata: { resourceVersion: '5' } }),
    ]);
    assertEach(result.emissions, [{ content: { kind: 'Node' }, resourceVersion: '5' }]);
  });

  it("denies node A node B's Node", () => {
    assert.partialDeepStrictEqual(terminalOf(walk(decideNode(inputOf('null/node/edge-b', 'query', null)))), {
      action: 'forbid',
      reason: 'not-own-node',
    });
  });
});

describe('decideNode update', () => {
  it('strategic-merge-patches only the labels and annotations and answers "OK" with the new RV', () => {
    const node = {
      metadata: { labels: { app: 'x' }, annotations: { note: 'y' } },
      spec: { unschedulable: true },
    };
    const result = walk(decideNode(inputOf('null/node/edge-a', 'update', node)), [
      succeeded({ metadata: { resourceVersion: '12' } }),
    ]);
    assert.deepEqual(result.calls, [
      {
        verb: 'patch',
        target: { resource: 'nodes', name: 'edge-a' },
        patchType: 'strategic-merge',
        patch: '{"metadata":{"labels":{"app":"x"},"annotations":{"note":"y"}}}',
        asNode: true,
      },
    ]);
    assert.deepEqual(result.emissions, [{ kind: 'reply', content: 'OK', resourceVersion: '12' }]);
  });

  it("denies node A updating node B's Node", () => {
    assert.partialDeepStrictEqual(terminalOf(walk(decideNode(inputOf('null/node/edge-b', 'update', {})))), {
      action: 'forbid',
      reason: 'not-own-node',
    });
  });

  it('answers an unserved operation with 405', () => {
    assert.partialDeepStrictEqual(terminalOf(walk(decideNode(inputOf('null/node/edge-a', 'delete', null)))), {
      action: 'invalid',
      reason: 'unsupported-operation',
    });
  });
});
