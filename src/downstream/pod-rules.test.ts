import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName, PodObject } from '../protocol/index.js';
import type { InformerEvent } from './informer-event.js';
import { podPushes } from './pod-rules.js';
import { realisticPod } from '../../test/support/builders.js';
import type { PodVariant } from '../../test/support/builders.js';

const edgeNodes = new Set(['edge-1', 'edge-2']);
const isEdgeNode = (node: NodeName): boolean => edgeNodes.has(node);
const pod = (variant: PodVariant = {}): PodObject => realisticPod(variant);
const terminating = '2025-11-23T11:00:00Z';

/** Pushes written `operation node uid` for short tables. */
function describePushes(event: InformerEvent<PodObject>): string[] {
  return podPushes(event, isEdgeNode).map((p) => `${p.operation} ${p.node} ${p.object.metadata?.uid ?? ''}`);
}

describe('podPushes', () => {
  const table: [name: string, event: InformerEvent<PodObject>, expected: string[]][] = [
    ['an add on an edge node is an insert', { type: 'add', object: pod({ uid: 'a' }) }, ['insert edge-1 a']],
    [
      'an add with deletionTimestamp becomes update',
      { type: 'add', object: pod({ uid: 'a', deletionTimestamp: terminating }) },
      ['update edge-1 a'],
    ],
    ['an add on a non-edge node is ignored', { type: 'add', object: pod({ nodeName: 'cloud-1' }) }, []],
    ['an add of an unscheduled pod is ignored', { type: 'add', object: pod({ nodeName: '' }) }, []],
    [
      'an update that changed only resourceVersion and managedFields is not pushed',
      {
        type: 'update',
        old: pod({ uid: 'a' }),
        object: {
          ...pod({ uid: 'a', resourceVersion: '48300' }),
          metadata: { ...pod({ uid: 'a' }).metadata, resourceVersion: '48300', managedFields: [] },
        },
      },
      [],
    ],
    [
      'a status change is pushed (errata W1)',
      {
        type: 'update',
        old: pod({ uid: 'a' }),
        object: pod({ uid: 'a', resourceVersion: '48300', phase: 'Failed' }),
      },
      ['update edge-1 a'],
    ],
    [
      'graceful delete, step 1: the update carrying deletionTimestamp is pushed',
      {
        type: 'update',
        old: pod({ uid: 'a' }),
        object: pod({ uid: 'a', resourceVersion: '48301', deletionTimestamp: terminating }),
      },
      ['update edge-1 a'],
    ],
    [
      'graceful delete, step 2: the delete when the object is gone',
      { type: 'delete', object: pod({ uid: 'a', deletionTimestamp: terminating }), finalStateUnknown: false },
      ['delete edge-1 a'],
    ],
    [
      'a delete inferred from a relist is pushed too',
      { type: 'delete', object: pod({ uid: 'a' }), finalStateUnknown: true },
      ['delete edge-1 a'],
    ],
    [
      'a deleted pod whose node is not an edge node gets nothing',
      { type: 'delete', object: pod({ nodeName: 'cloud-1' }), finalStateUnknown: false },
      [],
    ],
    [
      'binding onto an edge node is an insert there',
      { type: 'update', old: pod({ uid: 'a', nodeName: '' }), object: pod({ uid: 'a' }) },
      ['insert edge-1 a'],
    ],
    [
      'a pod moving between edge nodes: delete to the old, insert to the new',
      { type: 'update', old: pod({ uid: 'a' }), object: pod({ uid: 'a', nodeName: 'edge-2' }) },
      ['delete edge-1 a', 'insert edge-2 a'],
    ],
    [
      'a pod moving off the edge: delete to the old node only',
      { type: 'update', old: pod({ uid: 'a' }), object: pod({ uid: 'a', nodeName: 'cloud-1' }) },
      ['delete edge-1 a'],
    ],
    [
      'a new UID under the same name on the same node: delete the old, insert the new',
      { type: 'update', old: pod({ uid: 'a' }), object: pod({ uid: 'b' }) },
      ['delete edge-1 a', 'insert edge-1 b'],
    ],
    [
      'an update between two non-edge nodes is ignored',
      {
        type: 'update',
        old: pod({ nodeName: 'cloud-1' }),
        object: pod({ nodeName: 'cloud-2', phase: 'Failed' }),
      },
      [],
    ],
  ];
  for (const [name, event, expected] of table) {
    it(name, () => {
      assert.deepEqual(describePushes(event), expected);
    });
  }

  it('pushes the delete with the old object and the arrival with the new one', () => {
    const old = pod({ uid: 'a' });
    const next = pod({ uid: 'b' });
    const [first, second] = podPushes({ type: 'update', old, object: next }, isEdgeNode);
    assert.equal(first?.object, old);
    assert.equal(second?.object, next);
  });
});
