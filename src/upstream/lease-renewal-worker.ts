/**
 * Carries out the lease renewals the hub decides (hub/lease-renewal.ts, issue 16 item 2): on shutdown,
 * for every node whose session is about to close, and when a session opens. Each renewal is one PATCH
 * (lease-renewal.ts). A call of {@link LeaseRenewalWorker.renew} is bounded in time: requests still
 * running at `timeoutMs` are aborted and renewals not yet started are skipped, so a slow or unreachable
 * API server cannot hold a shutdown. Separate from the upstream worker on purpose: that one is stopped
 * before the hub (requests taken are answered first), and these writes come from the hub's own stop.
 * @module
 */
import type { LeaseRenewal, LeaseRenewalReason } from '../hub/index.js';
import type { Logger } from '../observability/index.js';
import { httpRequestOf } from './api-call.js';
import { apiFailureOf } from './api-failure-of.js';
import { isNotFound } from './api-outcome.js';
import { leaseRenewalCall } from './lease-renewal.js';
import type { UpstreamApi } from './upstream-worker.js';

/**
 * How one renewal ended: `renewed`; `missing` (the node has no lease: left so, never created);
 * `failed` (the API refused or could not be reached); `timed_out` (aborted, or not started, by the bound).
 */
export type LeaseRenewalResult = 'renewed' | 'missing' | 'failed' | 'timed_out';

/** Options of {@link LeaseRenewalWorker}; defaults in {@link leaseRenewalDefaults}. */
export interface LeaseRenewalWorkerOptions {
  /** The API, as the controller (its field manager names the write). */
  readonly api: UpstreamApi;
  readonly logger: Logger;
  /** Bound on one {@link LeaseRenewalWorker.renew} call, ms. Default 2,000. */
  readonly timeoutMs?: number;
  /** Renewals in flight at once. Default 16. */
  readonly concurrency?: number;
  /** Called once per renewal with how it ended (metrics). Must not throw. */
  readonly onResult?: (reason: LeaseRenewalReason, result: LeaseRenewalResult) => void;
  /** Makes the signal that ends one call; default `AbortSignal.timeout` (tests abort it by hand). */
  readonly deadline?: (timeoutMs: number) => AbortSignal;
}

/** Defaults of {@link LeaseRenewalWorkerOptions}. */
export const leaseRenewalDefaults = Object.freeze({
  // A fifth of the default shutdown bound (10 s): the hub still has to close every session after it.
  timeoutMs: 2_000,
  concurrency: 16,
});

/** Counts of one {@link LeaseRenewalWorker.renew} call, by result. */
export type LeaseRenewalSummary = Readonly<Record<LeaseRenewalResult, number>>;

/** Renews node leases; see the module header. Never throws. */
export class LeaseRenewalWorker {
  readonly #api: UpstreamApi;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #onResult: LeaseRenewalWorkerOptions['onResult'];
  readonly #deadline: (timeoutMs: number) => AbortSignal;

  constructor(options: LeaseRenewalWorkerOptions) {
    this.#api = options.api;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? leaseRenewalDefaults.timeoutMs;
    this.#concurrency = options.concurrency ?? leaseRenewalDefaults.concurrency;
    this.#onResult = options.onResult;
    this.#deadline = options.deadline ?? ((ms) => AbortSignal.timeout(ms));
    if (!(Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0))
      throw new RangeError('LeaseRenewalWorker: timeoutMs must be a positive number of ms');
    if (!(Number.isInteger(this.#concurrency) && this.#concurrency >= 1))
      throw new RangeError('LeaseRenewalWorker: concurrency must be an integer >= 1');
  }

  /**
   * Renews each lease once, at most `concurrency` at a time; settles within `timeoutMs` (plus the time
   * an aborted request takes to unwind) with the count of each result. Logs once per call.
   */
  async renew(renewals: readonly LeaseRenewal[], reason: LeaseRenewalReason): Promise<LeaseRenewalSummary> {
    const summary = { renewed: 0, missing: 0, failed: 0, timed_out: 0 };
    if (renewals.length === 0) return summary;
    const deadline = this.#deadline(this.#timeoutMs);
    const count = (result: LeaseRenewalResult): void => {
      summary[result] += 1;
      this.#onResult?.(reason, result);
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      for (;;) {
        const renewal = renewals[next];
        next += 1;
        if (renewal === undefined) return;
        count(deadline.aborted ? 'timed_out' : await this.#renewOne(renewal, deadline));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, renewals.length) }, lane));
    const fields = { reason, leases: renewals.length, ...summary };
    if (summary.failed + summary.timed_out > 0) {
      // warn: a lease left unrenewed may let its node blip NotReady before the edge renews it again.
      this.#logger.warn(fields, 'Could not renew some node leases');
    } else {
      this.#logger.info(fields, 'Renewed node leases');
    }
    return summary;
  }

  async #renewOne(renewal: LeaseRenewal, deadline: AbortSignal): Promise<LeaseRenewalResult> {
    try {
      await this.#api.request({
        ...httpRequestOf(leaseRenewalCall(renewal)),
        signal: deadline,
        priority: 'node',
      });
      return 'renewed';
    } catch (err) {
      if (deadline.aborted) return 'timed_out';
      const { failure } = apiFailureOf(err);
      if (isNotFound(failure)) return 'missing';
      this.#logger.debug(
        { node: renewal.node, code: failure.code, err: failure.reason },
        'A lease renewal failed',
      );
      return 'failed';
    }
  }
}
