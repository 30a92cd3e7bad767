import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName, NodeObject } from '../protocol/index.js';
import { hasEdgeRole, nodeTransition } from './node-rules.js';
import type { InformerEvent } from './informer-event.js';
import { realisticNode } from '../../test/support/builders.js';

const edge = realisticNode('edge-1');
const plain = realisticNode('edge-1', { isEdge: false });
const known = (node: NodeName): boolean => node === 'edge-1';
const unknown = (): boolean => false;

describe('hasEdgeRole', () => {
  const table: [name: string, labels: Record<string, string> | undefined, expected: boolean][] = [
    ['the label with value "" marks an edge node', { 'node-role.kubernetes.io/edge': '' }, true],
    ['another value does not (KubeEdge IsEdgeNode)', { 'node-role.kubernetes.io/edge': 'true' }, false],
    ['no label does not', { other: '' }, false],
    ['no labels at all does not', undefined, false],
  ];
  for (const [name, labels, expected] of table) {
    it(name, () => {
      assert.equal(
        hasEdgeRole({ metadata: { name: 'n', ...(labels === undefined ? {} : { labels }) } }),
        expected,
      );
    });
  }
});

describe('nodeTransition', () => {
  const table: [
    name: string,
    event: InformerEvent<NodeObject>,
    isKnown: (n: NodeName) => boolean,
    expected: string,
  ][] = [
    ['an edge node added joins', { type: 'add', object: edge }, unknown, 'joined edge-1'],
    ['a plain node added is ignored', { type: 'add', object: plain }, unknown, 'ignored'],
    [
      'a node gaining the label joins',
      { type: 'update', old: plain, object: edge },
      unknown,
      'joined edge-1',
    ],
    ['a node losing the label leaves', { type: 'update', old: edge, object: plain }, known, 'left edge-1'],
    [
      'an edge node with a status change changed',
      { type: 'update', old: edge, object: { ...edge, status: { conditions: [] } } },
      known,
      'changed edge-1',
    ],
    [
      'an edge node with only a new resourceVersion is unchanged',
      { type: 'update', old: edge, object: realisticNode('edge-1', { resourceVersion: '101' }) },
      known,
      'unchanged edge-1',
    ],
    ['a plain node updated is ignored', { type: 'update', old: plain, object: plain }, unknown, 'ignored'],
    [
      'an edge node deleted is deleted',
      { type: 'delete', object: edge, finalStateUnknown: false },
      known,
      'deleted edge-1',
    ],
    [
      'a label-selector watch reporting a lost label as DELETED leaves',
      { type: 'delete', object: plain, finalStateUnknown: false },
      known,
      'left edge-1',
    ],
    [
      'a plain node deleted is ignored',
      { type: 'delete', object: plain, finalStateUnknown: false },
      unknown,
      'ignored',
    ],
    [
      'a node with an invalid name is ignored',
      {
        type: 'add',
        object: { metadata: { name: 'Bad_Name', labels: { 'node-role.kubernetes.io/edge': '' } } },
      },
      unknown,
      'ignored',
    ],
  ];
  for (const [name, event, isKnown, expected] of table) {
    it(name, () => {
      const transition = nodeTransition(event, isKnown);
      assert.equal(
        transition.kind === 'ignored' ? 'ignored' : `${transition.kind} ${transition.node}`,
        expected,
      );
    });
  }
});
