import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SendSchedule } from './send-schedule.js';
import type { SendScheduleLimits, SendStep } from './send-schedule.js';

const limits: SendScheduleLimits = {
  sendBudgetBytes: 1_000,
  sendBatchBytes: 300,
  sendBatchMs: 5,
  sendTurnBytes: 100,
};

function describeStep(step: SendStep<string>): string {
  return step.kind === 'serve' ? `${step.lane}:${step.key}` : step.kind;
}

/** Runs one batch: serves every step, each turn writing `bytes(key)` and reporting `hasMore(key)`. */
function batch(
  schedule: SendSchedule<string>,
  bytes: (key: string) => number,
  hasMore: (key: string) => boolean = () => false,
  now = 0,
): string[] {
  const steps: string[] = [];
  schedule.beginBatch(now);
  for (;;) {
    const step = schedule.next(now);
    steps.push(describeStep(step));
    if (step.kind !== 'serve') return steps;
    const written = bytes(step.key);
    schedule.charge(written);
    schedule.served(step.key, written, hasMore(step.key));
  }
}

describe('SendSchedule', () => {
  it('serves waiting nodes in request order, once each, then is idle', () => {
    const s = new SendSchedule<string>(limits);
    for (const key of ['a', 'b', 'a', 'c']) s.request(key, 'bulk');
    assert.deepEqual(
      batch(s, () => 10),
      ['bulk:a', 'bulk:b', 'bulk:c', 'idle'],
    );
    assert.equal(s.waitingCount, 0);
  });

  it('yields once a batch wrote sendBatchBytes, and goes on in the next batch', () => {
    const s = new SendSchedule<string>(limits);
    for (const key of ['a', 'b', 'c', 'd', 'e']) s.request(key, 'bulk');
    assert.deepEqual(
      batch(s, () => 100),
      ['bulk:a', 'bulk:b', 'bulk:c', 'yield'],
    );
    assert.deepEqual(
      batch(s, () => 100),
      ['bulk:d', 'bulk:e', 'idle'],
    );
    assert.equal(s.batches, 2);
  });

  it('yields once a batch ran sendBatchMs, whatever it wrote', () => {
    const s = new SendSchedule<string>(limits);
    s.request('a', 'bulk');
    s.request('b', 'bulk');
    s.beginBatch(100);
    assert.equal(describeStep(s.next(100)), 'bulk:a');
    s.served('a', 1, false);
    assert.equal(describeStep(s.next(105)), 'yield');
    s.beginBatch(106);
    assert.equal(describeStep(s.next(106)), 'bulk:b');
  });

  it('starts no bulk turn while the bytes not yet drained are at the budget, and resumes after drains', () => {
    const s = new SendSchedule<string>({ ...limits, sendBatchBytes: 10_000 });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) s.request(key, 'bulk');
    // Each turn hands 400 bytes to a socket: the third passes the budget, and the fourth does not start.
    assert.deepEqual(
      batch(s, () => 400),
      ['bulk:a', 'bulk:b', 'bulk:c', 'over-budget'],
    );
    assert.equal(s.bufferedBytes, 1_200);
    assert.equal(s.isOverBudget, true);
    s.release(300);
    assert.deepEqual(
      batch(s, () => 0),
      ['bulk:d', 'bulk:e', 'bulk:f', 'idle'],
    );
  });

  it('serves replies before bulk, and even over the budget', () => {
    const s = new SendSchedule<string>(limits);
    s.charge(5_000);
    for (const key of ['a', 'b']) s.request(key, 'bulk');
    s.request('q', 'reply');
    assert.deepEqual(
      batch(s, () => 10),
      ['reply:q', 'over-budget'],
    );
    s.release(5_000);
    assert.deepEqual(
      batch(s, () => 10),
      ['bulk:a', 'bulk:b', 'idle'],
    );
  });

  it('lets a reply overtake a fan-out queued before it, within the next batch', () => {
    const s = new SendSchedule<string>(limits);
    for (let i = 0; i < 100; i++) s.request(`n${String(i)}`, 'bulk');
    assert.deepEqual(
      batch(s, () => 100),
      ['bulk:n0', 'bulk:n1', 'bulk:n2', 'yield'],
    );
    s.request('q', 'reply');
    assert.deepEqual(batch(s, () => 100).slice(0, 2), ['reply:q', 'bulk:n3']);
  });

  it('moves a node with more to send to the back of the bulk lane (round robin)', () => {
    const s = new SendSchedule<string>({ ...limits, sendBatchBytes: 10_000 });
    let left = 2;
    s.request('big', 'bulk');
    s.request('small', 'bulk');
    assert.deepEqual(
      batch(
        s,
        () => 100,
        (key) => key === 'big' && --left > 0,
      ),
      ['bulk:big', 'bulk:small', 'bulk:big', 'idle'],
    );
  });

  it('moves a bulk node to the reply lane when a reply comes for it, and serves it once', () => {
    const s = new SendSchedule<string>(limits);
    s.request('a', 'bulk');
    s.request('b', 'bulk');
    s.request('b', 'reply');
    s.request('b', 'bulk'); // stays in the reply lane
    assert.deepEqual(
      batch(s, () => 10),
      ['reply:b', 'bulk:a', 'idle'],
    );
  });

  it('does not serve a cancelled node', () => {
    const s = new SendSchedule<string>(limits);
    s.request('a', 'bulk');
    s.request('b', 'reply');
    s.cancel('a');
    s.cancel('b');
    assert.deepEqual(
      batch(s, () => 10),
      ['idle'],
    );
    s.request('a', 'bulk');
    assert.deepEqual(
      batch(s, () => 10),
      ['bulk:a', 'idle'],
    );
  });

  it('never lets the drained count go below zero', () => {
    const s = new SendSchedule<string>(limits);
    s.charge(10);
    s.release(25);
    assert.equal(s.bufferedBytes, 0);
  });
});
