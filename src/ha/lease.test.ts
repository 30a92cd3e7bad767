import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaseLiveness, decideLeader, microTime, replicaLeaseBody } from './lease.js';
import type { LeaseObject } from './lease.js';

const lease = (name: string, holder: string, renew: string, rv = '1', duration = 10): LeaseObject => ({
  metadata: { name, resourceVersion: rv },
  spec: { holderIdentity: holder, renewTime: renew, leaseDurationSeconds: duration },
});

describe('microTime', () => {
  it('has six fractional digits, as metav1.MicroTime', () => {
    assert.equal(microTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
  });
});

describe('replicaLeaseBody', () => {
  it('carries the holder, the duration, our label and the precondition when given', () => {
    const body = replicaLeaseBody({
      name: 'edge-controller-a',
      namespace: 'kubeedge',
      identity: 'a',
      durationSeconds: 10,
      now: new Date(0),
      resourceVersion: '7',
    });
    assert.deepEqual([body.spec?.holderIdentity, body.spec?.leaseDurationSeconds], ['a', 10]);
    assert.equal(body.metadata.resourceVersion, '7');
    assert.equal(body.metadata.labels?.['edgecontroller.kubeedge.io/replica'], 'true');
  });
});

describe('LeaseLiveness', () => {
  it('judges by when a change was seen on our clock, not by the holder’s renewTime', () => {
    const live = new LeaseLiveness();
    // A renewTime far in the past (a skewed clock) still counts from when we saw it.
    live.observe(lease('l-a', 'a', '2000-01-01T00:00:00.000000Z'), 1_000, 10);
    assert.ok(live.isLive('a', 10_999));
    assert.ok(!live.isLive('a', 11_000), 'one duration without a change: dead');
    // The same object seen again (a relist) is not a renewal.
    live.observe(lease('l-a', 'a', '2000-01-01T00:00:00.000000Z'), 10_500, 10);
    assert.ok(!live.isLive('a', 11_000));
    live.observe(lease('l-a', 'a', '2000-01-01T00:00:03.000000Z', '2'), 10_600, 10);
    assert.ok(live.isLive('a', 20_000));
    assert.deepEqual(live.liveHolders(20_000), ['a']);
  });
  it('forgets a deleted Lease at once (a clean stop)', () => {
    const live = new LeaseLiveness();
    live.observe(lease('l-b', 'b', 't'), 0, 10);
    live.forget('l-b');
    assert.ok(!live.isLive('b', 1));
  });
});

describe('decideLeader', () => {
  const base = { me: 'a', nowMs: 100_000, defaultDurationSeconds: 10 };
  it('acquires an absent or unheld Lease', () => {
    assert.equal(decideLeader({ ...base, lease: undefined, observedAtMs: undefined }).kind, 'acquire');
    assert.equal(decideLeader({ ...base, lease: lease('x', '', 't'), observedAtMs: 0 }).kind, 'acquire');
  });
  it('renews its own, follows a live holder, takes over an expired one', () => {
    assert.equal(decideLeader({ ...base, lease: lease('x', 'a', 't'), observedAtMs: 0 }).kind, 'renew');
    assert.deepEqual(decideLeader({ ...base, lease: lease('x', 'b', 't'), observedAtMs: 95_000 }), {
      kind: 'follow',
      holder: 'b',
    });
    assert.equal(
      decideLeader({ ...base, lease: lease('x', 'b', 't'), observedAtMs: 90_000 }).kind,
      'acquire',
    );
  });
});
