import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeReader } from './slow-reader.js';

const limits = { notReadingBytes: 1000, notReadingTimeoutMs: 60_000 };

describe('judgeReader', () => {
  const cases: {
    name: string;
    bufferedBytes: number;
    lastProgressAt: number;
    now: number;
    want: ReturnType<typeof judgeReader>;
  }[] = [
    {
      name: 'below the threshold',
      bufferedBytes: 1000,
      lastProgressAt: 0,
      now: 500_000,
      want: { kind: 'reading' },
    },
    {
      name: 'above it, a write completed recently (slow but draining)',
      bufferedBytes: 50_000,
      lastProgressAt: 100_000,
      now: 130_000,
      want: { kind: 'watch', checkAt: 160_000 },
    },
    {
      name: 'above it, no write completed for the whole timeout',
      bufferedBytes: 1001,
      lastProgressAt: 100_000,
      now: 160_000,
      want: { kind: 'not-reading', stalledMs: 60_000 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(judgeReader(c, limits), c.want);
    });
  }
});
