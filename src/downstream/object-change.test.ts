import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasMeaningfulChange, isJsonEqual } from './object-change.js';
import type { KubeObjectShape } from '../protocol/index.js';
import { realisticPod } from '../../test/support/builders.js';

type Edit = (pod: Record<string, unknown> & { metadata: Record<string, unknown> }) => void;

describe('hasMeaningfulChange', () => {
  const table: [name: string, edit: Edit, expected: boolean][] = [
    ['an identical copy is no change', () => undefined, false],
    ['a resourceVersion bump alone is no change', (p) => (p.metadata['resourceVersion'] = '48214'), false],
    [
      'a managedFields timestamp bump alone is no change (errata W1)',
      (p) => (p.metadata['managedFields'] = [{ manager: 'kubelet', time: '2025-11-23T10:13:00Z' }]),
      false,
    ],
    ['a generation bump alone is no change', (p) => (p.metadata['generation'] = 2), false],
    [
      'adding apiVersion/kind is no change',
      (p) => Object.assign(p, { apiVersion: 'v1', kind: 'Pod' }),
      false,
    ],
    [
      'a status change is a change',
      (p) => ((p['status'] as Record<string, unknown>)['phase'] = 'Succeeded'),
      true,
    ],
    [
      'a deletionTimestamp is a change',
      (p) => (p.metadata['deletionTimestamp'] = '2025-11-23T11:00:00Z'),
      true,
    ],
    ['a label change is a change', (p) => (p.metadata['labels'] = { app: 'other' }), true],
    [
      'a spec change is a change',
      (p) => ((p['spec'] as Record<string, unknown>)['activeDeadlineSeconds'] = 5),
      true,
    ],
    ['a new top-level field is a change', (p) => (p['extra'] = {}), true],
  ];
  for (const [name, edit, expected] of table) {
    it(name, () => {
      const before = realisticPod();
      const after = structuredClone(before) as Parameters<Edit>[0];
      edit(after);
      assert.equal(hasMeaningfulChange(before, after as KubeObjectShape), expected);
    });
  }
});

describe('isJsonEqual', () => {
  const table: [name: string, a: unknown, b: unknown, expected: boolean][] = [
    ['equal primitives', 'a', 'a', true],
    ['different primitives', 1, 2, false],
    ['null vs object', null, {}, false],
    ['an undefined property equals an absent one', { a: 1, b: undefined }, { a: 1 }, true],
    ['arrays compare in order', [1, 2], [2, 1], false],
    ['array vs object', [], {}, false],
    ['nested objects', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, true],
    ['Dates by time', new Date(5), new Date(5), true],
    ['different Dates', new Date(5), new Date(6), false],
    ['Date vs string', new Date(5), '1970-01-01T00:00:00.005Z', false],
  ];
  for (const [name, a, b, expected] of table) {
    it(name, () => {
      assert.equal(isJsonEqual(a, b), expected);
      assert.equal(isJsonEqual(b, a), expected);
    });
  }
});
