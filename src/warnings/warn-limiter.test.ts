import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WarnLimiter } from './warn-limiter.js';

describe('WarnLimiter', () => {
  it('admits one warning per kind per interval and reports how many it held back', () => {
    const limiter = new WarnLimiter({ intervalMs: 1000 });
    assert.deepEqual(limiter.admit('watch', 0), { admit: true, suppressed: 0 });
    assert.deepEqual(limiter.admit('watch', 10), { admit: false, suppressed: 1 });
    assert.deepEqual(limiter.admit('handler', 20), { admit: true, suppressed: 0 });
    assert.deepEqual(limiter.admit('watch', 999), { admit: false, suppressed: 2 });
    assert.deepEqual(limiter.admit('watch', 1000), { admit: true, suppressed: 2 });
    assert.deepEqual(limiter.admit('watch', 1001), { admit: false, suppressed: 1 });
  });
});
