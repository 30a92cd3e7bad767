import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isCsiOperation,
  isOperation,
  isReservedOperation,
  isTaskManagerOperation,
  isUpstreamOperation,
  operations,
  pushOperations,
  reservedOperations,
  upstreamOperations,
} from './operations.js';

describe('operation names', () => {
  it('lists every name of spec §2.3 once', () => {
    assert.equal(new Set(operations).size, operations.length);
    assert.equal(operations.length, 24);
  });

  it('never uses a reserved name for a push or an upstream request (the viaduct layer would eat it)', () => {
    for (const op of [...pushOperations, ...upstreamOperations]) {
      assert.equal(isReservedOperation(op), false, op);
    }
  });

  const table: [
    string,
    { known: boolean; reserved: boolean; csi: boolean; task: boolean; upstream: boolean },
  ][] = [
    ['insert', { known: true, reserved: false, csi: false, task: false, upstream: true }],
    ['query', { known: true, reserved: false, csi: false, task: false, upstream: true }],
    ['response', { known: true, reserved: false, csi: false, task: false, upstream: false }],
    ['keepalive', { known: true, reserved: false, csi: false, task: false, upstream: false }],
    ['ping', { known: true, reserved: true, csi: false, task: false, upstream: false }],
    ['pong', { known: true, reserved: true, csi: false, task: false, upstream: false }],
    ['config', { known: true, reserved: true, csi: false, task: false, upstream: false }],
    ['createvolume', { known: true, reserved: false, csi: true, task: false, upstream: false }],
    ['UpdateNodeActionStatus', { known: true, reserved: false, csi: false, task: true, upstream: false }],
    ['prepull', { known: true, reserved: false, csi: false, task: true, upstream: false }],
    ['Ping', { known: false, reserved: false, csi: false, task: false, upstream: false }],
    ['', { known: false, reserved: false, csi: false, task: false, upstream: false }],
    ['toString', { known: false, reserved: false, csi: false, task: false, upstream: false }],
  ];
  for (const [op, expected] of table) {
    it(`classifies ${JSON.stringify(op)}`, () => {
      assert.deepEqual(
        {
          known: isOperation(op),
          reserved: isReservedOperation(op),
          csi: isCsiOperation(op),
          task: isTaskManagerOperation(op),
          upstream: isUpstreamOperation(op),
        },
        expected,
      );
    });
  }

  it('reserves exactly config, ping and pong', () => {
    assert.deepEqual([...reservedOperations].sort(), ['config', 'ping', 'pong']);
  });
});
