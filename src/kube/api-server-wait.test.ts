import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdgeControllerError, isEdgeControllerError } from '../errors/index.js';
import { httpFailure } from './api-errors.js';
import type { ApiError } from './api-errors.js';
import { waitForApiServer } from './api-server-wait.js';
import type { ApiServerWaitOptions } from './api-server-wait.js';
import type { RawRequest } from './client.js';
import type { InformerClock } from './informer/index.js';

/** A clock that moves only when the code under test sleeps. */
function steppedClock(): InformerClock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms, signal) => {
      signal.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const refused = Object.assign(new TypeError('fetch failed'), {
  cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
});

/** A client whose n-th request gets the n-th answer; the last answer repeats. */
function scripted(answers: readonly unknown[]): ApiServerWaitOptions['client'] & { calls: number } {
  const client = {
    calls: 0,
    server: 'https://127.0.0.1:1',
    request<T>(req: RawRequest): Promise<T> {
      assert.equal(req.path, '/version');
      const answer = answers[Math.min(client.calls, answers.length - 1)];
      client.calls++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
  };
  return client;
}

const backoff = { initialBackoffMs: 500, maxBackoffMs: 5_000, backoffJitter: 0 };

describe('waitForApiServer', () => {
  it('returns the version as soon as the API server answers, after retrying refused connections', async () => {
    const client = scripted([refused, refused, { gitVersion: 'v1.35.4' }]);
    const clock = steppedClock();
    const version = await waitForApiServer({
      client,
      clock,
      backoff,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    });
    assert.equal(version, 'v1.35.4');
    assert.equal(client.calls, 3);
    assert.deepEqual(clock.sleeps, [500, 1_000], 'backoff doubles between attempts');
  });

  it('gives up at the deadline with EC_KUBE_UNAVAILABLE naming the server and the last cause', async () => {
    const reasons: string[] = [];
    const clock = steppedClock();
    const err: unknown = await waitForApiServer({
      client: scripted([refused]),
      clock,
      backoff,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onRetry: (failure: ApiError) => reasons.push(failure.reason),
    }).then(
      () => assert.fail('resolved against a server that never answered'),
      (e: unknown) => e,
    );
    assert.ok(isEdgeControllerError(err, 'EC_KUBE_UNAVAILABLE'), String(err));
    assert.match(err.message, /https:\/\/127\.0\.0\.1:1 did not answer within 10 s/);
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(reasons.length >= 3 && reasons.every((r) => r === 'ECONNREFUSED'), reasons.join());
    assert.ok(clock.now() <= 10_000, 'never sleeps past the deadline');
  });

  it('keeps the code of the last failure: rejected credentials stay EC_KUBE_UNAUTHORIZED', async () => {
    const err: unknown = await waitForApiServer({
      client: scripted([httpFailure(401, '{"reason":"Unauthorized"}')]),
      clock: steppedClock(),
      backoff,
      timeoutMs: 5_000,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    assert.ok(isEdgeControllerError(err, 'EC_KUBE_UNAUTHORIZED'), String(err));
  });

  it('fails at once on an answer retrying cannot change (403)', async () => {
    const client = scripted([httpFailure(403, '{"reason":"Forbidden","message":"no"}')]);
    const err: unknown = await waitForApiServer({
      client,
      clock: steppedClock(),
      backoff,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    assert.ok(isEdgeControllerError(err, 'EC_KUBE_REJECTED'), String(err));
    assert.equal(client.calls, 1);
  });

  it('fails at once when the kubeconfig cannot be used (nothing was sent)', async () => {
    const client = scripted([
      new EdgeControllerError(
        'EC_KUBE_CONFIG_INVALID',
        'cannot use the kubeconfig: HTTP protocol is not allowed',
      ),
    ]);
    const err: unknown = await waitForApiServer({
      client,
      clock: steppedClock(),
      backoff,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    assert.ok(isEdgeControllerError(err, 'EC_KUBE_CONFIG_INVALID'), String(err));
    assert.equal(client.calls, 1);
  });

  it('stops waiting when its signal aborts', async () => {
    const abort = new AbortController();
    const client = scripted([refused]);
    const err: unknown = await waitForApiServer({
      client,
      clock: steppedClock(),
      backoff,
      timeoutMs: 60_000,
      signal: abort.signal,
      onRetry: (_failure, attempt) => {
        if (attempt === 2) abort.abort(new Error('SIGTERM'));
      },
    }).catch((e: unknown) => e);
    assert.equal((err as Error).message, 'SIGTERM');
    assert.equal(client.calls, 2);
  });
});
