import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterObjectSyncCrd, objectSyncCrd, reliableSyncCrds } from './crds.js';

interface CrdView {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string };
    scope: string;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      schema: {
        openAPIV3Schema: { properties: Record<string, { properties?: Record<string, { type: string }> }> };
      };
    }[];
  };
}

describe('reliable sync CRDs', () => {
  const table: [crd: unknown, name: string, kind: string, plural: string, scope: string][] = [
    [objectSyncCrd, 'objectsyncs.reliablesyncs.kubeedge.io', 'ObjectSync', 'objectsyncs', 'Namespaced'],
    [
      clusterObjectSyncCrd,
      'clusterobjectsyncs.reliablesyncs.kubeedge.io',
      'ClusterObjectSync',
      'clusterobjectsyncs',
      'Cluster',
    ],
  ];
  for (const [crd, name, kind, plural, scope] of table) {
    it(`${name}: KubeEdge's names, scope, v1alpha1 schema and status subresource`, () => {
      const view = crd as CrdView;
      assert.equal(view.metadata.name, name);
      assert.equal(view.spec.group, 'reliablesyncs.kubeedge.io');
      assert.deepEqual(view.spec.names, {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
      });
      assert.equal(view.spec.scope, scope);
      const [version] = view.spec.versions;
      assert.equal(version?.name, 'v1alpha1');
      assert.equal(version.served && version.storage, true);
      assert.deepEqual(version.subresources, { status: {} });
      const props = version.schema.openAPIV3Schema.properties;
      assert.deepEqual(Object.keys(props['spec']?.properties ?? {}), [
        'objectAPIVersion',
        'objectKind',
        'objectName',
      ]);
      assert.deepEqual(props['status']?.properties?.['objectResourceVersion']?.type, 'string');
    });
  }

  it('is deep-frozen and lists both', () => {
    assert.deepEqual(reliableSyncCrds, [objectSyncCrd, clusterObjectSyncCrd]);
    assert.ok(Object.isFrozen((objectSyncCrd as unknown as CrdView).spec.versions[0]?.schema));
  });
});
