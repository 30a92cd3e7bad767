import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from './object.js';
import { LineSplitter, parseWatchLine } from './watch-lines.js';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('joins lines split across chunks and holds an unfinished line', () => {
    const s = new LineSplitter({ maxLineChars: 1000 });
    assert.deepEqual(s.push(encode('{"a":')), []);
    assert.deepEqual(s.push(encode('1}\n{"b"')), ['{"a":1}']);
    assert.deepEqual(s.push(encode(':2}\n\n{"c":3}\n')), ['{"b":2}', '', '{"c":3}']);
    assert.deepEqual(s.end(), []);
  });

  it('decodes a UTF-8 character split between two chunks', () => {
    const s = new LineSplitter({ maxLineChars: 1000 });
    const bytes = encode('{"n":"é€"}\n');
    const lines = [...s.push(bytes.subarray(0, 8)), ...s.push(bytes.subarray(8))];
    assert.deepEqual(lines, ['{"n":"é€"}']);
  });

  it('returns a last line that has no trailing newline at the end of the stream', () => {
    const s = new LineSplitter({ maxLineChars: 1000 });
    assert.deepEqual(s.push('x\ny'), ['x']);
    assert.deepEqual(s.end(), ['y']);
  });

  it('drops an oversized line up to its newline, counts it, and goes on', () => {
    const s = new LineSplitter({ maxLineChars: 5 });
    assert.deepEqual(s.push('abc'), []);
    assert.deepEqual(s.push('defgh'), []);
    assert.equal(s.oversized, 1);
    assert.deepEqual(s.push('ijk\nok\n'), ['ok']);
    assert.deepEqual(s.push('toolong\nfine\n'), ['fine']);
    assert.equal(s.oversized, 2);
  });
});

describe('parseWatchLine', () => {
  const shaping = { stripManagedFields: true };
  const cm = (rv: string): object => ({
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'x' }] },
  });

  it('decodes ADDED, MODIFIED and DELETED with the object and its resourceVersion, managedFields stripped', () => {
    for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
      const parsed = parseWatchLine<KubeObject>(JSON.stringify({ type, object: cm('7') }), shaping);
      assert.ok(parsed.ok && parsed.event !== undefined && parsed.event.type === type);
      assert.ok('object' in parsed.event);
      assert.equal(parsed.event.resourceVersion, '7');
      assert.deepEqual(parsed.event.object.metadata, { name: 'a', namespace: 'ns', resourceVersion: '7' });
    }
  });

  it('keeps managedFields when asked to', () => {
    const parsed = parseWatchLine<KubeObject>(JSON.stringify({ type: 'ADDED', object: cm('7') }), {
      stripManagedFields: false,
    });
    assert.ok(parsed.ok && parsed.event?.type === 'ADDED');
    assert.ok('managedFields' in parsed.event.object.metadata);
  });

  it('decodes a BOOKMARK, which has a resourceVersion but no name', () => {
    const line = JSON.stringify({
      type: 'BOOKMARK',
      object: { kind: 'ConfigMap', metadata: { resourceVersion: '42', creationTimestamp: null } },
    });
    assert.deepEqual(parseWatchLine(line, shaping), {
      ok: true,
      event: { type: 'BOOKMARK', resourceVersion: '42' },
    });
  });

  it('decodes an ERROR event into its Status', () => {
    const line = JSON.stringify({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (9)' },
    });
    assert.deepEqual(parseWatchLine(line, shaping), {
      ok: true,
      event: {
        type: 'ERROR',
        status: { code: 410, reason: 'Expired', message: 'too old resource version: 1 (9)' },
      },
    });
  });

  it('ignores an empty line', () => {
    assert.deepEqual(parseWatchLine('  ', shaping), { ok: true, event: undefined });
  });

  const malformed: [name: string, line: string, reason: string][] = [
    ['not JSON', '{"type":', 'not JSON'],
    ['a JSON array', '[1]', 'no object'],
    ['no object', '{"type":"ADDED"}', 'no object'],
    ['an unknown type', JSON.stringify({ type: 'SYNC', object: cm('1') }), 'unknown type'],
    [
      'an object without a name',
      '{"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}}}',
      'bad object',
    ],
    [
      'an object without a resourceVersion',
      '{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}',
      'bad object',
    ],
    [
      'a non-string namespace',
      '{"type":"ADDED","object":{"metadata":{"name":"a","namespace":1}}}',
      'bad object',
    ],
    ['a bookmark without a resourceVersion', '{"type":"BOOKMARK","object":{"metadata":{}}}', 'bad bookmark'],
  ];
  for (const [name, line, reason] of malformed) {
    it(`reports ${name} as malformed (${reason})`, () => {
      assert.deepEqual(parseWatchLine(line, shaping), { ok: false, reason });
    });
  }
});
