import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { userAgentOf, withFieldManager } from './request-identity.js';

describe('withFieldManager', () => {
  const table: [string, string, string][] = [
    [
      'PATCH',
      '/api/v1/namespaces/ns/pods/p/status',
      '/api/v1/namespaces/ns/pods/p/status?fieldManager=edge-controller',
    ],
    ['POST', '/api/v1/nodes', '/api/v1/nodes?fieldManager=edge-controller'],
    [
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n?dryRun=All',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n?dryRun=All&fieldManager=edge-controller',
    ],
    [
      'PATCH',
      '/api/v1/namespaces/kubeedge/secrets/s?fieldManager=other&force=true',
      '/api/v1/namespaces/kubeedge/secrets/s?fieldManager=other&force=true',
    ],
    ['GET', '/api/v1/pods?limit=500', '/api/v1/pods?limit=500'],
    ['DELETE', '/api/v1/namespaces/ns/pods/p', '/api/v1/namespaces/ns/pods/p'],
  ];
  for (const [method, path, expected] of table) {
    it(`${method} ${path}`, () => {
      assert.equal(withFieldManager(method, path, 'edge-controller'), expected);
    });
  }
});

describe('userAgentOf', () => {
  it('names the command and its version', () => {
    assert.equal(userAgentOf('0.1.0'), 'edge-controller/0.1.0');
  });
});
