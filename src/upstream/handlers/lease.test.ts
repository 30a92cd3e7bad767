import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideLease } from './lease.js';

const lease = {
  metadata: { name: 'edge-a', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'edge-a', leaseDurationSeconds: 40, renewTime: '2024-11-23T22:13:21.000000Z' },
};

describe('decideLease query', () => {
  it('answers a missing lease with {"Object":null,"Err":{"ErrStatus":…404…}} (§4.10), not a bare ErrStatus', () => {
    const result = walk(decideLease(inputOf('kube-node-lease/lease/edge-a', 'query', null)), [
      failed(notFoundFailure('leases', 'edge-a')),
    ]);
    assertEach(result.calls, [
      {
        verb: 'get',
        servedFromCache: true,
        target: { resource: 'leases', namespace: 'kube-node-lease', name: 'edge-a' },
      },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(replyContents(result))), [
      {
        Object: null,
        Err: {
          ErrStatus: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: 'leases.coordination.k8s.io "edge-a" not found',
            reason: 'NotFound',
            details: { name: 'edge-a', group: 'coordination.k8s.io', kind: 'leases' },
            code: 404,
          },
        },
      },
    ]);
  });

  it('answers a present lease inside an ObjectResp with type meta', () => {
    const result = walk(decideLease(inputOf('kube-node-lease/lease/edge-a', 'query', null)), [
      succeeded(lease),
    ]);
    assert.deepEqual(replyContents(result), [
      { Object: { ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, Err: null },
    ]);
  });

  it("denies node A node B's lease", () => {
    const result = walk(decideLease(inputOf('kube-node-lease/lease/edge-b', 'query', null)));
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'not-own-lease' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
  });
});

describe('decideLease insert/update', () => {
  it('creates the lease on insert and answers the created object', () => {
    const result = walk(decideLease(inputOf('kube-node-lease/lease/edge-a', 'insert', lease)), [
      succeeded({ ...lease, metadata: { ...lease.metadata, resourceVersion: '1' } }),
    ]);
    assertEach(result.calls, [
      {
        verb: 'create',
        target: { resource: 'leases', namespace: 'kube-node-lease' },
        body: { kind: 'Lease', spec: lease.spec },
      },
    ]);
    assertEach(replyContents(result), [
      { Object: { kind: 'Lease', metadata: { resourceVersion: '1' } }, Err: null },
    ]);
  });

  it('updates with PUT on update and answers a conflict in Err', () => {
    const result = walk(
      decideLease(inputOf('kube-node-lease/lease/edge-a', 'update', JSON.stringify(lease))),
      [failed({ code: 409, reason: 'Conflict', message: 'the object has been modified' })],
    );
    assertEach(result.calls, [{ verb: 'update', target: { name: 'edge-a' } }]);
    assertEach(replyContents(result), [
      { Object: null, Err: { ErrStatus: { code: 409, reason: 'Conflict' } } },
    ]);
  });

  const rejected: [string, string, unknown, string, string][] = [
    ["writing node B's lease", 'kube-node-lease/lease/edge-b', lease, 'forbid', 'not-own-lease'],
    [
      "a body naming node B's lease under its own resource",
      'kube-node-lease/lease/edge-a',
      { metadata: { name: 'edge-b' } },
      'invalid',
      'malformed-content',
    ],
    ['a lease outside kube-node-lease', 'default/lease/edge-a', lease, 'forbid', 'not-own-lease'],
  ];
  for (const [name, resource, content, action, reason] of rejected) {
    it(`refuses ${name} without a call`, () => {
      const result = walk(decideLease(inputOf(resource, 'update', content)));
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), { action, reason });
    });
  }
});
