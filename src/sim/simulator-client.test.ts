import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Simulator, simulatorDefaults } from './simulator-client.js';

const base = { server: '127.0.0.1:1', httpServer: 'https://127.0.0.1:1', token: 'a.b.c.d' };

describe('Simulator', () => {
  it('names nodes <prefix>-<i> in start order', () => {
    assert.deepEqual(new Simulator({ ...base, nodes: 3, prefix: 'x' }).nodeNames, ['x-0', 'x-1', 'x-2']);
    assert.equal(new Simulator({ ...base, nodes: 1 }).nodeNames[0], `${simulatorDefaults.prefix}-0`);
  });

  it('counts nothing before start and knows no node before it joined', () => {
    const sim = new Simulator({ ...base, nodes: 2 });
    assert.deepEqual(sim.counts(), {
      nodes: 2,
      connected: 0,
      registered: 0,
      podsRunning: 0,
      messagesIn: 0,
      messagesOut: 0,
      failures: 0,
    });
    assert.equal(sim.node('sim-edge-0'), undefined);
    assert.throws(() => {
      sim.cut('sim-edge-0');
    }, /no started node/);
  });

  const invalid: [string, object, RegExp][] = [
    ['zero nodes', { nodes: 0 }, /nodes must be an integer/],
    ['fractional nodes', { nodes: 1.5 }, /nodes must be an integer/],
    ['zero ramp', { nodes: 1, rampNodesPerSecond: 0 }, /rampNodesPerSecond/],
    ['zero lease period', { nodes: 1, leasePeriodMs: 0 }, /leasePeriodMs/],
    ['infinite status period', { nodes: 1, statusPeriodMs: Infinity }, /statusPeriodMs/],
  ];
  for (const [what, options, message] of invalid) {
    it(`rejects ${what} at construction, naming the field`, () => {
      assert.throws(() => new Simulator({ ...base, nodes: 1, ...options }), message);
    });
  }

  it('accepts an infinite ramp (all nodes at once, a storm on purpose)', () => {
    assert.doesNotThrow(() => new Simulator({ ...base, nodes: 1, rampNodesPerSecond: Infinity }));
  });
});
