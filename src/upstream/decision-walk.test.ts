import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from './api-outcome.js';
import { callApi, done, reply } from './decision.js';
import { walkDecision } from './decision-walk.js';

describe('walkDecision', () => {
  it('sends the emissions riding on a call before making it, then follows next with the outcome and time', () => {
    const order: string[] = [];
    const decision = callApi(
      { verb: 'get', target: { resource: 'nodes', name: 'n' }, servedFromCache: true, asNode: true },
      (outcome, now) => done([reply({ ok: outcome.ok, now })]),
      [reply('first')],
    );
    const result = walkDecision(decision, {
      respond: (call) => {
        order.push(`call ${call.verb}`);
        return succeeded({});
      },
      now: () => 42,
    });
    assert.deepEqual(
      result.emissions.map((e) => e.content),
      ['first', { ok: true, now: 42 }],
    );
    assert.equal(result.calls.length, 1);
    assert.deepEqual(order, ['call get']);
    assert.equal(result.terminals[0]?.action, 'done');
  });

  it('stops an endless decision', () => {
    const endless = (): ReturnType<typeof callApi> =>
      callApi(
        { verb: 'get', target: { resource: 'nodes', name: 'n' }, servedFromCache: true, asNode: true },
        endless,
      );
    assert.throws(() => walkDecision(endless(), { respond: () => succeeded({}), maxCalls: 5 }), RangeError);
  });
});
