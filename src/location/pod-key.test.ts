import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePodKey, podKey, podKeyOf } from './pod-key.js';
import type { PodShape } from './pod-shape.js';

describe('podKey', () => {
  const table: [string, string, string][] = [
    ['default', 'nginx', 'default/nginx'],
    ['kube-system', 'coredns-5d78c9869d-abcde', 'kube-system/coredns-5d78c9869d-abcde'],
  ];
  for (const [namespace, name, key] of table) {
    it(`builds ${key}, which parses back`, () => {
      assert.equal(podKey(namespace, name), key);
      assert.equal(parsePodKey(key), key);
    });
  }

  const bad: [string, string][] = [
    ['', 'a'],
    ['ns', ''],
    ['a/b', 'c'],
    ['ns', 'a/b'],
  ];
  for (const [namespace, name] of bad) {
    it(`throws for namespace ${JSON.stringify(namespace)} and name ${JSON.stringify(name)}`, () => {
      assert.throws(() => podKey(namespace, name), RangeError);
    });
  }
});

describe('podKeyOf', () => {
  it('reads metadata.namespace and metadata.name', () => {
    assert.equal(podKeyOf({ metadata: { namespace: 'ns', name: 'p', uid: 'u' } }), 'ns/p');
  });

  const bad: PodShape[] = [{}, { metadata: { name: 'p' } }, { metadata: { namespace: 'ns' } }];
  for (const pod of bad) {
    it(`throws for a pod without namespace or name: ${JSON.stringify(pod)}`, () => {
      assert.throws(() => podKeyOf(pod), RangeError);
    });
  }
});

describe('parsePodKey', () => {
  const table = ['', 'ns', 'ns/', '/p', 'ns/p/x', 'ns//p'];
  for (const input of table) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parsePodKey(input), undefined);
    });
  }
});
