import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from './demo-status.js';

const sample = (elapsedMs: number, extra: Partial<Parameters<typeof summarize>[0]> = {}) => ({
  elapsedMs,
  nodesJoined: 0,
  nodesReady: 0,
  podsRunning: 0,
  messagesIn: 0,
  messagesOut: 0,
  ackSumSeconds: 0,
  ackCount: 0,
  ...extra,
});

describe('summarize', () => {
  it('shows no rates on the first sample', () => {
    assert.equal(
      summarize(sample(1000, { nodesJoined: 3, nodesReady: 2 }), undefined, 50, 200),
      '[  1s] nodes 3/50 joined, 2 Ready | pods 0/200 Running | msgs/s in - out - | ACK avg - ms',
    );
  });

  it('computes rates and the average ACK latency over the interval', () => {
    const before = sample(1000, { messagesIn: 100, messagesOut: 50, ackSumSeconds: 1, ackCount: 100 });
    const after = sample(3000, {
      messagesIn: 300,
      messagesOut: 250,
      ackSumSeconds: 1.5,
      ackCount: 200,
      podsRunning: 40,
    });
    assert.equal(
      summarize(after, before, 50, 200),
      '[  3s] nodes 0/50 joined, 0 Ready | pods 40/200 Running | msgs/s in 100 out 100 | ACK avg 5.0 ms',
    );
  });
});
