import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from './codec.js';
import { FrameEncoder } from './frame-encoder.js';
import type { Message } from './message.js';
import type { MessageId } from './message-id.js';

const id = (value: string): MessageId => value as MessageId;

function message(content: unknown, header: Partial<Message['header']> = {}): Message {
  return {
    header: { msg_id: id('m-1'), timestamp: 1_700_000_000_000, resourceversion: '42', ...header },
    route: { source: 'edgecontroller', group: 'resource', operation: 'update', resource: 'ns/configmap/c' },
    content,
  };
}

const contents: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'OK'],
  ['a string with quotes, controls and unicode', 'a "b"\n\u0000\u2028 é 漢字 🙂'],
  ['a lone surrogate', '\ud800x'],
  ['a number', 12.5],
  ['a boolean', false],
  ['an empty object', {}],
  ['an array', [1, 'two', { three: 3 }, null]],
  [
    'an object with unicode keys and values',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'n', uid: 'u-1', labels: { ключ: 'значение' } },
      data: { 'k.txt': 'ü'.repeat(1000) + '🙂', empty: '', nested: { deep: [{ a: undefined, b: 1 }] } },
    },
  ],
  ['an object with a toJSON that reads its key', { toJSON: (key: string) => `key=${key}` }],
  ['an object holding a Date', { at: new Date(0) }],
];

describe('FrameEncoder', () => {
  for (const [name, content] of contents) {
    it(`writes exactly encodeMessage's bytes for ${name}`, () => {
      const encoder = new FrameEncoder();
      for (const m of [
        message(content),
        message(content, { msg_id: id('ид-2'), parent_msg_id: id('p'), resourceversion: '' }),
      ]) {
        const expected = Buffer.from(encodeMessage(m), 'utf8');
        // Twice: the second frame comes from the cache.
        assert.deepEqual(encoder.encode(m), expected);
        assert.deepEqual(encoder.encode(m), expected);
        assert.equal(encoder.byteLength(m), expected.length);
      }
    });
  }

  it('leaves the content key out when JSON does, as encodeMessage', () => {
    const encoder = new FrameEncoder();
    const m = message(() => 1);
    assert.equal(encoder.encode(m).toString('utf8'), encodeMessage(m));
    assert.ok(!encoder.encode(m).toString('utf8').includes('"content"'));
    assert.equal(encoder.byteLength(m), Buffer.byteLength(encodeMessage(m)));
  });

  it('serializes a shared content object once for every frame that carries it', () => {
    const encoded: number[] = [];
    const encoder = new FrameEncoder({
      onContentEncoded: (_m, bytes) => {
        encoded.push(bytes);
      },
    });
    const content = { kind: 'ConfigMap', data: { big: 'x'.repeat(10_000) } };
    const frames = Array.from({ length: 50 }, (_, i) =>
      encoder.encode(message(content, { msg_id: id(`n-${i}`) })),
    );
    assert.equal(encoded.length, 1, 'one serialization for 50 frames');
    assert.equal(encoded[0], JSON.stringify(content).length);
    frames.forEach((frame, i) => {
      const parsed = JSON.parse(frame.toString('utf8')) as Message;
      assert.equal(parsed.header.msg_id, `n-${i}`);
      assert.deepEqual(parsed.content, content);
    });
    // A new version (another object) is serialized again; scalars are never counted.
    encoder.encode(message({ ...content }));
    encoder.encode(message('OK'));
    encoder.encode(message(null));
    assert.equal(encoded.length, 2);
  });

  it('throws for content that cannot be serialized, as encodeMessage', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.throws(() => new FrameEncoder().encode(message(cyclic)), TypeError);
    assert.throws(() => new FrameEncoder().encode(message({ n: 1n })), TypeError);
  });
});
