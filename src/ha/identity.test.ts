import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replicaIdentity, replicaLeaseName } from './identity.js';

describe('replicaIdentity', () => {
  it('is the pod name when POD_NAME is set', () => {
    assert.equal(
      replicaIdentity({ podName: 'ec-7f9-abc', hostname: 'h', pid: 1, inPod: true }),
      'ec-7f9-abc',
    );
  });
  it('is the host name in a pod without POD_NAME (a pod’s host name is its name)', () => {
    assert.equal(replicaIdentity({ podName: '', hostname: 'ec-7f9-abc', pid: 1, inPod: true }), 'ec-7f9-abc');
  });
  it('is host and pid outside a pod, so two processes on one machine differ', () => {
    const a = replicaIdentity({ hostname: 'laptop', pid: 10, inPod: false });
    const b = replicaIdentity({ hostname: 'laptop', pid: 11, inPod: false });
    assert.equal(a, 'laptop-10');
    assert.notEqual(a, b);
  });
});

describe('replicaLeaseName', () => {
  it('is a valid DNS-1123 subdomain', () => {
    const name = replicaLeaseName('My_Host.local-42');
    assert.equal(name, 'edge-controller-my-host.local-42');
    assert.match(replicaLeaseName('-x' + 'y'.repeat(300)), /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/);
  });
});
