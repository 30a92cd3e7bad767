import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpFailure, toApiError } from '../kube/index.js';
import type { RawRequest } from '../kube/index.js';
import { createLogger } from '../observability/index.js';
import type { NodeName } from '../protocol/index.js';
import type { LeaseRenewal } from '../hub/index.js';
import { LeaseRenewalWorker } from './lease-renewal-worker.js';
import type { LeaseRenewalResult, LeaseRenewalWorkerOptions } from './lease-renewal-worker.js';
import { capturedLogger } from '../../test/support/captured-logger.js';

type Respond = (req: RawRequest) => Promise<unknown>;

const failure = (status: number) => () =>
  Promise.reject(toApiError(httpFailure(status, 'x'), { verb: 'PATCH', resource: '/x' }));

function harness(respond: Respond, overrides: Partial<LeaseRenewalWorkerOptions> = {}) {
  const calls: RawRequest[] = [];
  const results: LeaseRenewalResult[] = [];
  const { logger, lines: logs } = capturedLogger();
  const deadline = new AbortController();
  const worker = new LeaseRenewalWorker({
    api: {
      request: async <T>(req: RawRequest): Promise<T> => {
        calls.push(req);
        return (await respond(req)) as T;
      },
    },
    logger,
    onResult: (_reason, result) => results.push(result),
    deadline: () => deadline.signal,
    ...overrides,
  });
  return { worker, calls, results, logs, deadline };
}

function renewal(node: string): LeaseRenewal {
  return { node: node as NodeName, renewTimeMs: Date.UTC(2025, 0, 1) };
}

/** Node name from a renewal PATCH path. */
function nodeOf(req: RawRequest): string {
  return decodeURIComponent(req.path.split('/').at(-1) ?? '');
}

describe('LeaseRenewalWorker', () => {
  it('patches each lease once and counts renewed, missing (404: left missing) and failed', async () => {
    const h = harness(async (req) => {
      switch (nodeOf(req)) {
        case 'gone':
          return failure(404)();
        case 'refused':
          return failure(403)();
        default:
          return {};
      }
    });
    const summary = await h.worker.renew([renewal('a'), renewal('gone'), renewal('refused')], 'shutdown');
    assert.deepEqual(summary, { renewed: 1, missing: 1, failed: 1, timed_out: 0 });
    assert.deepEqual(h.calls.map(nodeOf).sort(), ['a', 'gone', 'refused']);
    assert.ok(
      h.calls.every((c) => c.method === 'PATCH'),
      'only PATCH: nothing is created',
    );
    assert.deepEqual([...h.results].sort(), ['failed', 'missing', 'renewed']);
    assert.ok(h.logs.some((l) => l.includes('Could not renew some node leases')));
  });

  it('makes no call for an empty plan', async () => {
    const h = harness(() => Promise.resolve({}));
    assert.deepEqual(await h.worker.renew([], 'session_opened'), {
      renewed: 0,
      missing: 0,
      failed: 0,
      timed_out: 0,
    });
    assert.equal(h.calls.length, 0);
  });

  it('settles at the deadline: the request running is aborted, the rest are not started', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const h = harness(
      (req) => {
        started();
        // Hangs like an unreachable API server, until the deadline aborts it.
        return new Promise((_, reject) => {
          req.signal?.addEventListener('abort', () => {
            reject(toApiError(new Error('aborted'), { verb: 'PATCH', resource: req.path }));
          });
        });
      },
      { concurrency: 1 },
    );
    const renewing = h.worker.renew([renewal('a'), renewal('b'), renewal('c')], 'shutdown');
    await running;
    h.deadline.abort();
    assert.deepEqual(await renewing, { renewed: 0, missing: 0, failed: 0, timed_out: 3 });
    assert.equal(h.calls.length, 1, 'nothing started after the deadline');
  });

  it('keeps at most `concurrency` renewals in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const h = harness(
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await Promise.resolve();
        inFlight -= 1;
        return {};
      },
      { concurrency: 2 },
    );
    const summary = await h.worker.renew(['a', 'b', 'c', 'd', 'e'].map(renewal), 'shutdown');
    assert.equal(summary.renewed, 5);
    assert.equal(most, 2);
  });

  it('rejects a bound that cannot work', () => {
    const base = {
      api: { request: () => Promise.resolve() } as never,
      logger: createLogger({ level: 'silent' }),
    };
    assert.throws(() => new LeaseRenewalWorker({ ...base, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => new LeaseRenewalWorker({ ...base, concurrency: 0 }), /concurrency/);
  });
});
