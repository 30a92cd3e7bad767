import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName, ResourceRef } from './resource.js';
import {
  buildNodeResource,
  buildResource,
  edgeKey,
  parseNodeName,
  parseResource,
  resourceTypeOf,
  splitNodeResource,
  trimNodePrefix,
  withNodePrefix,
} from './resource.js';

const node = (value: string): NodeName => {
  const parsed = parseNodeName(value);
  assert.ok(parsed !== undefined, value);
  return parsed;
};

describe('parseNodeName', () => {
  const table: [unknown, boolean][] = [
    ['edge-1', true],
    ['edge.zone-a.example', true],
    ['a', true],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
    ['', false],
    ['Edge-1', false],
    ['-edge', false],
    ['edge-', false],
    ['edge/1', false],
    ['edge..1', false],
    [42, false],
    [undefined, false],
  ];
  for (const [input, valid] of table) {
    it(`${valid ? 'accepts' : 'rejects'} ${input === undefined ? 'undefined' : JSON.stringify(input).slice(0, 20)}`, () => {
      assert.equal(parseNodeName(input) !== undefined, valid);
    });
  }
});

describe('buildResource', () => {
  const table: [ResourceRef, string][] = [
    [{ namespace: 'default', resourceType: 'pod', name: 'nginx' }, 'default/pod/nginx'],
    [{ namespace: null, resourceType: 'node', name: 'edge-1' }, 'null/node/edge-1'],
    [{ namespace: 'default', resourceType: 'podstatus' }, 'default/podstatus'],
    [{ namespace: 'kube-node-lease', resourceType: 'lease', name: 'edge-1' }, 'kube-node-lease/lease/edge-1'],
  ];
  for (const [ref, expected] of table) {
    it(`builds ${expected}`, () => {
      assert.equal(buildResource(ref), expected);
    });
  }

  const bad: ResourceRef[] = [
    { namespace: '', resourceType: 'pod', name: 'a' },
    { namespace: 'default', resourceType: '', name: 'a' },
    { namespace: 'default', resourceType: 'pod', name: '' },
    { namespace: 'default', resourceType: 'pod', name: 'a/b' },
    { namespace: 'a/b', resourceType: 'pod', name: 'x' },
  ];
  for (const ref of bad) {
    it(`refuses a segment that would change the parse: ${JSON.stringify(ref)}`, () => {
      assert.throws(() => buildResource(ref), RangeError);
    });
  }
});

describe('parseResource', () => {
  const table: [string, ResourceRef | undefined][] = [
    ['default/pod/nginx', { namespace: 'default', resourceType: 'pod', name: 'nginx' }],
    ['null/node/edge-1', { namespace: null, resourceType: 'node', name: 'edge-1' }],
    ['default/podstatus', { namespace: 'default', resourceType: 'podstatus' }],
    ['default/event/nginx.17a2b', { namespace: 'default', resourceType: 'event', name: 'nginx.17a2b' }],
    ['k8s/ca.crt', { namespace: 'k8s', resourceType: 'ca.crt' }],
    ['default/pod/a/b', undefined],
    ['default//nginx', undefined],
    ['default/pod/', undefined],
    ['/pod/nginx', undefined],
    ['node', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of table) {
    it(`parses ${JSON.stringify(input)}`, () => {
      const parsed = parseResource(input);
      if (expected === undefined) {
        assert.equal(parsed, undefined);
        return;
      }
      assert.deepEqual(parsed, { ...expected, path: input });
    });
  }

  it('round-trips with buildResource', () => {
    const ref: ResourceRef = { namespace: null, resourceType: 'persistentvolume', name: 'pv-1' };
    assert.deepEqual(parseResource(buildResource(ref)), { ...ref, path: 'null/persistentvolume/pv-1' });
  });
});

describe('resourceTypeOf', () => {
  const table: [string, string | undefined][] = [
    ['default/pod/nginx', 'pod'],
    ['default/podstatus', 'podstatus'],
    ['node', undefined],
    ['default/', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of table) {
    it(`reads ${expected ?? 'nothing'} from ${JSON.stringify(input)}`, () => {
      assert.equal(resourceTypeOf(input), expected);
    });
  }
});

describe('node prefix (cloud-internal form)', () => {
  it('builds node/<node>/<ns>/<type>/<name> as BuildResource does', () => {
    assert.equal(
      buildNodeResource(node('edge-1'), { namespace: 'default', resourceType: 'pod', name: 'nginx' }),
      'node/edge-1/default/pod/nginx',
    );
  });

  it('prefixes whatever the edge sent with the connection node, like PubToController', () => {
    assert.equal(withNodePrefix(node('edge-1'), 'k8s/ca.crt'), 'node/edge-1/k8s/ca.crt');
  });

  const trimTable: [string, string][] = [
    ['node/edge-1/default/pod/nginx', 'default/pod/nginx'],
    ['node/edge-1/null/node/edge-1', 'null/node/edge-1'],
    ['node/edge-1/k8s/ca.crt', 'k8s/ca.crt'],
  ];
  for (const [input, expected] of trimTable) {
    it(`trims ${input} to ${expected}`, () => {
      const prefixed = withNodePrefix(node('edge-1'), expected);
      assert.equal(prefixed, input);
      assert.equal(trimNodePrefix(prefixed), expected);
      assert.deepEqual(splitNodeResource(input), { node: 'edge-1', resource: expected });
    });
  }

  const badSplit = [
    'default/pod/nginx',
    'nodes/x/default/pod/a',
    'node/edge-1',
    'node/edge-1/',
    'node/Bad/x/y',
  ];
  for (const input of badSplit) {
    it(`does not split ${JSON.stringify(input)}`, () => {
      assert.equal(splitNodeResource(input), undefined);
    });
  }
});

describe('edgeKey', () => {
  const table: [ResourceRef, string][] = [
    [{ namespace: 'default', resourceType: 'pod', name: 'nginx' }, 'default/pod/nginx'],
    [{ namespace: 'default', resourceType: 'configmap', name: 'c' }, 'default/configmap/c'],
    [{ namespace: 'default', resourceType: 'podpatch', name: 'nginx' }, 'default/pod/nginx'],
    [{ namespace: null, resourceType: 'nodepatch', name: 'edge-1' }, 'null/node/edge-1'],
    [{ namespace: null, resourceType: 'node', name: 'edge-1' }, 'null/node/edge-1'],
    [{ namespace: 'default', resourceType: 'podstatus' }, 'default/podstatus'],
    [{ namespace: 'default', resourceType: 'toString', name: 'x' }, 'default/toString/x'],
  ];
  for (const [ref, expected] of table) {
    it(`keys ${JSON.stringify(ref)} on the edge row ${expected}`, () => {
      assert.equal(edgeKey(ref), expected);
    });
  }

  it('gives a pod push and a podpatch reply for the same pod one key, so they are never in flight together', () => {
    const parsed = parseResource('default/podpatch/nginx');
    assert.ok(parsed);
    assert.equal(edgeKey(parsed), edgeKey({ namespace: 'default', resourceType: 'pod', name: 'nginx' }));
  });
});
