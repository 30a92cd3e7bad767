/**
 * The fault suite's check itself: the desired set of a node and the view of an edge store, and their diff,
 * must see every way an edge can be wrong (a lost object, an extra one, another UID, a changed data, a
 * deletion not seen), and nothing else (key order, other row types, resourceVersions).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataHash, desiredViews, storeViews } from './edge-view.js';
import type { ClusterObjects, KubeObject } from './edge-view.js';
import { diffFleet, diffNode, discrepancies, formatDiff, isConverged, withoutKnown } from './store-diff.js';

const node = (name: string, uid: string): KubeObject => ({ metadata: { name, uid } });
const cm = (name: string, uid: string, data: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: 'ns', uid },
  data,
});
const pod = (name: string, uid: string, onNode: string, spec: Record<string, unknown> = {}): KubeObject =>
  ({
    metadata: { name, namespace: 'ns', uid },
    spec: { nodeName: onNode, containers: [], ...spec },
  }) as KubeObject;

const cluster: ClusterObjects = {
  nodes: [node('n1', 'u-n1'), node('n2', 'u-n2')],
  pods: [
    pod('p1', 'u-p1', 'n1', { volumes: [{ name: 'v', configMap: { name: 'c1' } }] }),
    pod('p2', 'u-p2', 'n2', { imagePullSecrets: [{ name: 's1' }] }),
    pod('p3', 'u-p3', 'n2', { volumes: [{ name: 'v', configMap: { name: 'missing' } }] }),
  ],
  configMaps: [cm('c1', 'u-c1', { a: '1' }), cm('c2', 'u-c2', { b: '2' })],
  secrets: [{ metadata: { name: 's1', namespace: 'ns', uid: 'u-s1' }, data: { k: 'dg==' } }],
};

/** A store holding exactly `objects` as `<ns>/<type>/<name>` rows, plus rows of types not compared. */
function storeOf(objects: readonly (readonly [string, KubeObject])[]) {
  return storeViews([
    ...objects.map(
      ([type, o]) => [`${o.metadata?.namespace ?? 'null'}/${type}/${o.metadata?.name ?? ''}`, o] as const,
    ),
    ['ns/podpatch/p1', { metadata: { name: 'p1' } }],
    ['kube-node-lease/lease/n1', { metadata: { name: 'n1', uid: 'x' } }],
  ]);
}

describe('fault suite check', () => {
  const desired = desiredViews(cluster, ['n1', 'n2']);

  it('a node needs its Node, its pods and the ConfigMaps and Secrets they reference that exist', () => {
    assert.deepEqual([...(desired.get('n1')?.keys() ?? [])].sort(), [
      'configmap/ns/c1',
      'node//n1',
      'pod/ns/p1',
    ]);
    assert.deepEqual([...(desired.get('n2')?.keys() ?? [])].sort(), [
      'node//n2',
      'pod/ns/p2',
      'pod/ns/p3',
      'secret/ns/s1',
    ]);
  });

  it('an exact store is converged, whatever its key order and other rows', () => {
    const n1 = storeOf([
      ['pod', cluster.pods[0] ?? {}],
      [
        'configmap',
        { ...cm('c1', 'u-c1', { a: '1' }), metadata: { name: 'c1', namespace: 'ns', uid: 'u-c1' } },
      ],
      ['node', node('n1', 'u-n1')],
    ]);
    assert.deepEqual(diffNode(desired.get('n1') ?? new Map(), n1), { lost: [], extra: [], stale: [] });
  });

  it('sees lost, extra and stale objects: another UID, changed data, a deletion not seen', () => {
    const n1 = storeOf([
      ['pod', pod('p1', 'u-old', 'n1')],
      ['configmap', cm('c1', 'u-c1', { a: 'changed' })],
      ['configmap', cm('c2', 'u-c2', { b: '2' })],
    ]);
    const n2 = storeOf([
      ['node', node('n2', 'u-n2')],
      ['pod', pod('p2', 'u-p2', 'n2')],
      ['pod', pod('p3', 'u-p3', 'n2')],
      ['secret', cluster.secrets[0] ?? {}],
    ]);
    const deleting = {
      ...cluster,
      pods: cluster.pods.map((p) =>
        p.metadata?.name === 'p3'
          ? { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }
          : p,
      ),
    };
    const diff = diffFleet(
      desiredViews(deleting, ['n1', 'n2']),
      new Map([
        ['n1', n1],
        ['n2', n2],
      ]),
    );
    assert.equal(isConverged(diff), false);
    const d1 = diff.nodes.get('n1');
    assert.ok(d1 !== undefined);
    assert.deepEqual(
      d1.lost.map((v) => v.key),
      ['node//n1'],
    );
    assert.deepEqual(
      d1.extra.map((v) => v.key),
      ['configmap/ns/c2'],
    );
    assert.deepEqual(
      d1.stale.map((s) => s.key),
      ['configmap/ns/c1', 'pod/ns/p1'],
    );
    assert.deepEqual(
      diff.nodes.get('n2')?.stale.map((s) => [s.key, s.want.state, s.got.state]),
      [['pod/ns/p3', 'deleting', 'live']],
    );
    assert.deepEqual([diff.lost, diff.extra, diff.stale], [1, 1, 3]);
    const text = formatDiff(diff, 20, (_, v) => `note ${v.uid}`);
    assert.match(text, /lost \(1\):\n {6}node\/\/n1 u-n1 \(note u-n1\)/);
    assert.match(text, /pod\/ns\/p1 want u-p1\/live got u-old\/live \(note u-old\)/);
  });

  it('a leftover known from an earlier wait does not count again; anything new or changed does', () => {
    const n1 = storeOf([
      ['node', node('n1', 'u-n1')],
      ['pod', pod('p1', 'u-p1', 'n1')],
    ]);
    const before = diffFleet(new Map([['n1', desired.get('n1') ?? new Map()]]), new Map([['n1', n1]]));
    assert.deepEqual(discrepancies(before), [
      'n1 lost configmap/ns/c1 u-c1/' + dataHash({ data: { a: '1' } }),
    ]);
    const known = new Set(discrepancies(before));
    assert.equal(isConverged(withoutKnown(before, known)), true);
    const changed = diffFleet(
      new Map([['n1', desired.get('n1') ?? new Map()]]),
      new Map([
        [
          'n1',
          storeOf([
            ['node', node('n1', 'u-n1')],
            ['pod', pod('p1', 'u-other', 'n1')],
          ]),
        ],
      ]),
    );
    assert.deepEqual(discrepancies(withoutKnown(changed, known)), [
      'n1 stale pod/ns/p1 u-p1/live u-other/live',
    ]);
  });

  it('hashes data independently of key order, and tells data apart', () => {
    assert.equal(dataHash({ data: { a: '1', b: '2' } }), dataHash({ data: { b: '2', a: '1' } }));
    assert.notEqual(dataHash({ data: { a: '1' } }), dataHash({ data: { a: '2' } }));
    assert.notEqual(dataHash({ data: { a: '1' } }), dataHash({ binaryData: { a: '1' } }));
  });

  it('two rows of one object that disagree are stale, not silently one of them', () => {
    const view = storeViews([
      ['null/node/n1', node('n1', 'u-n1')],
      ['default/node/n1', node('n1', 'u-other')],
    ]);
    const diff = diffNode(desired.get('n1') ?? new Map(), view);
    assert.deepEqual(
      diff.stale.map((s) => s.key),
      ['node//n1'],
    );
  });
});
