/**
 * The upstream controller's shell (issue 6): takes each edge request from the hub, queues it without
 * blocking the socket, and runs its {@link Decision} (decide.ts) to the end: API calls (or an informer
 * store read where the decision allows), emissions through the node's reliable queue, retries of
 * retryable failures, and an outcome per request for metrics. The loop is the one documented at the top
 * of decision.ts; decision-walk.ts is its synchronous reference.
 *
 * Scheduling is request-scheduler.ts: a global in-flight bound, a per-node bound, status writes in their
 * own lane served first with reserved slots, so no flood of queries can starve leases and pod status.
 * Admission is admission.ts (issue 12): waiting requests are capped per node and per lane, a node's own
 * Lease is always admitted and coalesced, so one node's flood refuses only its own requests.
 *
 * Quiet under attack (issue 12 item 4): a refused, forbidden or invalid request is logged at most once
 * per (node, result, reason) per 10 s (refusal-warnings.ts); the rest are counted by `onOutcome` and
 * reported as `suppressed` on the next line.
 *
 * Impersonation (`impersonateNodes`, default OFF): when on, calls a decision makes on the node's behalf
 * carry `Impersonate-User: system:node:<node>` and `Impersonate-Group: system:nodes`, so the API server's
 * Node authorizer and NodeRestriction check them as a second wall. It is off by default because it needs
 * the controller's ServiceAccount to hold `impersonate` on users and groups (deploy/rbac.yaml does not
 * grant it), and because the API server is then stricter than our authorize.ts: with it on, a
 * TokenRequest for an audience the pod's volumes do not name is refused (ServiceAccountNodeAudience
 * Restriction), which we do not check yet. Meanwhile the controller's own RBAC plus our node
 * authorization decide. The integration suite passes with it on except for that token case.
 *
 * Never logged: message content, object data, tokens. Logged: node, operation, resource path, msgId,
 * result, reason.
 * @module
 */
import { exponentialDelayMs } from '../backoff/index.js';
import type { Logger } from '../observability/index.js';
import { newErrorResponse } from '../protocol/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import type {
  MemoryReservation,
  UpstreamMemory,
  UpstreamRequest,
  UpstreamRequestInfo,
  UpstreamSink,
} from '../hub/index.js';
import { edgeRequestClass } from '../kube/index.js';
import type { RawRequest } from '../kube/index.js';
import type { ApiCall, KubeResource, ObjectTarget } from './api-call.js';
import { httpRequestOf } from './api-call.js';
import { apiFailureOf } from './api-failure-of.js';
import type { ApiOutcome } from './api-outcome.js';
import { decideUpstream } from './decide.js';
import type { UpstreamContext } from './decide.js';
import type { Decision } from './decision.js';
import { emissionToMessage } from './decision.js';
import { EdgeControllerError } from '../errors/index.js';
import { isOwnLease } from './admission.js';
import { coalesceKeyOf, isPastReplyDeadline } from './coalescing.js';
import { RefusalWarnings } from './refusal-warnings.js';
import { RequestScheduler, laneOf } from './request-scheduler.js';
import type { Lane } from './request-scheduler.js';

/** The API as the worker uses it: structurally `KubeClient` (throws `kube/`-classified errors). */
export interface UpstreamApi {
  request<T>(req: RawRequest): Promise<T>;
}

/** Where replies and pushes go: structurally the hub. */
export interface UpstreamHub {
  enqueue(node: NodeName, message: Message): unknown;
}

/** Reads one object from an informer store; `undefined` on a miss. */
export type StoreRead = (target: ObjectTarget) => unknown;

/**
 * How one request ended. `result`: the decision's terminal action (`ok`, `api-error`, `forbid`,
 * `invalid`), or `queue-full` / `stopped` (refused before running, answered with an `error` reply), or
 * `internal-error` (a bug: the request got an `error` reply). A fan-out reports once per part.
 */
export interface UpstreamOutcome {
  readonly node: NodeName;
  readonly resourceType: UpstreamRequest['resourceType'];
  readonly operation: UpstreamRequest['operation'];
  readonly lane: Lane;
  /**
   * `coalesced`: a newer copy of the request took this one's place and its result was shared.
   * `expired`: a read that waited past `replyDeadlineMs`, given up unrun and unanswered (coalescing.ts).
   */
  readonly result:
    | 'ok'
    | 'coalesced'
    | 'expired'
    | 'api-error'
    | 'forbid'
    | 'invalid'
    | 'queue-full'
    | 'stopped'
    | 'internal-error';
  /** The forbid or invalid reason, or the API failure's reason. */
  readonly reason?: string;
  /** From receipt to the end of this outcome, ms. */
  readonly latencyMs: number;
}

/** Options of {@link UpstreamWorker}. */
export interface UpstreamWorkerOptions {
  readonly api: UpstreamApi;
  readonly hub: UpstreamHub;
  /** The graph and the decision options (`resolveUpstreamOptions`). */
  readonly context: UpstreamContext;
  readonly logger: Logger;
  /** New message ids for replies and pushes. */
  readonly newId: () => MessageId;
  /** Clock, ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Informer stores that may answer `get` calls marked `servedFromCache`, by resource. A miss falls back
   * to the API (the store may lag a just-created object), whose NotFound is then the answer. Default none.
   */
  readonly stores?: Partial<Record<KubeResource, StoreRead>>;
  /** Impersonate `system:node:<node>` on `asNode` calls (see the module header). Default `false`. */
  readonly impersonateNodes?: boolean;
  /**
   * Requests in flight overall. Default 64, the API client's own in-flight cap (kube/request-limiter.ts),
   * which also orders them by class. At 16, a 10,000-node fleet on two cores left the client at 24–34 of
   * its 64 while 5,000–10,000 registrations waited here: each request holds its slot for the API's whole
   * latency, so 16 slots carried fewer requests per second than the fleet's leases and statuses needed.
   */
  readonly maxInFlight?: number;
  /** Requests in flight per node, per lane. Default 4. */
  readonly maxInFlightPerNode?: number;
  /** Slots of `maxInFlight` only status writes may use. Default 16; less than `maxInFlight`. */
  readonly reservedStatusSlots?: number;
  /** Requests waiting per lane before new ones are answered with an error (the edge retries). Default 10000. */
  readonly maxPendingPerLane?: number;
  /**
   * Requests waiting per node, per lane, before its new ones are answered with an error. Default 1000:
   * a node's whole legitimate backlog after a reconnect (a status per pod, a query per referenced object)
   * fits, and ten flooding nodes are needed to fill a lane, which then gives room to quiet nodes anyway.
   */
  readonly maxPendingPerNode?: number;
  /** A refused, forbidden or invalid request is logged once per node and reason per this many ms. Default 10000. */
  readonly refusalLogIntervalMs?: number;
  /** Retries of a retryable failure (429, 5xx, no response) before the decision sees it. Default 3. */
  readonly retries?: number;
  /** First retry delay, ms, doubled per retry. Default 200. */
  readonly retryBaseDelayMs?: number;
  /** Longest retry delay (also caps `Retry-After`), ms. Default 5000. */
  readonly retryMaxDelayMs?: number;
  /**
   * The hub's per-node byte budget (issue 12 item 1): each request's `approxBytes` is reserved while it
   * waits and runs, and released once it is answered. A refused reservation means the hub has
   * disconnected the node for going over budget: the request is dropped, unanswered, with no API call.
   * Default none (no budget).
   */
  readonly memory?: UpstreamMemory;
  /**
   * A read (`query`) still waiting this many ms after it arrived is given up unrun, unanswered: the edge
   * stopped waiting for it (metaManager `remoteQueryTimeout`, 60 s) and drops a late reply, so its API
   * call would be spent for nothing (coalescing.ts). Default 60000; 0 runs every read however late.
   */
  readonly replyDeadlineMs?: number;
  /** Called once per outcome (metrics). Must not throw. */
  readonly onOutcome?: (outcome: UpstreamOutcome) => void;
}

/** The defaults of {@link UpstreamWorkerOptions}. */
export const upstreamWorkerDefaults = Object.freeze({
  impersonateNodes: false,
  maxInFlight: 64,
  maxInFlightPerNode: 4,
  reservedStatusSlots: 16,
  maxPendingPerLane: 10_000,
  maxPendingPerNode: 1000,
  refusalLogIntervalMs: 10_000,
  retries: 3,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5000,
  replyDeadlineMs: 60_000,
});

/**
 * A decision that made this many calls is a bug (an endless `next` chain). Counted per part of a fan-out:
 * each element of a legacy `podstatus` list is its own chain (the list's length is capped by the handler).
 */
const maxCallsPerChain = 100;

interface Job {
  readonly node: NodeName;
  readonly lane: Lane;
  readonly key: string;
  readonly message: Message;
  readonly request: UpstreamRequest;
  readonly receivedAt: number;
  /** A newer request with the same key may take this one's place while it waits; `undefined`: never. */
  readonly coalesceKey: string | undefined;
  /** The node's own Lease: admitted whatever the caps (admission.ts). */
  readonly isAlwaysAdmitted: boolean;
  /** About how many bytes the request holds while it waits. */
  readonly approxBytes: number;
  /** Older requests this one replaced while they waited: each gets this one's replies. */
  readonly followers: Job[];
  /** The bytes held in the hub's budget for this request, released when it is answered. */
  reservation?: MemoryReservation | undefined;
}

/** About the bytes a waiting request holds: its content as text and its header strings. Never throws. */
function approxBytesOf(message: Message): number {
  const { content } = message;
  let contentBytes = 0;
  if (typeof content === 'string') contentBytes = content.length;
  else if (content !== undefined && content !== null) {
    try {
      contentBytes = JSON.stringify(content).length;
    } catch {
      contentBytes = 0;
    }
  }
  return contentBytes + message.header.msg_id.length + (message.route.resource ?? '').length + 128;
}

type Resolved = Required<Omit<UpstreamWorkerOptions, 'onOutcome' | 'stores' | 'memory'>> &
  Pick<UpstreamWorkerOptions, 'onOutcome' | 'memory'> & { stores: Partial<Record<KubeResource, StoreRead>> };

/**
 * Runs edge requests against the API server. `handle` never throws and never waits; every request gets
 * exactly the replies its decision emits, or one `error` reply when it is refused (queue full, stopping)
 * or hits a bug. Requests on the same resource path from the same node run in arrival order; others may
 * run concurrently up to the bounds.
 */
export class UpstreamWorker implements UpstreamSink {
  readonly #o: Resolved;
  readonly #scheduler: RequestScheduler<Job>;
  readonly #warnings: RefusalWarnings;
  readonly #abort = new AbortController();
  #isStopping = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: UpstreamWorkerOptions) {
    this.#o = {
      ...upstreamWorkerDefaults,
      now: Date.now,
      ...options,
      stores: options.stores ?? {},
    };
    validate(this.#o);
    this.#scheduler = new RequestScheduler<Job>(this.#o);
    this.#warnings = new RefusalWarnings({ intervalMs: this.#o.refusalLogIntervalMs });
  }

  /** Requests in flight and waiting per lane (for a queue-depth gauge). */
  get depth(): { readonly inFlight: number; readonly status: number; readonly general: number } {
    return {
      inFlight: this.#scheduler.inFlight,
      status: this.#scheduler.pending('status'),
      general: this.#scheduler.pending('general'),
    };
  }

  /** The `approxBytes` of `node`'s waiting requests (for a per-node byte budget). */
  waitingBytes(node: NodeName): number {
    return this.#scheduler.waitingBytes(node);
  }

  /**
   * Drops `node`'s waiting requests, unanswered: the hub disconnected it for cause (over its byte budget,
   * not reading) and wrote its ledger off. Requests already running finish and are answered as usual.
   */
  dropWaiting(node: NodeName): void {
    for (const job of this.#scheduler.removeNode(node)) {
      this.#report(job, 'stopped', 'node-disconnected');
      release(job);
    }
    this.#pump(); // wakes whenIdle() waiters if that emptied the queues
  }

  handle(node: NodeName, message: Message, request: UpstreamRequest, info?: UpstreamRequestInfo): void {
    try {
      const isAlwaysAdmitted = isOwnLease(node, request);
      const job: Job = {
        node,
        lane: laneOf(request.resourceType),
        key: request.resource,
        message,
        request,
        receivedAt: this.#o.now(),
        coalesceKey: coalesceKeyOf(request, isAlwaysAdmitted),
        isAlwaysAdmitted,
        approxBytes: info?.frameBytes ?? approxBytesOf(message),
        followers: [],
      };
      if (this.#isStopping) {
        this.#refuse(job, 'stopped', 'edge-controller is stopping; retry on another instance');
        return;
      }
      if (this.#o.memory !== undefined) {
        job.reservation = this.#o.memory.reserve(node, job.approxBytes);
        if (job.reservation === undefined) {
          // The hub has disconnected the node: nobody to answer, and nothing to run.
          this.#warn(job, 'queue-full', 'over-budget', 'Upstream request was dropped');
          this.#report(job, 'queue-full', 'over-budget');
          return;
        }
      }
      const replaced =
        job.coalesceKey === undefined
          ? undefined
          : this.#scheduler.replacePending(job, (older) => older.coalesceKey === job.coalesceKey);
      if (replaced !== undefined) {
        job.followers.push(...replaced.followers, replaced);
        return;
      }
      const added = this.#scheduler.add(job);
      if (!added.added) {
        const text =
          added.reason === 'node-full'
            ? 'too many requests from this node are waiting in edge-controller; retry later'
            : 'edge-controller upstream queue is full; retry later';
        this.#refuse(job, 'queue-full', text, added.reason);
        return;
      }
      if (added.evicted !== undefined) {
        this.#refuse(
          added.evicted,
          'queue-full',
          'edge-controller upstream queue is full; this node has the most requests waiting; retry later',
          'evicted',
        );
      }
      this.#pump();
    } catch (err) {
      this.#o.logger.error({ node, err }, 'Upstream request could not be queued');
    }
  }

  /**
   * Stops taking requests (new ones get an `error` reply), cuts retry waits short, and resolves when every
   * queued and running request has finished and been answered.
   */
  async stop(): Promise<void> {
    this.#isStopping = true;
    this.#abort.abort();
    await this.whenIdle();
  }

  /** Resolves once nothing is queued or running (at once if so now). Does not stop anything. */
  whenIdle(): Promise<void> {
    if (this.#scheduler.isIdle) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
    });
  }

  #pump(): void {
    for (let job = this.#scheduler.next(); job !== undefined; job = this.#scheduler.next()) {
      if (isPastReplyDeadline(job.request, job.receivedAt, this.#o.now(), this.#o.replyDeadlineMs)) {
        // The newest copy is past the deadline, so are the older ones it replaced.
        this.#report(job, 'expired', 'past-reply-deadline');
        release(job);
        this.#scheduler.finish(job);
        continue;
      }
      const running = job;
      void this.#run(running).finally(() => {
        release(running);
        this.#scheduler.finish(running);
        this.#pump();
      });
    }
    if (this.#scheduler.isIdle) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async #run(job: Job): Promise<void> {
    try {
      const decision = decideUpstream(
        { node: job.node, request: job.request, content: job.message.content, now: this.#o.now() },
        this.#o.context,
      );
      await this.#walk(job, decision);
    } catch (err) {
      this.#o.logger.error(
        { node: job.node, operation: job.request.operation, resource: job.request.resource, err },
        'Upstream request failed unexpectedly',
      );
      this.#refuse(job, 'internal-error', 'internal error in edge-controller');
    }
  }

  async #walk(job: Job, start: Decision): Promise<void> {
    let decision = start;
    let calls = 0;
    for (;;) {
      if (decision.action === 'fan-out') {
        for (const part of decision.decisions) await this.#walk(job, part);
        return;
      }
      for (const emission of decision.emit) {
        for (const answered of [job, ...job.followers]) {
          this.#o.hub.enqueue(
            job.node,
            emissionToMessage(answered.message, emission, { id: this.#o.newId(), now: this.#o.now() }),
          );
        }
      }
      switch (decision.action) {
        case 'call':
          break;
        case 'done':
          this.#report(job, decision.result, decision.failure?.reason);
          return;
        case 'forbid':
          this.#warn(job, 'forbid', decision.reason, 'Upstream request was forbidden');
          this.#report(job, 'forbid', decision.reason);
          return;
        case 'invalid':
          this.#warn(job, 'invalid', decision.reason, 'Upstream request was invalid');
          this.#report(job, 'invalid', decision.reason);
          return;
      }
      calls += 1;
      if (calls > maxCallsPerChain) {
        throw new RangeError(`decision made more than ${String(maxCallsPerChain)} calls`);
      }
      const outcome = await this.#execute(job.node, decision.call);
      decision = decision.next(outcome, this.#o.now());
    }
  }

  /** One call: from a store when allowed and present, else the API with retries of retryable failures. */
  async #execute(node: NodeName, call: ApiCall): Promise<ApiOutcome> {
    if (call.verb === 'get' && call.servedFromCache) {
      const cached = this.#o.stores[call.target.resource]?.(call.target);
      if (cached !== undefined) return { ok: true, object: cached };
    }
    const http = httpRequestOf(call);
    const request: RawRequest = {
      ...http,
      priority: edgeRequestClass(call.target.resource),
      ...(this.#o.impersonateNodes && call.asNode
        ? { headers: { 'Impersonate-User': `system:node:${node}`, 'Impersonate-Group': 'system:nodes' } }
        : {}),
    };
    for (let attempt = 0; ; attempt += 1) {
      try {
        const object = await this.#o.api.request<unknown>(request);
        return { ok: true, object };
      } catch (err) {
        const read = apiFailureOf(err);
        if (!read.isApiError) throw err;
        if (!read.isRetryable || attempt >= this.#o.retries || this.#isStopping) {
          return { ok: false, failure: read.failure };
        }
        const backoffMs = exponentialDelayMs(attempt, {
          initialDelayMs: this.#o.retryBaseDelayMs,
          maxDelayMs: this.#o.retryMaxDelayMs,
        });
        // A server's Retry-After lengthens the wait, but never past the cap.
        const delayMs = Math.min(this.#o.retryMaxDelayMs, Math.max(backoffMs, read.retryAfterMs ?? 0));
        this.#o.logger.debug(
          { node, verb: call.verb, resource: call.target.resource, code: read.failure.code, delayMs },
          'Upstream API call will be retried',
        );
        await abortableDelay(delayMs, this.#abort.signal);
      }
    }
  }

  /** Logs a refusal at warn, at most once per (node, result, reason) per interval; the rest are counted. */
  #warn(job: Job, result: string, reason: string, text: string): void {
    const verdict = this.#warnings.admit(job.node, `${result}\0${reason}`, this.#o.now());
    if (!verdict.admit) return;
    this.#o.logger.warn(
      {
        node: job.node,
        operation: job.request.operation,
        resource: job.request.resource,
        msgId: job.message.header.msg_id,
        result,
        reason,
        suppressed: verdict.suppressed,
      },
      text,
    );
  }

  /** Answers a request that will not run with one `error` reply. */
  #refuse(
    job: Job,
    result: 'queue-full' | 'stopped' | 'internal-error',
    text: string,
    reason?: string,
  ): void {
    if (result === 'queue-full')
      this.#warn(job, result, reason ?? 'lane-full', 'Upstream request was refused');
    for (const answered of [job, ...job.followers]) {
      try {
        this.#o.hub.enqueue(
          job.node,
          newErrorResponse(answered.message, text, { id: this.#o.newId(), now: this.#o.now() }),
        );
      } catch (err) {
        this.#o.logger.error({ node: job.node, err }, 'Upstream error reply could not be queued');
      }
    }
    this.#report(job, result, reason);
    release(job);
  }

  #report(job: Job, result: UpstreamOutcome['result'], reason: string | undefined): void {
    for (const follower of job.followers)
      this.#reportOne(follower, result === 'ok' ? 'coalesced' : result, reason);
    this.#reportOne(job, result, reason);
  }

  #reportOne(job: Job, result: UpstreamOutcome['result'], reason: string | undefined): void {
    const latencyMs = this.#o.now() - job.receivedAt;
    this.#o.logger.debug(
      {
        node: job.node,
        operation: job.request.operation,
        resource: job.request.resource,
        msgId: job.message.header.msg_id,
        result,
        ...(reason === undefined ? {} : { reason }),
        latencyMs,
      },
      'Upstream request handled',
    );
    try {
      this.#o.onOutcome?.({
        node: job.node,
        resourceType: job.request.resourceType,
        operation: job.request.operation,
        lane: job.lane,
        result,
        ...(reason === undefined ? {} : { reason }),
        latencyMs,
      });
    } catch (err) {
      this.#o.logger.error({ err }, 'Upstream outcome observer threw');
    }
  }
}

/** Returns the hub-budget bytes of a request and of those coalesced into it (idempotent). */
function release(job: Job): void {
  for (const held of [job, ...job.followers]) held.reservation?.release();
}

/** Waits `ms`, or less when `signal` aborts (stop cuts retry waits short). Never rejects. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function validate(o: Resolved): void {
  const integer = (field: keyof typeof upstreamWorkerDefaults, min: number): void => {
    const value = o[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new EdgeControllerError(
        'EC_CONFIG_INVALID',
        `upstream worker option ${field} must be an integer >= ${String(min)} (default ${String(upstreamWorkerDefaults[field])})`,
      );
    }
  };
  integer('maxInFlight', 1);
  integer('maxInFlightPerNode', 1);
  integer('reservedStatusSlots', 0);
  integer('maxPendingPerLane', 1);
  integer('maxPendingPerNode', 1);
  integer('refusalLogIntervalMs', 0);
  integer('retries', 0);
  integer('retryBaseDelayMs', 0);
  integer('retryMaxDelayMs', 0);
  integer('replyDeadlineMs', 0);
  if (o.reservedStatusSlots >= o.maxInFlight) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      'upstream worker option reservedStatusSlots must be less than maxInFlight, or queries never run',
    );
  }
  if (typeof o.impersonateNodes !== 'boolean') {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      'upstream worker option impersonateNodes must be a boolean',
    );
  }
}
