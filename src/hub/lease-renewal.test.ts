import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { planLeaseRenewals } from './lease-renewal.js';
import type { SessionSnapshot } from './lease-renewal.js';

const now = 1_700_000_000_000;

function session(node: string, overrides: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return { node: node as NodeName, isOpen: true, keepaliveDeadline: now + 30_000, ...overrides };
}

describe('planLeaseRenewals', () => {
  const cases: [string, SessionSnapshot[], string[]][] = [
    ['no sessions: nothing to renew', [], []],
    ['an open, live session: its node is renewed', [session('edge-a')], ['edge-a']],
    [
      'a closed session: never renewed (the node is not connected)',
      [session('edge-a', { isOpen: false })],
      [],
    ],
    [
      'a session past its keepalive deadline: not renewed (it was not alive a moment ago)',
      [session('edge-a', { keepaliveDeadline: now })],
      [],
    ],
    [
      'a node with a closed and an open session (replaced): renewed once',
      [session('edge-a', { isOpen: false }), session('edge-a')],
      ['edge-a'],
    ],
    [
      'several nodes: each live one once, sorted, the dead left out',
      [session('edge-c'), session('edge-a'), session('edge-b', { keepaliveDeadline: now - 1 })],
      ['edge-a', 'edge-c'],
    ],
  ];
  for (const [name, sessions, expected] of cases) {
    it(name, () => {
      const plan = planLeaseRenewals(sessions, now);
      assert.deepEqual(
        plan.map((r) => r.node),
        expected,
      );
      assert.ok(
        plan.every((r) => r.renewTimeMs === now),
        'every renewal is stamped with now',
      );
    });
  }
});
