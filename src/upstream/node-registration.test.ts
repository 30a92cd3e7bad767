import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cloudcoreAnnotation,
  isKubernetesLabelKey,
  labelPatch,
  planNodeRegistration,
} from './node-registration.js';

describe('isKubernetesLabelKey', () => {
  const table: [string, boolean][] = [
    ['node-role.kubernetes.io/edge', true],
    ['kubernetes.io/hostname', true],
    ['node.kubernetes.io/instance-type', true],
    ['kubernetes.io', false],
    ['a/kubernetes.io/b', false],
    ['mykubernetes.io/x', false],
    ['k8s.io/x', false],
    ['app', false],
  ];
  for (const [key, expected] of table) {
    it(`${expected ? 'moves' : 'keeps'} ${key}`, () => {
      assert.equal(isKubernetesLabelKey(key), expected);
    });
  }
});

describe('planNodeRegistration', () => {
  it("creates the hollow edge's Node (no apiVersion/kind, §4.10) without kubernetes.io labels, annotated", () => {
    const node = {
      metadata: {
        name: 'ignored',
        labels: { 'node-role.kubernetes.io/edge': '', 'kubernetes.io/arch': 'amd64', team: 'x' },
        annotations: { a: 'b' },
      },
      status: { daemonEndpoints: { kubeletEndpoint: { Port: 10350 } } },
    };
    const plan = planNodeRegistration(node, 'edge-a', '10.0.0.1');
    assert.deepEqual(plan.create, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'edge-a',
        labels: { team: 'x' },
        annotations: { a: 'b', [cloudcoreAnnotation]: '10.0.0.1' },
      },
      status: { daemonEndpoints: { kubeletEndpoint: { Port: 10350 } } },
    });
    assert.deepEqual(plan.movedLabels, { 'node-role.kubernetes.io/edge': '', 'kubernetes.io/arch': 'amd64' });
    assert.deepEqual(JSON.parse(labelPatch(plan.movedLabels)), { metadata: { labels: plan.movedLabels } });
    assert.equal(node.metadata.name, 'ignored');
  });

  it('moves nothing when there are no labels', () => {
    const plan = planNodeRegistration({}, 'edge-a', '10.0.0.1');
    assert.deepEqual(plan.movedLabels, {});
  });
});
