import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../kube/index.js';
import { parseSyncRecord } from './record.js';
import { slimRecord } from './record-shape.js';

const uid = '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11';

/** A record CR as the API server lists it (managedFields already stripped by the informer). */
const fullCr = (namespace?: string): KubeObject =>
  ({
    apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
    kind: namespace === undefined ? 'ClusterObjectSync' : 'ObjectSync',
    metadata: {
      name: `edge-1.${uid}`,
      ...(namespace !== undefined ? { namespace } : {}),
      uid: '0d7c1b0e-1111-4222-8333-944455556666',
      resourceVersion: '9120',
      generation: 1,
      creationTimestamp: '2026-12-07T09:00:00Z',
      labels: { a: 'b' },
    },
    spec: { objectAPIVersion: 'v1', objectKind: namespace === undefined ? 'Node' : 'Pod', objectName: 'web' },
    status: { objectResourceVersion: '48213' },
  }) as KubeObject;

describe('slimRecord', () => {
  for (const namespace of ['default', undefined]) {
    it(`parses to the same record as the full CR (${namespace === undefined ? 'cluster' : 'namespaced'})`, () => {
      const full = fullCr(namespace);
      const slim = slimRecord(full);
      assert.ok(parseSyncRecord(full) !== undefined);
      assert.deepEqual(parseSyncRecord(slim), parseSyncRecord(full));
    });
  }

  it('keeps the store key and version, and drops what no reader needs', () => {
    const slim = slimRecord(fullCr('default'));
    assert.deepEqual(slim, {
      metadata: { name: `edge-1.${uid}`, namespace: 'default', resourceVersion: '9120' },
      spec: { objectAPIVersion: 'v1', objectKind: 'Pod', objectName: 'web' },
      status: { objectResourceVersion: '48213' },
    });
  });

  it('reads an empty status as an unknown version, like the full CR', () => {
    const { status, ...noStatus } = fullCr('default') as KubeObject & { status?: unknown };
    assert.ok(status !== undefined);
    const slim = slimRecord(noStatus);
    assert.equal(parseSyncRecord(slim)?.objectResourceVersion, '');
    assert.deepEqual(parseSyncRecord(slim), parseSyncRecord(noStatus));
  });

  it('leaves a malformed CR malformed (no objectKind): the worker still skips it', () => {
    const bad = { metadata: { name: `edge-1.${uid}`, namespace: 'default' }, spec: { objectName: 'web' } };
    assert.equal(parseSyncRecord(bad), undefined);
    assert.equal(parseSyncRecord(slimRecord(bad)), undefined);
  });
});
