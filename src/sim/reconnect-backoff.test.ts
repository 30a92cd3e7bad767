import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  realEdgeReconnect,
  reconnectBackoffDefaults,
  reconnectDelayMs,
  redialDelayMs,
} from './reconnect-backoff.js';
import type { ReconnectPolicy } from './reconnect-backoff.js';

describe('reconnectDelayMs (full jitter)', () => {
  const b = { initialDelayMs: 1000, maxDelayMs: 30_000 };
  const table: [string, number, number, number][] = [
    ['first retry, top of the range', 0, 0.999, 999],
    ['first retry, bottom of the range', 0, 0, 0],
    ['cap doubles per attempt', 3, 0.5, 4000],
    ['cap stops at maxDelayMs', 10, 0.999, 29_970],
    ['huge attempt counts do not overflow', 10_000, 0.5, 15_000],
    ['negative attempt is treated as 0', -4, 0.5, 500],
    ['random above 1 is clamped', 0, 7, 1000],
  ];
  for (const [name, attempt, random, expected] of table) {
    it(name, () => {
      assert.equal(reconnectDelayMs(attempt, random, b), expected);
    });
  }
  it('spreads 1,000 nodes cut at once over the window instead of KubeEdge fixed 30 s', () => {
    const delays = Array.from({ length: 1000 }, (_, i) =>
      reconnectDelayMs(0, i / 1000, reconnectBackoffDefaults),
    );
    assert.equal(new Set(delays).size, 1000);
    assert.ok(Math.max(...delays) < reconnectBackoffDefaults.initialDelayMs);
  });
});

describe('redialDelayMs', () => {
  const jittered = { kind: 'jittered' as const, ...reconnectBackoffDefaults };
  const dials = (policy: ReconnectPolicy, since: 'start' | 'loss', n: number): number[] =>
    Array.from({ length: n }, (_, i) => redialDelayMs(policy, { dials: i, since, random: 0.5 }));

  it('real edge: waits a fixed 30 s after a loss, then dials 5 times 5 s apart, 30 s between rounds', () => {
    // edge/pkg/edgehub/edgehub.go Start (2 × heartbeat) and clients/wsclient/websocket.go Init.
    assert.deepEqual(
      dials(realEdgeReconnect, 'loss', 7),
      [30_000, 5_000, 5_000, 5_000, 5_000, 35_000, 5_000],
    );
  });
  it('real edge: the first dial after a start is immediate', () => {
    assert.deepEqual(dials(realEdgeReconnect, 'start', 3), [0, 5_000, 5_000]);
  });
  it('real edge: the wait is the same for every node (no jitter)', () => {
    const at = (random: number): number =>
      redialDelayMs(realEdgeReconnect, { dials: 0, since: 'loss', random });
    assert.equal(at(0), at(0.99));
  });
  it('jittered: keeps the full-jitter delays, the first redial after a loss within initialDelayMs', () => {
    assert.deepEqual(dials(jittered, 'loss', 3), [500, 1_000, 2_000]);
    assert.deepEqual(dials(jittered, 'start', 3), [0, 500, 1_000]);
  });
});
