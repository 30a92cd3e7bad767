import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { httpRequestOf } from './api-call.js';
import { leaseRenewalCall } from './lease-renewal.js';
import { formatMicroTime } from './rfc3339.js';

describe('leaseRenewalCall', () => {
  it('merge-patches only spec.renewTime of the node lease in kube-node-lease (a PATCH never creates)', () => {
    const renewTimeMs = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    const request = httpRequestOf(leaseRenewalCall({ node: 'edge-1' as NodeName, renewTimeMs }));
    assert.deepEqual(request, {
      method: 'PATCH',
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-1',
      body: '{"spec":{"renewTime":"2025-01-02T03:04:05.678000Z"}}',
      contentType: 'application/merge-patch+json',
    });
  });

  it('encodes the node name as one path segment', () => {
    const request = httpRequestOf(leaseRenewalCall({ node: 'a/b' as NodeName, renewTimeMs: 0 }));
    assert.equal(request.path, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a%2Fb');
  });
});

describe('formatMicroTime', () => {
  const cases: [number, string][] = [
    [0, '1970-01-01T00:00:00.000000Z'],
    [Date.UTC(2024, 10, 23, 22, 13, 21, 123), '2024-11-23T22:13:21.123000Z'],
  ];
  for (const [ms, text] of cases) {
    it(`formats ${String(ms)} as ${text}`, () => {
      assert.equal(formatMicroTime(ms), text);
    });
  }
});
