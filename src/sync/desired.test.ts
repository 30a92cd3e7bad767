import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObjectShape, NodeName } from '../protocol/index.js';
import type { DesiredLookups } from './desired.js';
import { realisticNode, realisticObject, realisticPod } from '../../test/support/builders.js';
import type { ObjectRef } from '../location/index.js';
import { desiredObjects } from './desired.js';

const store = new Map<string, KubeObjectShape>([
  ['ConfigMap/c', realisticObject('ConfigMap', 'c', 'c1', '1')],
  ['Secret/s', realisticObject('Secret', 's', 's1', '1')],
]);
const lookups: DesiredLookups = {
  getConfigMap: (_ns, name) => store.get(`ConfigMap/${name}`),
  getSecret: (_ns, name) => store.get(`Secret/${name}`),
};
const ref = (kind: ObjectRef['kind'], name: string): ObjectRef => ({ kind, namespace: 'default', name });

describe('desiredObjects', () => {
  it('lists the Node, the pods bound to it and the existing ConfigMaps/Secrets they reference', () => {
    const desired = desiredObjects({
      node: 'edge-1' as NodeName,
      nodeObject: realisticNode('edge-1'),
      pods: [realisticPod({ name: 'a' }), realisticPod({ name: 'elsewhere', nodeName: 'edge-2' })],
      refs: [
        ref('ConfigMap', 'c'),
        ref('Secret', 's'),
        ref('Secret', 'missing'),
        ref('ServiceAccount', 'default'),
      ],
      lookups,
    });
    assert.deepEqual(
      desired.map((d) => `${d.kind} ${d.object.metadata?.name ?? ''}`),
      ['Node edge-1', 'Pod a', 'ConfigMap c', 'Secret s'],
    );
  });

  it('leaves out a Node the store lacks', () => {
    assert.deepEqual(
      desiredObjects({ node: 'edge-1' as NodeName, nodeObject: undefined, pods: [], refs: [], lookups }),
      [],
    );
  });
});
