import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffenderPenalty, offenderPenaltyDefaults } from './offender-penalty.js';

describe('OffenderPenalty', () => {
  it('refuses a repeat offender twice as long each time, capped at 5 minutes', () => {
    const penalty = new OffenderPenalty(offenderPenaltyDefaults);
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 12; i++) {
      const delay = penalty.offend('edge-1', now);
      delays.push(delay);
      assert.equal(penalty.refusedForMs('edge-1', now), delay);
      now += delay; // reconnects as soon as allowed, and offends again
    }
    assert.deepEqual(
      delays,
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000),
    );
  });

  it('lets a node in once its refusal is over, and never refuses a clean node', () => {
    const penalty = new OffenderPenalty(offenderPenaltyDefaults);
    assert.equal(penalty.refusedForMs('clean', 0), 0);
    penalty.offend('edge-1', 10_000);
    assert.equal(penalty.refusedForMs('edge-1', 10_500), 500);
    assert.equal(penalty.refusedForMs('edge-1', 11_000), 0);
    assert.equal(penalty.refusedForMs('other', 10_500), 0, 'one node’s offence never refuses another');
  });

  it('forgets an offender that stayed clean after its refusal', () => {
    const penalty = new OffenderPenalty({ baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 });
    penalty.offend('edge-1', 0);
    penalty.offend('edge-1', 1000);
    assert.equal(penalty.offences('edge-1', 2000), 2);
    assert.equal(penalty.offences('edge-1', 3000 + 60_000), 0, 'forgotten: the state expires');
    assert.equal(penalty.offend('edge-1', 3000 + 60_000), 1000, 'starts again from the first delay');
  });

  it('sweeps expired records so the table stays bounded under many names', () => {
    const penalty = new OffenderPenalty({ baseDelayMs: 10, maxDelayMs: 10, forgetAfterMs: 100 });
    for (let i = 0; i < 5000; i++) penalty.offend(`n${String(i)}`, i * 10);
    assert.ok(penalty.size <= 1100, `held ${String(penalty.size)} records`);
  });
});
