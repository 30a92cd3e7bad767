import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefusalWarnings } from './refusal-warnings.js';

describe('RefusalWarnings', () => {
  it('admits one line per node and kind per interval, then reports how many were held back', () => {
    const warnings = new RefusalWarnings({ intervalMs: 10_000 });
    assert.deepEqual(warnings.admit('a', 'forbid', 0), { admit: true, suppressed: 0 });
    for (let i = 1; i <= 99; i += 1) assert.equal(warnings.admit('a', 'forbid', i).admit, false);
    assert.equal(warnings.admit('a', 'invalid', 100).admit, true, 'another kind has its own budget');
    assert.equal(warnings.admit('b', 'forbid', 100).admit, true, 'another node has its own budget');
    assert.deepEqual(warnings.admit('a', 'forbid', 10_000), { admit: true, suppressed: 99 });
  });

  it('remembers at most maxNodes nodes, forgetting the least recently warned', () => {
    const warnings = new RefusalWarnings({ intervalMs: 10_000, maxNodes: 2 });
    warnings.admit('a', 'k', 0);
    warnings.admit('b', 'k', 0);
    warnings.admit('a', 'k', 1);
    warnings.admit('c', 'k', 2);
    assert.equal(warnings.admit('a', 'k', 3).admit, false, 'a was used recently and is kept');
    assert.equal(warnings.admit('b', 'k', 3).admit, true, 'b was forgotten');
  });
});
