import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IssuanceGate } from './issuance-gate-worker.js';
import type { GateResult, IssuanceSlot } from './issuance-gate-worker.js';

function slotOf(result: GateResult): IssuanceSlot {
  assert.equal(result.kind, 'granted');
  return result.slot;
}

describe('IssuanceGate', () => {
  it('grants up to maxConcurrent at once, then queues in arrival order', async () => {
    const gate = new IssuanceGate({ maxConcurrent: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const a = slotOf(await gate.acquire());
    const b = slotOf(await gate.acquire());
    const order: string[] = [];
    const c = gate.acquire().then((r) => (order.push('c'), r));
    const d = gate.acquire().then((r) => (order.push('d'), r));
    assert.equal(gate.running, 2);
    assert.equal(gate.queued, 2);
    a.release();
    a.release(); // a second release is ignored: it must not grant a third slot
    const cSlot = slotOf(await c);
    assert.deepEqual(order, ['c']);
    assert.equal(gate.running, 2);
    b.release();
    slotOf(await d);
    assert.deepEqual(order, ['c', 'd']);
    cSlot.release();
    assert.equal(gate.running, 1);
    assert.equal(gate.queued, 0);
  });

  it('refuses at once when the queue is full, with a Retry-After of at least 1 s', async () => {
    const gate = new IssuanceGate({ maxConcurrent: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const held = slotOf(await gate.acquire());
    const queued = gate.acquire();
    const refused = await gate.acquire();
    if (refused.kind !== 'refused') assert.fail('the third request must be refused');
    assert.equal(refused.reason, 'queue_full');
    assert.ok(refused.retryAfterSeconds >= 1);
    held.release();
    slotOf(await queued).release();
  });

  it('refuses a request that waited past maxWaitMs and takes it out of the queue', async () => {
    const gate = new IssuanceGate({ maxConcurrent: 1, maxQueued: 5, maxWaitMs: 20 });
    const held = slotOf(await gate.acquire());
    const late = await gate.acquire();
    assert.equal(late.kind === 'refused' && late.reason, 'queue_timeout');
    assert.equal(gate.queued, 0);
    held.release();
    assert.equal(gate.running, 0);
  });

  it('takes a request whose client went away out of the queue; its turn goes to the next', async () => {
    const gate = new IssuanceGate({ maxConcurrent: 1, maxQueued: 5, maxWaitMs: 60_000 });
    const held = slotOf(await gate.acquire());
    const gone = new AbortController();
    const first = gate.acquire(gone.signal);
    const second = gate.acquire();
    gone.abort();
    assert.equal((await first).kind, 'refused');
    assert.equal(gate.queued, 1);
    held.release();
    slotOf(await second).release();
    assert.equal(gate.running, 0);
  });

  it('refuses everything waiting when closed', async () => {
    const gate = new IssuanceGate({ maxConcurrent: 1, maxQueued: 5, maxWaitMs: 60_000 });
    slotOf(await gate.acquire());
    const waiting = gate.acquire();
    gate.close();
    assert.equal((await waiting).kind, 'refused');
    assert.equal(gate.queued, 0);
  });
});
