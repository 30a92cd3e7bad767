import assert from 'node:assert/strict';
import { createServer } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { HandshakeGuard } from './handshake-guard-worker.js';
import { HandshakePacer } from './handshake-pacing.js';

describe('HandshakePacer', () => {
  const options = { maxSlots: 256, minSlots: 16, targetLagMs: 50 };

  it('starts with every slot', () => {
    assert.equal(new HandshakePacer(options).slots, 256);
  });

  it('halves the slots per late sample, never below the floor', () => {
    const pacer = new HandshakePacer(options);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => pacer.observe(51)),
      [128, 64, 32, 16, 16],
    );
  });

  it('adds a sixteenth of the most per sample on time, up to the most', () => {
    const pacer = new HandshakePacer(options);
    for (let i = 0; i < 4; i++) pacer.observe(500);
    assert.equal(pacer.slots, 16);
    assert.equal(pacer.observe(50), 32, 'a sample at the target is on time');
    for (let i = 0; i < 20; i++) pacer.observe(0);
    assert.equal(pacer.slots, 256);
  });

  it('refuses a floor above the most, or below one', () => {
    assert.throws(() => new HandshakePacer({ ...options, minSlots: 300 }), RangeError);
    assert.throws(() => new HandshakePacer({ ...options, minSlots: 0 }), RangeError);
  });
});

describe('HandshakeGuard pacing', () => {
  it('cuts its slots while the event loop is held, and gives them back once it runs on time', async () => {
    const seen: number[] = [];
    const guard = new HandshakeGuard({
      handshakeTimeoutMs: 1_000,
      maxPending: 64,
      pacing: { minPending: 4, targetLagMs: 100, sampleMs: 10, onSlots: (slots) => seen.push(slots) },
      onRefused: () => undefined,
    });
    await guard.listen(createServer(), { host: '127.0.0.1', port: 0, backlog: 16 });
    // A function, not the getter: an assertion on the getter would narrow its type for the later reads.
    const slots = (): number => guard.slots;
    try {
      assert.equal(slots(), 64);
      // Hold the loop as 256 handshakes in one turn would: the next sample is ~300 ms late.
      const until = performance.now() + 300;
      while (performance.now() < until);
      await delay(15);
      assert.ok(slots() <= 32, `slots ${String(slots())} after a held loop`);
      assert.equal(seen[0], 32, 'the change was reported');
      for (let i = 0; i < 1_000 && slots() < 64; i++) await delay(10);
      assert.equal(slots(), 64, 'back to every slot on time');
    } finally {
      guard.close();
    }
  });
});
