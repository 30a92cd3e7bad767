import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiCall, HttpRequest } from './api-call.js';
import { httpRequestOf, typeMetaOf, withTypeMeta } from './api-call.js';

describe('httpRequestOf', () => {
  const table: [string, ApiCall, HttpRequest][] = [
    [
      'a namespaced get',
      {
        verb: 'get',
        target: { resource: 'configmaps', namespace: 'default', name: 'c' },
        servedFromCache: true,
        asNode: true,
      },
      { method: 'GET', path: '/api/v1/namespaces/default/configmaps/c' },
    ],
    [
      'a cluster-scoped get in a group',
      {
        verb: 'get',
        target: { resource: 'volumeattachments', name: 'va' },
        servedFromCache: false,
        asNode: true,
      },
      { method: 'GET', path: '/apis/storage.k8s.io/v1/volumeattachments/va' },
    ],
    [
      'a create',
      {
        verb: 'create',
        target: { resource: 'leases', namespace: 'kube-node-lease' },
        body: { a: 1 },
        asNode: true,
      },
      {
        method: 'POST',
        path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        body: { a: 1 },
      },
    ],
    [
      'a token request',
      {
        verb: 'create-token',
        target: { resource: 'serviceaccounts', namespace: 'ns', name: 'sa' },
        body: {},
        asNode: true,
      },
      { method: 'POST', path: '/api/v1/namespaces/ns/serviceaccounts/sa/token', body: {} },
    ],
    [
      'a status update',
      {
        verb: 'update',
        target: { resource: 'pods', namespace: 'ns', name: 'p' },
        subresource: 'status',
        body: {},
        asNode: true,
      },
      { method: 'PUT', path: '/api/v1/namespaces/ns/pods/p/status', body: {} },
    ],
    [
      'a strategic-merge status patch, sent as text',
      {
        verb: 'patch',
        target: { resource: 'nodes', name: 'edge-a' },
        subresource: 'status',
        patchType: 'strategic-merge',
        patch: '{}',
        asNode: true,
      },
      {
        method: 'PATCH',
        path: '/api/v1/nodes/edge-a/status',
        body: '{}',
        contentType: 'application/strategic-merge-patch+json',
      },
    ],
    [
      'a merge patch',
      {
        verb: 'patch',
        target: { resource: 'nodes', name: 'n' },
        patchType: 'merge',
        patch: '{}',
        asNode: false,
      },
      { method: 'PATCH', path: '/api/v1/nodes/n', body: '{}', contentType: 'application/merge-patch+json' },
    ],
    [
      'a delete with options, name encoded',
      {
        verb: 'delete',
        target: { resource: 'pods', namespace: 'ns', name: 'a b' },
        options: { gracePeriodSeconds: 0 },
        asNode: true,
      },
      { method: 'DELETE', path: '/api/v1/namespaces/ns/pods/a%20b', body: { gracePeriodSeconds: 0 } },
    ],
  ];
  for (const [name, call, expected] of table) {
    it(`builds ${name}`, () => {
      assert.deepEqual(httpRequestOf(call), expected);
    });
  }
});

describe('typeMetaOf / withTypeMeta', () => {
  it('names core and grouped kinds', () => {
    assert.deepEqual(typeMetaOf('pods'), { apiVersion: 'v1', kind: 'Pod' });
    assert.deepEqual(typeMetaOf('certificatesigningrequests'), {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
    });
  });

  it('overrides wrong type meta and keeps the rest', () => {
    assert.deepEqual(withTypeMeta('nodes', { kind: 'Pod', metadata: { name: 'n' } }), {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: { name: 'n' },
    });
  });
});
