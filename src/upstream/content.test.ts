import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { contentJson, contentText, foldKeys, isJsonObject, parseContent } from './content.js';

describe('contentJson', () => {
  const table: [string, unknown, { ok: boolean; value?: unknown }][] = [
    ['parses a JSON string as Go does with GetContentData', '{"a":1}', { ok: true, value: { a: 1 } }],
    ['returns an object as is', { a: 1 }, { ok: true, value: { a: 1 } }],
    ['keeps null', null, { ok: true, value: null }],
    ['turns undefined into null', undefined, { ok: true, value: null }],
    ['rejects a string that is not JSON', 'not json', { ok: false }],
  ];
  for (const [name, content, expected] of table) {
    it(name, () => {
      const result = contentJson(content);
      assert.equal(result.ok, expected.ok);
      if (result.ok) assert.deepEqual(result.value, expected.value);
    });
  }

  it('never echoes the content in its message', () => {
    const result = contentJson('secret-token-value');
    if (result.ok) assert.fail('expected a failure');
    assert.doesNotMatch(result.message, /secret-token-value/);
  });
});

describe('contentText', () => {
  it('keeps a string and serializes anything else', () => {
    assert.equal(contentText('{"x":1}'), '{"x":1}');
    assert.equal(contentText({ x: 1 }), '{"x":1}');
    assert.equal(contentText(null), 'null');
  });
});

describe('parseContent', () => {
  const schema = z.looseObject({ name: z.string(), count: z.number().optional() });
  it('keeps unknown fields', () => {
    const result = parseContent(schema, { name: 'a', extra: { deep: true } }, 'Thing');
    assert.deepEqual(result, { ok: true, value: { name: 'a', extra: { deep: true } } });
  });

  it('names the failing paths but not the values', () => {
    const result = parseContent(schema, { name: 42, count: 'sekrit' }, 'Thing');
    if (result.ok) assert.fail('expected a failure');
    assert.match(result.message, /^invalid Thing: name: .*; count: /);
    assert.doesNotMatch(result.message, /sekrit/);
  });
});

describe('foldKeys', () => {
  const table: [string, unknown, unknown][] = [
    ['renames case variants to the Go field name', { uid: 'u', name: 'n' }, { UID: 'u', Name: 'n' }],
    ['prefers an exact match', { UID: 'exact', uid: 'folded' }, { UID: 'exact', uid: 'folded' }],
    ['leaves non-objects alone', ['x'], ['x']],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => {
      assert.deepEqual(foldKeys(input, ['UID', 'Name', 'Status']), expected);
    });
  }
});

describe('isJsonObject', () => {
  it('accepts only plain objects', () => {
    assert.deepEqual([{}, [], null, 'x', 1].map(isJsonObject), [true, false, false, false, false]);
  });
});
