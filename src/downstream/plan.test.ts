/**
 * Plans as tables, written `node operation resource` per delivery and `forget node reason`. Diffs come
 * from a real LocationCache, as the worker would compute them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocationCache, podKeyOf } from '../location/index.js';
import type { ObjectRef } from '../location/index.js';
import { parseNodeName, pushContentDefaults } from '../protocol/index.js';
import type { KubeObjectShape, NodeName, PodObject } from '../protocol/index.js';
import type { Decision } from './decision.js';
import { nodeTransition } from './node-rules.js';
import type { InformerEvent } from './informer-event.js';
import { planNodeEvent, planObjectEvent, planPodEvent } from './plan.js';
import type { ObjectLookups } from './plan.js';
import { realisticNode, realisticObject, realisticPod } from '../../test/support/builders.js';
import type { PodVariant } from '../../test/support/builders.js';

const content = pushContentDefaults;

function describePlan(decisions: readonly Decision[]): string[] {
  return decisions.map((d) =>
    d.kind === 'deliver'
      ? `${d.node} ${d.push.operation} ${d.push.resource}`
      : `forget ${d.node} ${d.reason}`,
  );
}

/** The world of one test: edge nodes, a location cache on them, and the ConfigMap/Secret stores. */
function world(edge: readonly string[] = ['edge-1', 'edge-2']) {
  const edgeNodes = new Set<string>(edge);
  const isEdgeNode = (node: NodeName): boolean => edgeNodes.has(node);
  const location = new LocationCache({
    nodeOf: (pod) => {
      const node = parseNodeName(pod.spec?.nodeName);
      return node !== undefined && isEdgeNode(node) ? node : undefined;
    },
  });
  const store = new Map<string, KubeObjectShape>([
    ['ConfigMap/web-conf', realisticObject('ConfigMap', 'web-conf', 'cm-1', '10')],
    ['ConfigMap/kube-root-ca.crt', realisticObject('ConfigMap', 'kube-root-ca.crt', 'cm-2', '11')],
    ['Secret/web-token', realisticObject('Secret', 'web-token', 'sec-1', '12')],
    // registry-cred is referenced but does not exist yet.
  ]);
  const lookups: ObjectLookups = {
    getConfigMap: (_ns, name) => store.get(`ConfigMap/${name}`),
    getSecret: (_ns, name) => store.get(`Secret/${name}`),
  };
  /** Applies the event to the location cache as the worker does, then plans it. */
  const pod = (event: InformerEvent<PodObject>): string[] => {
    const diff =
      event.type === 'delete' ? location.removePod(podKeyOf(event.object)) : location.applyPod(event.object);
    return describePlan(planPodEvent({ event, diff, isEdgeNode, lookups, content }));
  };
  return { edgeNodes, isEdgeNode, location, store, lookups, pod };
}

const p = (variant: PodVariant = {}): PodObject => realisticPod({ name: 'web', ...variant });

describe('planPodEvent', () => {
  it('pushes the ConfigMaps and Secrets a node newly needs before the pod, skipping missing ones', () => {
    const w = world();
    assert.deepEqual(w.pod({ type: 'add', object: p() }), [
      'edge-1 insert default/configmap/kube-root-ca.crt',
      'edge-1 insert default/configmap/web-conf',
      'edge-1 update default/secret/web-token',
      'edge-1 insert default/pod/web',
    ]);
  });

  it('pushes only the pod when the node already has its objects', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    assert.deepEqual(w.pod({ type: 'add', object: p({ name: 'web-2', uid: 'u2' }) }), [
      'edge-1 insert default/pod/web-2',
    ]);
  });

  it('sends a lost Secret a delete to that node only, after the pod delete', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    w.pod({ type: 'add', object: p({ name: 'web-2', uid: 'u2', nodeName: 'edge-2' }) });
    assert.deepEqual(w.pod({ type: 'delete', object: p(), finalStateUnknown: false }), [
      'edge-1 delete default/pod/web',
      'edge-1 delete default/configmap/kube-root-ca.crt',
      'edge-1 delete default/configmap/web-conf',
      'edge-1 delete default/secret/web-token',
    ]);
  });

  it('deletes a lost Secret with its UID and without its data', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    const diff = w.location.removePod(podKeyOf(p()));
    const plan = planPodEvent({
      event: { type: 'delete', object: p(), finalStateUnknown: false },
      diff,
      isEdgeNode: w.isEdgeNode,
      lookups: w.lookups,
      content,
    });
    const secretDelete = plan.find((d) => d.kind === 'deliver' && d.push.kind === 'Secret');
    assert.deepEqual(secretDelete?.kind === 'deliver' ? secretDelete.push.content : undefined, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-token', namespace: 'default', uid: 'sec-1', resourceVersion: '12' },
    });
  });

  it('sends nothing for a lost object the store no longer has (its own delete went out)', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    w.store.delete('Secret/web-token');
    assert.ok(
      !w
        .pod({ type: 'delete', object: p(), finalStateUnknown: false })
        .includes('edge-1 delete default/secret/web-token'),
    );
  });

  it('on a move: deletes from the old node (pod, then its lost objects), pushes to the new one (objects, then pod)', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    assert.deepEqual(w.pod({ type: 'update', old: p(), object: p({ nodeName: 'edge-2' }) }), [
      'edge-2 insert default/configmap/kube-root-ca.crt',
      'edge-2 insert default/configmap/web-conf',
      'edge-2 update default/secret/web-token',
      'edge-1 delete default/pod/web',
      'edge-2 insert default/pod/web',
      'edge-1 delete default/configmap/kube-root-ca.crt',
      'edge-1 delete default/configmap/web-conf',
      'edge-1 delete default/secret/web-token',
    ]);
  });

  it('ignores a pod on a non-edge node entirely', () => {
    const w = world();
    assert.deepEqual(w.pod({ type: 'add', object: p({ nodeName: 'cloud-1' }) }), []);
    assert.deepEqual(
      w.pod({ type: 'delete', object: p({ nodeName: 'cloud-1' }), finalStateUnknown: false }),
      [],
    );
  });

  it('skips a managedFields-only update but still acts on the diff', () => {
    const w = world();
    w.pod({ type: 'add', object: p() });
    const next = p({ resourceVersion: '48999' });
    assert.deepEqual(
      w.pod({
        type: 'update',
        old: p(),
        object: { ...next, metadata: { ...next.metadata, managedFields: [] } },
      }),
      [],
    );
  });
});

describe('planObjectEvent', () => {
  const nodesFor = (ref: ObjectRef): NodeName[] =>
    ref.name === 'shared'
      ? (['edge-1', 'edge-3'] as NodeName[])
      : ref.name === 'unused'
        ? []
        : (['edge-2'] as NodeName[]);
  type Obj = KubeObjectShape & Record<string, unknown>;
  const cm = (uid = 'c1', rv = '5'): Obj => realisticObject('ConfigMap', 'shared', uid, rv);
  const sec = (rv = '5'): Obj => realisticObject('Secret', 'shared', 's1', rv);
  const plan = (kind: 'ConfigMap' | 'Secret', event: InformerEvent<KubeObjectShape>): string[] =>
    describePlan(planObjectEvent({ kind, event, nodesFor, content }));

  const table: [name: string, kind: 'ConfigMap' | 'Secret', event: InformerEvent<Obj>, expected: string[]][] =
    [
      [
        'a ConfigMap add is an insert to nodesFor only',
        'ConfigMap',
        { type: 'add', object: cm() },
        ['edge-1 insert default/configmap/shared', 'edge-3 insert default/configmap/shared'],
      ],
      [
        'a ConfigMap update fans out only to nodesFor',
        'ConfigMap',
        { type: 'update', old: cm(), object: { ...cm('c1', '6'), data: { key: 'new' } } },
        ['edge-1 update default/configmap/shared', 'edge-3 update default/configmap/shared'],
      ],
      [
        'a ConfigMap update of RV and managedFields only is not sent',
        'ConfigMap',
        { type: 'update', old: cm(), object: cm('c1', '6') },
        [],
      ],
      [
        'a ConfigMap re-created under the same name: delete the old, insert the new, per node',
        'ConfigMap',
        { type: 'update', old: cm('c1'), object: cm('c2', '9') },
        [
          'edge-1 delete default/configmap/shared',
          'edge-1 insert default/configmap/shared',
          'edge-3 delete default/configmap/shared',
          'edge-3 insert default/configmap/shared',
        ],
      ],
      [
        'a ConfigMap delete goes to nodesFor',
        'ConfigMap',
        { type: 'delete', object: cm(), finalStateUnknown: false },
        ['edge-1 delete default/configmap/shared', 'edge-3 delete default/configmap/shared'],
      ],
      [
        'a Secret add is sent as update',
        'Secret',
        { type: 'add', object: sec() },
        ['edge-1 update default/secret/shared', 'edge-3 update default/secret/shared'],
      ],
      [
        'a Secret modify is sent as update',
        'Secret',
        { type: 'update', old: sec(), object: { ...sec('6'), data: { key: 'bmV3' } } },
        ['edge-1 update default/secret/shared', 'edge-3 update default/secret/shared'],
      ],
      [
        'an object no edge pod references goes nowhere',
        'Secret',
        { type: 'add', object: realisticObject('Secret', 'unused', 's9', '1') },
        [],
      ],
    ];
  for (const [name, kind, event, expected] of table) {
    it(name, () => {
      assert.deepEqual(plan(kind, event), expected);
    });
  }

  it('gives every node the same content object, so the hub encodes it once (issue 15)', () => {
    const update: InformerEvent<Obj> = {
      type: 'update',
      old: cm(),
      object: { ...cm('c1', '6'), data: { k: 'v' } },
    };
    const recreate: InformerEvent<Obj> = { type: 'update', old: cm('c1'), object: cm('c2', '9') };
    for (const event of [update, recreate]) {
      const contents = planObjectEvent({ kind: 'ConfigMap', event, nodesFor, content }).flatMap((d) =>
        d.kind === 'deliver' ? [d.push] : [],
      );
      const byOperation = Map.groupBy(contents, (push) => push.operation);
      for (const pushes of byOperation.values()) {
        assert.equal(pushes.length, 2, 'one per node');
        assert.equal(pushes[0]?.content, pushes[1]?.content);
      }
    }
  });
});

describe('planNodeEvent', () => {
  it('pushes a changed edge node to itself only, as update null/node/<n>', () => {
    const w = world();
    const changed = { ...realisticNode('edge-1', { resourceVersion: '101' }), status: { conditions: [] } };
    const event: InformerEvent<KubeObjectShape> = {
      type: 'update',
      old: realisticNode('edge-1'),
      object: changed,
    };
    const transition = nodeTransition(event, w.isEdgeNode);
    assert.deepEqual(
      describePlan(planNodeEvent({ event, transition, pods: [], diffs: [], lookups: w.lookups, content })),
      ['edge-1 update null/node/edge-1'],
    );
  });

  it("sends a node that gains the edge label itself, its pods' objects and its pods", () => {
    const w = world(['edge-2']);
    const pods = [
      p({ nodeName: 'edge-1' }),
      p({ name: 'web-2', uid: 'u2', nodeName: 'edge-1', deletionTimestamp: '2025-11-23T11:00:00Z' }),
    ];
    w.pod({ type: 'add', object: pods[0] ?? p() }); // not an edge node yet: nothing recorded
    const event: InformerEvent<KubeObjectShape> = {
      type: 'update',
      old: realisticNode('edge-1', { isEdge: false }),
      object: realisticNode('edge-1'),
    };
    const transition = nodeTransition(event, w.isEdgeNode);
    // The worker: add to the edge-node set, then apply the node's pods to the location cache.
    w.edgeNodes.add('edge-1');
    const diffs = pods.map((pod) => w.location.applyPod(pod));
    assert.deepEqual(
      describePlan(planNodeEvent({ event, transition, pods, diffs, lookups: w.lookups, content })),
      [
        'edge-1 update null/node/edge-1',
        'edge-1 insert default/configmap/kube-root-ca.crt',
        'edge-1 insert default/configmap/web-conf',
        'edge-1 update default/secret/web-token',
        'edge-1 insert default/pod/web',
        'edge-1 update default/pod/web-2',
      ],
    );
  });

  const forgetTable: [name: string, event: InformerEvent<KubeObjectShape>, expected: string[]][] = [
    [
      'a node that loses the label is forgotten, records kept',
      { type: 'update', old: realisticNode('edge-1'), object: realisticNode('edge-1', { isEdge: false }) },
      ['forget edge-1 not-edge'],
    ],
    [
      'a deleted edge node is forgotten',
      { type: 'delete', object: realisticNode('edge-1'), finalStateUnknown: false },
      ['forget edge-1 deleted'],
    ],
    [
      'an unchanged edge node gets nothing',
      { type: 'update', old: realisticNode('edge-1'), object: realisticNode('edge-1') },
      [],
    ],
    ['a plain node gets nothing', { type: 'add', object: realisticNode('cloud-1', { isEdge: false }) }, []],
  ];
  for (const [name, event, expected] of forgetTable) {
    it(name, () => {
      const w = world();
      const transition = nodeTransition(event, w.isEdgeNode);
      assert.deepEqual(
        describePlan(planNodeEvent({ event, transition, pods: [], diffs: [], lookups: w.lookups, content })),
        expected,
      );
    });
  }
});
