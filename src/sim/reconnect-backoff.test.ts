import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realEdgeReconnect, reconnectBackoffDefaults, redialDelayMs } from './reconnect-backoff.js';
import type { ReconnectPolicy } from './reconnect-backoff.js';

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
