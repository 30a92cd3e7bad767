import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disallowedPatchField, patchedLabelKeys, readStatusPatch } from './status-patch.js';

describe('readStatusPatch', () => {
  const table: [string, unknown, boolean][] = [
    ['a patch string', '{"status":{"phase":"Running"}}', true],
    ['the empty patch of §4.10', '{}', true],
    ['an object content (re-serialized)', { status: {} }, true],
    ['a string that is not JSON', 'nope', false],
    ['a JSON array', '[1]', false],
    ['null', null, false],
  ];
  for (const [name, content, ok] of table) {
    it(`${ok ? 'reads' : 'rejects'} ${name}`, () => {
      assert.equal(readStatusPatch(content).ok, ok);
    });
  }
});

describe('disallowedPatchField', () => {
  const pod = ['uid'];
  const table: [string, unknown, readonly string[], string | undefined][] = [
    [
      "the kubelet's pod status patch",
      { metadata: { uid: 'u' }, status: { phase: 'Running' } },
      pod,
      undefined,
    ],
    ['spec', { spec: { nodeName: 'x' } }, pod, 'spec'],
    ['a top-level directive', { $patch: 'replace' }, pod, '$patch'],
    ['owner references', { metadata: { ownerReferences: [] } }, pod, 'metadata.ownerReferences'],
    ['node labels', { metadata: { labels: { a: 'b' } } }, ['labels'], undefined],
    [
      'a label map directive',
      { metadata: { labels: { $patch: 'replace' } } },
      ['labels'],
      'metadata.labels.$patch',
    ],
    ['metadata that is not an object', { metadata: 'x' }, pod, 'metadata'],
  ];
  for (const [name, document, keys, expected] of table) {
    it(`${expected === undefined ? 'allows' : 'flags'} ${name}`, () => {
      assert.equal(disallowedPatchField(document as Record<string, unknown>, keys), expected);
    });
  }
});

describe('patchedLabelKeys', () => {
  it('lists the label keys set or removed', () => {
    assert.deepEqual(patchedLabelKeys({ metadata: { labels: { a: 'x', b: null } } }), ['a', 'b']);
    assert.deepEqual(patchedLabelKeys({ status: {} }), []);
  });
});
