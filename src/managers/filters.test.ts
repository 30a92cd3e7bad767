import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { involvesEdgeRole } from './node-manager.js';
import { touchesEdgeNode } from './pod-manager.js';

const isEdge = (node: string): boolean => node.startsWith('edge-');
const pod = (nodeName?: string) => ({
  metadata: { name: 'p', namespace: 'ns' },
  ...(nodeName !== undefined ? { spec: { nodeName } } : {}),
});
const node = (labels: Record<string, string>) => ({ metadata: { name: 'n', labels } });

describe('PodManager filter', () => {
  const cases: [string, Parameters<typeof touchesEdgeNode>[0], boolean][] = [
    ['a pod added on an edge node', { type: 'add', object: pod('edge-1') }, true],
    ['a pod added on a cloud node', { type: 'add', object: pod('cloud-1') }, false],
    ['an unscheduled pod', { type: 'add', object: pod() }, false],
    ['a pod moved off an edge node', { type: 'update', old: pod('edge-1'), object: pod('cloud-1') }, true],
    [
      'a pod deleted from an edge node',
      { type: 'delete', object: pod('edge-1'), finalStateUnknown: false },
      true,
    ],
  ];
  for (const [what, event, passes] of cases) {
    it(`${passes ? 'passes' : 'drops'} ${what}`, () => {
      assert.equal(touchesEdgeNode(event, isEdge), passes);
    });
  }
});

describe('NodeManager filter', () => {
  const edge = { 'node-role.kubernetes.io/edge': '' };
  const cases: [string, Parameters<typeof involvesEdgeRole>[0], boolean][] = [
    ['an edge node', { type: 'add', object: node(edge) }, true],
    ['a cloud node', { type: 'add', object: node({}) }, false],
    [
      "a node whose edge label has a value (not KubeEdge's edge role)",
      { type: 'add', object: node({ 'node-role.kubernetes.io/edge': 'true' }) },
      false,
    ],
    ['a node losing the edge label', { type: 'update', old: node(edge), object: node({}) }, true],
    ['a node gaining the edge label', { type: 'update', old: node({}), object: node(edge) }, true],
  ];
  for (const [what, event, passes] of cases) {
    it(`${passes ? 'passes' : 'drops'} ${what}`, () => {
      assert.equal(involvesEdgeRole(event), passes);
    });
  }
});
