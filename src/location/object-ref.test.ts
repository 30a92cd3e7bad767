import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectRef } from './object-ref.js';
import { compareObjectRefs, isObjectKind, refKey, objectKinds, parseRefKey } from './object-ref.js';

describe('refKey', () => {
  const table: [ObjectRef, string][] = [
    [{ kind: 'ConfigMap', namespace: 'default', name: 'app-config' }, 'ConfigMap/default/app-config'],
    [{ kind: 'Secret', namespace: 'kube-system', name: 'token.v1' }, 'Secret/kube-system/token.v1'],
    [{ kind: 'PersistentVolumeClaim', namespace: 'db', name: 'data-0' }, 'PersistentVolumeClaim/db/data-0'],
    [{ kind: 'ServiceAccount', namespace: 'default', name: 'default' }, 'ServiceAccount/default/default'],
  ];
  for (const [ref, key] of table) {
    it(`builds ${key} and parses it back to the same reference`, () => {
      assert.equal(refKey(ref), key);
      assert.deepEqual(parseRefKey(key), ref);
    });
  }

  const bad: ObjectRef[] = [
    { kind: 'Secret', namespace: '', name: 'a' },
    { kind: 'Secret', namespace: 'ns', name: '' },
    { kind: 'Secret', namespace: 'a/b', name: 'c' },
    { kind: 'Secret', namespace: 'ns', name: 'a/b' },
  ];
  for (const ref of bad) {
    it(`refuses to build a key that would not parse back: ${JSON.stringify(ref)}`, () => {
      assert.throws(() => refKey(ref), RangeError);
    });
  }
});

describe('parseRefKey', () => {
  const table: string[] = [
    '',
    'Secret',
    'Secret/ns',
    'Secret/ns/',
    'Secret//name',
    '/ns/name',
    'Secret/ns/a/b',
    'Pod/ns/name',
    'secret/ns/name',
  ];
  for (const input of table) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parseRefKey(input), undefined);
    });
  }
});

describe('isObjectKind', () => {
  const table: [unknown, boolean][] = [
    ...objectKinds.map((kind): [unknown, boolean] => [kind, true]),
    ['Pod', false],
    ['configmap', false],
    [undefined, false],
    [1, false],
  ];
  for (const [input, expected] of table) {
    it(`${expected ? 'accepts' : 'rejects'} ${String(input)}`, () => {
      assert.equal(isObjectKind(input), expected);
    });
  }
});

describe('compareObjectRefs', () => {
  it('orders by kind, then namespace, then name, independent of locale', () => {
    const refs: ObjectRef[] = [
      { kind: 'Secret', namespace: 'b', name: 'a' },
      { kind: 'ConfigMap', namespace: 'b', name: 'Z' },
      { kind: 'Secret', namespace: 'a', name: 'z' },
      { kind: 'ConfigMap', namespace: 'b', name: 'a' },
    ];
    assert.deepEqual(refs.sort(compareObjectRefs).map(refKey), [
      'ConfigMap/b/Z',
      'ConfigMap/b/a',
      'Secret/a/z',
      'Secret/b/a',
    ]);
  });
});
