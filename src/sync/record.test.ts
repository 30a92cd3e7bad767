import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { newSyncRecord, parseSyncRecord, recordBody, recordStatusPatch, targetId } from './record.js';

const uid = '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11';

describe('newSyncRecord and recordBody', () => {
  it('puts a namespaced object in an ObjectSync of its namespace, with KubeEdge field names', () => {
    const record = newSyncRecord({
      node: 'edge-1' as NodeName,
      uid,
      namespace: 'default',
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'web',
      resourceVersion: '48213',
    });
    assert.ok(record !== undefined);
    assert.deepEqual(recordBody(record), {
      apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
      kind: 'ObjectSync',
      metadata: { name: `edge-1.${uid}`, namespace: 'default' },
      spec: { objectAPIVersion: 'v1', objectKind: 'Pod', objectName: 'web' },
      status: { objectResourceVersion: '48213' },
    });
  });

  it('puts a cluster-scoped object in a ClusterObjectSync without namespace', () => {
    const record = newSyncRecord({
      node: 'edge-1' as NodeName,
      uid,
      namespace: null,
      apiVersion: 'v1',
      kind: 'Node',
      name: 'edge-1',
      resourceVersion: '7',
    });
    assert.ok(record !== undefined);
    assert.deepEqual(recordBody(record)['metadata'], { name: `edge-1.${uid}` });
    assert.equal(recordBody(record)['kind'], 'ClusterObjectSync');
    assert.equal(targetId(record), `ClusterObjectSync/edge-1.${uid}`);
  });

  it('builds the status merge patch', () => {
    assert.deepEqual(recordStatusPatch('9'), { status: { objectResourceVersion: '9' } });
  });
});

describe('parseSyncRecord', () => {
  const cr = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    metadata: { name: `edge.a.${uid}`, namespace: 'default' },
    spec: { objectAPIVersion: 'v1', objectKind: 'Secret', objectName: 's' },
    status: { objectResourceVersion: '12' },
    ...overrides,
  });

  it('parses an ObjectSync as listed (no kind), node and uid from the name', () => {
    assert.deepEqual(parseSyncRecord(cr()), {
      recordKind: 'ObjectSync',
      namespace: 'default',
      name: `edge.a.${uid}`,
      node: 'edge.a',
      uid,
      objectAPIVersion: 'v1',
      objectKind: 'Secret',
      objectName: 's',
      objectResourceVersion: '12',
    });
  });

  const table: [name: string, input: unknown, expected: string | undefined][] = [
    [
      'a record without namespace is a ClusterObjectSync',
      cr({ metadata: { name: `edge-1.${uid}` } }),
      'ClusterObjectSync',
    ],
    ['an empty status gives an empty resourceVersion', cr({ status: {} }), 'ObjectSync'],
    [
      'a name that does not split is rejected',
      cr({ metadata: { name: 'nodot', namespace: 'd' } }),
      undefined,
    ],
    ['a missing objectKind is rejected', cr({ spec: { objectName: 's' } }), undefined],
    ['a non-object is rejected', 'x', undefined],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => {
      assert.equal(parseSyncRecord(input)?.recordKind, expected);
    });
  }

  it('reads an absent status as an empty resourceVersion', () => {
    assert.equal(parseSyncRecord(cr({ status: undefined }))?.objectResourceVersion, '');
  });
});
