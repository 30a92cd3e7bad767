/**
 * Repair plans as tables. Desired objects are written `Kind name uid rv`, records `Kind name uid rv`
 * (rv `''` for an empty status), actions `send <reason> <op> <resource> <uid>`, `send-delete <reason>
 * <resource> <uid>` and `drop-record <reason> <record name>`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushContentDefaults } from '../protocol/index.js';
import type { NodeName, PushKind } from '../protocol/index.js';
import { realisticNode, realisticObject, realisticPod } from '../../test/support/builders.js';
import { newSyncRecord } from './record.js';
import type { SyncRecord } from './record.js';
import { planRepair, recordsOfGoneNodes } from './repair.js';
import type { DesiredObject, RepairAction } from './repair.js';

const node = 'edge-1' as NodeName;
type Sketch = readonly [kind: PushKind | 'Service', name: string, uid: string, rv: string];

function desired([kind, name, uid, rv]: Sketch): DesiredObject {
  switch (kind) {
    case 'Pod':
      return { kind, object: realisticPod({ name, uid, resourceVersion: rv }) };
    case 'Node':
      return { kind, object: realisticNode(name, { uid, resourceVersion: rv }) };
    case 'ConfigMap':
    case 'Secret':
      return { kind, object: realisticObject(kind, name, uid, rv) };
    case 'Service':
      throw new Error('not a desired kind');
  }
}

function record([kind, name, uid, rv]: Sketch, onNode: NodeName = node): SyncRecord {
  const created = newSyncRecord({
    node: onNode,
    uid,
    namespace: kind === 'Node' ? null : 'default',
    apiVersion: 'v1',
    kind,
    name,
    resourceVersion: rv,
  });
  if (created === undefined) throw new Error(`bad record ${uid}`);
  return created;
}

function describeActions(actions: readonly RepairAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'send':
        return `send ${a.reason} ${a.push.operation} ${a.push.resource} ${String((a.push.content['metadata'] as { uid?: string }).uid)}`;
      case 'send-delete':
        return `send-delete ${a.reason} ${a.push.resource} ${a.record.uid}`;
      case 'drop-record':
        return `drop-record ${a.reason} ${a.record.name}`;
    }
  });
}

function plan(want: readonly Sketch[], have: readonly SyncRecord[]): string[] {
  return describeActions(
    planRepair({ node, desired: want.map(desired), records: have, content: pushContentDefaults }),
  );
}

describe('planRepair', () => {
  const table: [name: string, want: Sketch[], have: SyncRecord[], expected: string[]][] = [
    ['nothing desired, nothing recorded: nothing to do', [], [], []],
    ['equal resourceVersion: nothing', [['Pod', 'p', 'u1', '10']], [record(['Pod', 'p', 'u1', '10'])], []],
    [
      'record newer than the cache (cache behind): nothing',
      [['Pod', 'p', 'u1', '10']],
      [record(['Pod', 'p', 'u1', '11'])],
      [],
    ],
    ['missing record: update', [['Pod', 'p', 'u1', '10']], [], ['send missing update default/pod/p u1']],
    [
      'newer resourceVersion: update',
      [['Secret', 's', 'u1', '12']],
      [record(['Secret', 's', 'u1', '11'])],
      ['send newer update default/secret/s u1'],
    ],
    [
      'resourceVersions compare as numbers, not strings',
      [['ConfigMap', 'c', 'u1', '10']],
      [record(['ConfigMap', 'c', 'u1', '9'])],
      ['send newer update default/configmap/c u1'],
    ],
    [
      'an empty recorded resourceVersion: update (KubeEdge skips it)',
      [['ConfigMap', 'c', 'u1', '10']],
      [record(['ConfigMap', 'c', 'u1', ''])],
      ['send unknown-version update default/configmap/c u1'],
    ],
    [
      'a record of a KubeEdge first enqueue ("0"): update',
      [['ConfigMap', 'c', 'u1', '10']],
      [record(['ConfigMap', 'c', 'u1', '0'])],
      ['send newer update default/configmap/c u1'],
    ],
    [
      'gone object: delete',
      [],
      [record(['Pod', 'p', 'u1', '10'])],
      ['send-delete not-desired default/pod/p u1'],
    ],
    [
      'an object the node should no longer have (last user pod gone): delete',
      [['Pod', 'p', 'u1', '10']],
      [record(['Pod', 'p', 'u1', '10']), record(['Secret', 'old-secret', 's1', '3'])],
      ['send-delete not-desired default/secret/old-secret s1'],
    ],
    [
      'UID changed: delete the old, then send the new object',
      [['ConfigMap', 'c', 'u2', '20']],
      [record(['ConfigMap', 'c', 'u1', '10'])],
      ['send-delete uid-changed default/configmap/c u1', 'send missing update default/configmap/c u2'],
    ],
    [
      'a stale old-UID record next to an up-to-date new one: the new one is resent after the delete',
      [['ConfigMap', 'c', 'u2', '20']],
      [record(['ConfigMap', 'c', 'u1', '10']), record(['ConfigMap', 'c', 'u2', '20'])],
      ['send-delete uid-changed default/configmap/c u1', 'send after-delete update default/configmap/c u2'],
    ],
    [
      'a Node record for a replaced Node is dropped, never a Node delete; the Node is sent',
      [['Node', 'edge-1', 'n2', '5']],
      [record(['Node', 'edge-1', 'n1', '4'])],
      ['drop-record stale-node-record edge-1.n1', 'send missing update null/node/edge-1 n2'],
    ],
    ['a record of a kind we never push is left alone', [], [record(['Service', 'svc', 'v1', '3'])], []],
    ['a record of another node is ignored', [], [record(['Pod', 'p', 'u1', '10'], 'edge-2' as NodeName)], []],
    [
      'deletes come before sends, each sorted by key',
      [
        ['Secret', 'b', 'u5', '5'],
        ['ConfigMap', 'a', 'u4', '5'],
      ],
      [record(['Pod', 'z', 'u1', '1']), record(['ConfigMap', 'y', 'u2', '1'])],
      [
        'send-delete not-desired default/configmap/y u2',
        'send-delete not-desired default/pod/z u1',
        'send missing update default/configmap/a u4',
        'send missing update default/secret/b u5',
      ],
    ],
  ];
  for (const [name, want, have, expected] of table) {
    it(name, () => {
      assert.deepEqual(plan(want, have), expected);
    });
  }

  it('sends full content (apiVersion/kind, managedFields stripped) and minimal deletes', () => {
    const [remove, send] = planRepair({
      node,
      desired: [desired(['Secret', 's', 'u2', '20'])],
      records: [record(['Secret', 's', 'u1', '10'])],
      content: pushContentDefaults,
    });
    assert.deepEqual(remove?.kind === 'send-delete' ? remove.push.content : remove, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default', uid: 'u1' },
    });
    assert.equal(remove?.kind === 'send-delete' ? remove.push.resourceVersion : 'x', undefined);
    const metadata = send?.kind === 'send' ? (send.push.content['metadata'] as Record<string, unknown>) : {};
    assert.equal(metadata['managedFields'], undefined);
    assert.equal(send?.kind === 'send' ? send.push.resourceVersion : undefined, '20');
  });
});

describe('recordsOfGoneNodes', () => {
  it('returns the records whose node no longer exists', () => {
    const records = [record(['Pod', 'p', 'u1', '1']), record(['Pod', 'q', 'u2', '1'], 'gone' as NodeName)];
    assert.deepEqual(
      recordsOfGoneNodes(records, (n) => n === 'edge-1').map((r) => r.name),
      ['gone.u2'],
    );
  });
});
