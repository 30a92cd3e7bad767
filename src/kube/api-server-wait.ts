/**
 * Waits, at start, until the API server answers: `GET /version` with backoff, the way
 * kube-controller-manager's `WaitForAPIServer` polls before it starts anything that lists. Without it a
 * controller started before its API server (a cluster restart, a node reboot) would fail its first
 * Secret read and exit, and restart in a loop. Shell: it does the calls and the waiting; the delays come
 * from the informer's pure backoff.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { EdgeControllerError, isEdgeControllerError } from '../errors/index.js';
import type { KubeClient } from './client.js';
import { toApiError } from './api-errors.js';
import type { ApiError, TerminalApiError } from './api-errors.js';
import { backoffDelayMs } from './informer/backoff.js';
import type { BackoffOptions } from './informer/backoff.js';
import type { InformerClock } from './informer/index.js';

/** Options of {@link waitForApiServer}. */
export interface ApiServerWaitOptions {
  readonly client: Pick<KubeClient, 'request' | 'server'>;
  /** Give up this long after the first attempt, in ms. Required (`--startup-timeout-seconds`). */
  readonly timeoutMs: number;
  /** Aborting it ends the wait at once, rejecting with the signal's reason. */
  readonly signal: AbortSignal;
  /** Told each failed attempt (1 = the first) and why, so `/readyz` and the log can say it. */
  readonly onRetry?: (failure: ApiError, attempt: number) => void;
  /** Retry delays; default {@link apiServerWaitDefaults}. */
  readonly backoff?: BackoffOptions;
  /** Longest one attempt may take, in ms (a blackholed address never refuses); default 10 s. */
  readonly attemptTimeoutMs?: number;
  /** Time; default the real clock (tests step a fake one). */
  readonly clock?: InformerClock;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** Defaults of {@link waitForApiServer}: 0.5 s doubling to 5 s, so a returning server is seen quickly. */
export const apiServerWaitDefaults = Object.freeze({
  backoff: Object.freeze({ initialBackoffMs: 500, maxBackoffMs: 5_000, backoffJitter: 0.2 }),
  attemptTimeoutMs: 10_000,
});

const realClock: InformerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/**
 * Resolves with the server's `gitVersion` once `GET /version` succeeds. A failure the API classification
 * says to retry (no response, 401, 429, 5xx) is retried until `timeoutMs`; then it throws an
 * `EdgeControllerError` with the last failure's code (`EC_KUBE_UNAVAILABLE`, `EC_KUBE_UNAUTHORIZED`)
 * naming the server and the cause. Any other failure (403, 404 on /version: not an API server we can use;
 * `EC_KUBE_CONFIG_INVALID`: credentials the client cannot use) is thrown at once. Never resolves after
 * `signal` aborts.
 */
export async function waitForApiServer(options: ApiServerWaitOptions): Promise<string> {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? apiServerWaitDefaults.backoff;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? apiServerWaitDefaults.attemptTimeoutMs;
  const deadline = clock.now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    options.signal.throwIfAborted();
    let failure: ApiError | TerminalApiError;
    try {
      // The last attempt still gets a second: one that starts at the deadline should be able to succeed.
      const budgetMs = Math.ceil(Math.min(attemptTimeoutMs, Math.max(1_000, deadline - clock.now())));
      const signal = AbortSignal.any([options.signal, AbortSignal.timeout(budgetMs)]);
      const version = await options.client.request<{ gitVersion?: unknown } | undefined>({
        method: 'GET',
        path: '/version',
        signal,
      });
      return typeof version?.gitVersion === 'string' ? version.gitVersion : 'unknown';
    } catch (err) {
      options.signal.throwIfAborted();
      // The kubeconfig itself is unusable (nothing was sent): waiting cannot fix that.
      if (isEdgeControllerError(err, 'EC_KUBE_CONFIG_INVALID')) throw err;
      failure = toApiError(err, { verb: 'GET', resource: '/version' });
    }
    if (failure.action !== 'retry') throw failure;
    options.onRetry?.(failure, attempt);
    const remainingMs = deadline - clock.now();
    if (remainingMs <= 0) {
      throw new EdgeControllerError(
        failure.code,
        `the API server at ${options.client.server} did not answer within ${formatSeconds(options.timeoutMs)} (${String(attempt)} attempts): ${failure.message}`,
        { cause: failure },
      );
    }
    await clock.sleep(Math.min(backoffDelayMs(attempt, backoff, random()), remainingMs), options.signal);
  }
}

function formatSeconds(ms: number): string {
  return `${String(Math.round(ms / 100) / 10)} s`;
}
