import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionState } from './session-state.js';

const limits = { keepaliveTimeoutMs: 30_000, maxBadFrames: 3, badFrameWindowMs: 10_000 };

describe('SessionState', () => {
  it('expires when no keepalive arrives within the timeout, and a keepalive extends it', () => {
    const s = new SessionState(limits, 0);
    assert.equal(s.isExpired(29_999), false);
    s.onKeepalive(20_000);
    assert.equal(s.isExpired(30_000), false);
    assert.equal(s.isExpired(50_000), true);
  });

  it('disconnects only when malformed frames cluster within the window', () => {
    const s = new SessionState(limits, 0);
    assert.equal(s.onBadFrame(0).disconnect, false);
    assert.equal(s.onBadFrame(5_000).disconnect, false);
    assert.equal(s.onBadFrame(20_000).disconnect, false, 'the first two fell out of the window');
    assert.equal(s.onBadFrame(21_000).disconnect, false);
    assert.deepEqual(s.onBadFrame(22_000), { disconnect: true, count: 3 });
  });
});
