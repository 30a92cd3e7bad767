import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodeResult, FrameErrorReason } from './codec.js';
import { decodeFrame, encodeMessage } from './codec.js';
import type { Message } from './message.js';
import type { MessageId } from './message-id.js';

const limits = { maxFrameBytes: 64 * 1024 };
const id = (value: string): MessageId => value as MessageId;

const keepaliveFrame =
  '{"header":{"msg_id":"k1","timestamp":1732400000000},' +
  '"route":{"source":"websocket","group":"resource","operation":"keepalive","resource":"node"},"content":"ping"}\n';

function decodeOk(data: Uint8Array | string): Message {
  const result = decodeFrame(data, limits);
  assert.ok(result.ok, result.ok ? '' : `${result.error.reason}: ${result.error.detail}`);
  return result.message;
}

function reasonOf(result: DecodeResult): FrameErrorReason | 'ok' {
  return result.ok ? 'ok' : result.error.reason;
}

describe('encodeMessage', () => {
  it('writes Go struct key order and leaves out empty optional fields (omitempty)', () => {
    const message: Message = {
      header: {
        msg_id: id('r'),
        parent_msg_id: id('q'),
        timestamp: 5,
        resourceversion: '7',
        sync: false,
        type: '',
      },
      route: {
        source: 'edgecontroller',
        destination: '',
        group: 'resource',
        operation: 'response',
        resource: 'a/b/c',
      },
      content: { k: 'v' },
    };
    assert.equal(
      encodeMessage(message),
      '{"header":{"msg_id":"r","parent_msg_id":"q","timestamp":5,"resourceversion":"7"},' +
        '"route":{"source":"edgecontroller","group":"resource","operation":"response","resource":"a/b/c"},' +
        '"content":{"k":"v"}}',
    );
  });

  it('always writes content, as null when undefined', () => {
    const message: Message = { header: { msg_id: id('x'), timestamp: 0 }, route: {}, content: undefined };
    assert.equal(encodeMessage(message), '{"header":{"msg_id":"x","timestamp":0},"route":{},"content":null}');
  });

  const roundTrips: Message[] = [
    {
      header: { msg_id: id('6f1c'), timestamp: 1732400000123, resourceversion: '48213' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'insert',
        resource: 'default/pod/nginx',
      },
      content: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' } },
    },
    {
      header: { msg_id: id('a'), parent_msg_id: id('b'), timestamp: -1, sync: true, type: 'channel' },
      route: { destination: 'x', operation: 'patch', resource: 'null/nodepatch/n' },
      content: '{"status":{}}',
    },
    { header: { msg_id: id('z'), timestamp: 0 }, route: {}, content: [1, 'two', null, false] },
  ];
  roundTrips.forEach((message, index) => {
    it(`round-trips message ${index} through decodeFrame`, () => {
      assert.deepEqual(decodeOk(encodeMessage(message)), message);
    });
  });
});

describe('decodeFrame: accepted frames', () => {
  it('decodes a real keepalive with its trailing newline, from a string or a Buffer', () => {
    const expected: Message = {
      header: { msg_id: id('k1'), timestamp: 1732400000000 },
      route: { source: 'websocket', group: 'resource', operation: 'keepalive', resource: 'node' },
      content: 'ping',
    };
    assert.deepEqual(decodeOk(keepaliveFrame), expected);
    assert.deepEqual(decodeOk(Buffer.from(keepaliveFrame)), expected);
    assert.deepEqual(decodeOk(new TextEncoder().encode(keepaliveFrame)), expected);
  });

  it('drops empty optional fields and nulls, as Go would re-encode them', () => {
    const message = decodeOk(
      '{"header":{"msg_id":"m","parent_msg_id":"","timestamp":1,"resourceversion":null,"sync":false,"type":""},' +
        '"route":{"source":"","group":null,"operation":"query","resource":"default/configmap/c"}}',
    );
    assert.deepEqual(message, {
      header: { msg_id: 'm', timestamp: 1 },
      route: { operation: 'query', resource: 'default/configmap/c' },
      content: null,
    });
  });

  it('ignores unknown keys and keeps only the known ones', () => {
    const message = decodeOk(
      '{"header":{"msg_id":"m","timestamp":1,"extra":1},"route":{"x":"y"},"content":{"a":1},"router":{}}',
    );
    assert.deepEqual(Object.keys(message), ['header', 'route', 'content']);
    assert.deepEqual(Object.keys(message.header), ['msg_id', 'timestamp']);
    assert.deepEqual(message.route, {});
  });

  it('keeps content unvalidated, including deep and odd values', () => {
    const deep = JSON.stringify({ a: [{ b: { c: [1, 2, { d: null }] } }] });
    const message = decodeOk(`{"header":{"msg_id":"m","timestamp":1},"route":{},"content":${deep}}`);
    assert.deepEqual(message.content, JSON.parse(deep));
  });

  it('does not pollute prototypes with __proto__ keys anywhere in the frame', () => {
    const frame =
      '{"__proto__":{"polluted":1},"header":{"msg_id":"m","timestamp":1,"__proto__":{"polluted":2}},' +
      '"route":{"__proto__":{"operation":"insert"}},"content":{"__proto__":{"polluted":3},"constructor":{"prototype":{"polluted":4}}}}';
    const message = decodeOk(frame);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(message), Object.prototype);
    assert.equal(message.route.operation, undefined);
    assert.equal(Object.hasOwn(message.content as object, '__proto__'), true);
  });
});

describe('decodeFrame: rejected frames', () => {
  const table: [string, string, FrameErrorReason][] = [
    ['empty string', '', 'not_json'],
    ['plain text', 'hello', 'not_json'],
    ['truncated JSON', '{"header":{"msg_id":"m"', 'not_json'],
    ['BOM before JSON', '\uFEFF{}', 'not_json'],
    ['null', 'null', 'bad_shape'],
    ['number', '42', 'bad_shape'],
    ['string', '"x"', 'bad_shape'],
    ['array', '[{"header":{"msg_id":"m","timestamp":1},"route":{}}]', 'bad_shape'],
    ['empty object', '{}', 'bad_shape'],
    ['missing route', '{"header":{"msg_id":"m","timestamp":1}}', 'bad_shape'],
    ['null route', '{"header":{"msg_id":"m","timestamp":1},"route":null}', 'bad_shape'],
    ['array route', '{"header":{"msg_id":"m","timestamp":1},"route":[]}', 'bad_shape'],
    ['missing msg_id', '{"header":{"timestamp":1},"route":{}}', 'bad_shape'],
    ['empty msg_id', '{"header":{"msg_id":"","timestamp":1},"route":{}}', 'bad_shape'],
    ['numeric msg_id', '{"header":{"msg_id":7,"timestamp":1},"route":{}}', 'bad_shape'],
    ['missing timestamp', '{"header":{"msg_id":"m"},"route":{}}', 'bad_shape'],
    ['string timestamp', '{"header":{"msg_id":"m","timestamp":"1"},"route":{}}', 'bad_shape'],
    ['fractional timestamp', '{"header":{"msg_id":"m","timestamp":1.5},"route":{}}', 'bad_shape'],
    ['non-bool sync', '{"header":{"msg_id":"m","timestamp":1,"sync":"true"},"route":{}}', 'bad_shape'],
    [
      'numeric resourceversion',
      '{"header":{"msg_id":"m","timestamp":1,"resourceversion":5},"route":{}}',
      'bad_shape',
    ],
    ['numeric operation', '{"header":{"msg_id":"m","timestamp":1},"route":{"operation":1}}', 'bad_shape'],
    ['object resource', '{"header":{"msg_id":"m","timestamp":1},"route":{"resource":{}}}', 'bad_shape'],
    ['array header', '{"header":[],"route":{}}', 'bad_shape'],
  ];
  for (const [name, frame, reason] of table) {
    it(`rejects ${name} as ${reason}`, () => {
      assert.equal(reasonOf(decodeFrame(frame, limits)), reason);
    });
  }

  it('names the failing field in the detail, without frame content', () => {
    const result = decodeFrame('{"header":{"msg_id":"secret-value","timestamp":"x"},"route":{}}', limits);
    assert.equal(result.ok, false);
    assert.match(result.error.detail, /header\.timestamp/);
    assert.doesNotMatch(result.error.detail, /secret-value/);
  });
});

describe('decodeFrame: size limit', () => {
  const max = 100;
  const fitting = (n: number): string => `"${'a'.repeat(n - 2)}"`;

  const table: [string, Uint8Array | string, FrameErrorReason][] = [
    ['a string of exactly max bytes', fitting(max), 'bad_shape'],
    ['a string one byte over', fitting(max + 1), 'too_large'],
    ['a Buffer of exactly max bytes', Buffer.from(fitting(max)), 'bad_shape'],
    ['a Buffer one byte over', Buffer.from(fitting(max + 1)), 'too_large'],
    ['a string of few characters but too many UTF-8 bytes', `"${'€'.repeat(40)}"`, 'too_large'],
    ['a string of multi-byte characters that fits', `"${'€'.repeat(32)}"`, 'bad_shape'],
  ];
  for (const [name, data, reason] of table) {
    it(`classifies ${name} as ${reason}`, () => {
      assert.equal(reasonOf(decodeFrame(data, { maxFrameBytes: max })), reason);
    });
  }

  it('refuses a huge frame before parsing it', () => {
    const huge = `{"header":{"msg_id":"m","timestamp":1},"route":{},"content":"${'x'.repeat(8 * 1024 * 1024)}"}`;
    const result = decodeFrame(huge, { maxFrameBytes: 1024 * 1024 });
    assert.equal(reasonOf(result), 'too_large');
    assert.equal(reasonOf(decodeFrame(Buffer.from(huge), { maxFrameBytes: 1024 * 1024 })), 'too_large');
  });
});

describe('decodeFrame: fuzz (never throws)', () => {
  // mulberry32: a small deterministic PRNG, so a failure reproduces.
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function randomValue(next: () => number, depth: number): unknown {
    const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
    switch (pick) {
      case 0:
        return null;
      case 1:
        return next() < 0.5;
      case 2:
        return Math.floor(next() * 2e12) - 1e12;
      case 3:
        return next() * 10;
      case 4:
        return ['', 'OK', '__proto__', 'constructor', 'msg_id', '\u0000', '€'][Math.floor(next() * 7)];
      case 5:
        return 'x'.repeat(Math.floor(next() * 50));
      case 6:
        return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
      default: {
        const keys = [
          'header',
          'route',
          'content',
          'msg_id',
          'timestamp',
          'operation',
          '__proto__',
          'sync',
          'x',
        ];
        const object: Record<string, unknown> = {};
        for (let i = Math.floor(next() * 5); i > 0; i--) {
          Object.defineProperty(object, keys[Math.floor(next() * keys.length)] ?? 'x', {
            value: randomValue(next, depth + 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        }
        return object;
      }
    }
  }

  function assertWellFormed(result: DecodeResult): void {
    if (result.ok) {
      assert.equal(typeof result.message.header.msg_id, 'string');
      assert.ok(Number.isInteger(result.message.header.timestamp));
      assert.equal(typeof result.message.route, 'object');
    } else {
      assert.ok(['too_large', 'not_json', 'bad_shape'].includes(result.error.reason));
      assert.equal(typeof result.error.detail, 'string');
    }
  }

  it('survives random bytes', () => {
    const next = rng(1);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
      assertWellFormed(decodeFrame(bytes, limits));
    }
  });

  it('survives random JSON values, half of them wrapped in a plausible envelope', () => {
    const next = rng(2);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const value =
        next() < 0.5
          ? randomValue(next, 0)
          : {
              header: {
                msg_id: randomValue(next, 3),
                timestamp: randomValue(next, 3),
                sync: randomValue(next, 4),
              },
              route:
                next() < 0.8
                  ? { operation: randomValue(next, 4), resource: randomValue(next, 4) }
                  : randomValue(next, 3),
              content: randomValue(next, 1),
            };
      const result = decodeFrame(JSON.stringify(value), limits);
      assertWellFormed(result);
      if (result.ok) accepted++;
    }
    assert.ok(accepted > 0, 'the generator should produce some valid envelopes');
  });

  it('survives mutations of a valid frame', () => {
    const next = rng(3);
    for (let i = 0; i < 3000; i++) {
      const chars = keepaliveFrame.split('');
      for (let j = Math.floor(next() * 4) + 1; j > 0; j--) {
        const at = Math.floor(next() * chars.length);
        const op = next();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, String.fromCharCode(Math.floor(next() * 128)));
        else chars[at] = '{}[]":,0n\\'.charAt(Math.floor(next() * 10));
      }
      assertWellFormed(decodeFrame(chars.join(''), limits));
    }
  });

  it('survives deeply nested content without throwing', () => {
    const depth = 100_000;
    const frame = `{"header":{"msg_id":"m","timestamp":1},"route":{},"content":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    assertWellFormed(decodeFrame(frame, { maxFrameBytes: 1024 * 1024 }));
  });

  it('survives a lone surrogate and NUL characters', () => {
    assertWellFormed(
      decodeFrame('{"header":{"msg_id":"\uD800","timestamp":1},"route":{},"content":"\u0000"}', limits),
    );
    assertWellFormed(decodeFrame('\uD800', limits));
  });
});
