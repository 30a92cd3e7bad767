import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEdgeControllerError } from '../errors/index.js';
import { nodeQueueDefaults, resolveNodeQueueOptions } from './queue-options.js';
import type { NodeQueueOptions } from './queue-options.js';

const newId = (): string => 'x';

describe('resolveNodeQueueOptions', () => {
  it('applies the frozen defaults', () => {
    const resolved = resolveNodeQueueOptions({ newId });
    assert.equal(resolved.windowSize, 64);
    assert.equal(resolved.ackTimeoutMs, 5_000);
    assert.equal(resolved.maxAckTimeoutMs, 60_000);
    assert.equal(resolved.maxPendingNoAck, 10_000);
    assert.equal(resolved.maxRecognizedIds, 1024);
    assert.equal(resolved.recognizedIdTtlMs, 60_000);
    assert.equal(resolved.newId, newId);
    assert.ok(Object.isFrozen(nodeQueueDefaults));
    assert.ok(Object.isFrozen(resolved));
  });

  it('keeps explicit values', () => {
    const resolved = resolveNodeQueueOptions({ newId, windowSize: 1, ackTimeoutMs: 10, maxAckTimeoutMs: 10 });
    assert.equal(resolved.windowSize, 1);
    assert.equal(resolved.maxAckTimeoutMs, 10);
  });

  const invalid: [name: string, options: NodeQueueOptions, field: RegExp][] = [
    [
      'windowSize 0',
      { newId, windowSize: 0 },
      /windowSize must be an integer >= 1 \(got 0\); set it to at least 1/,
    ],
    ['windowSize 1.5', { newId, windowSize: 1.5 }, /windowSize/],
    ['ackTimeoutMs 0', { newId, ackTimeoutMs: 0 }, /ackTimeoutMs must be a finite number of ms > 0/],
    ['ackTimeoutMs NaN', { newId, ackTimeoutMs: Number.NaN }, /ackTimeoutMs/],
    ['maxAckTimeoutMs Infinity', { newId, maxAckTimeoutMs: Infinity }, /maxAckTimeoutMs/],
    [
      'maxAckTimeoutMs below ackTimeoutMs',
      { newId, ackTimeoutMs: 1_000, maxAckTimeoutMs: 500 },
      /maxAckTimeoutMs \(500\) must be at least ackTimeoutMs \(1000\)/,
    ],
    ['maxPendingNoAck 0', { newId, maxPendingNoAck: 0 }, /maxPendingNoAck/],
    ['maxRecognizedIds 0', { newId, maxRecognizedIds: 0 }, /maxRecognizedIds must be an integer >= 1/],
    ['recognizedIdTtlMs -1', { newId, recognizedIdTtlMs: -1 }, /recognizedIdTtlMs must be a finite/],
    ['newId missing', { newId: undefined } as unknown as NodeQueueOptions, /newId must be a function/],
  ];
  for (const [name, options, message] of invalid) {
    it(`rejects ${name} with EC_CONFIG_INVALID naming the field and the fix`, () => {
      assert.throws(
        () => resolveNodeQueueOptions(options),
        (err: unknown) => isEdgeControllerError(err, 'EC_CONFIG_INVALID') && message.test(err.message),
      );
    });
  }
});
