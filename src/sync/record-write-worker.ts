/**
 * Carries out record writes (record-ops.ts) against the API server: one ordered list per record, at most
 * one call in flight per record, nodes served round-robin under one concurrency budget (a node being
 * resynced cannot starve another node's first sends), failures classified by kube/api-errors.ts and
 * retried per record with backoff, and the whole writer paused while the API server is unreachable.
 *
 * Two lanes: a record someone waits for (a create or a resync mark, whose pushes are held until it is
 * written: record-gate.ts) goes before one nobody waits for (an ACK's status, a delete), with one take
 * in {@link unwaitedShare} kept for the latter so they are never starved, and at most
 * {@link defaultUnwaitedConcurrency} of the latter in flight. With one lane, a node's new
 * pod waited behind that node's ACK bookkeeping: in a 5,000-node bench, pods created after the ramp
 * reached their first edge 80-110 s later, behind the Node records' statuses of the ramp.
 *
 * Cost: a create is one POST; a status is one PATCH (POST + PATCH when the record went missing); a delete
 * is one DELETE. Waiting asks for one record merge (record-ops.ts `appendOp`), so a burst of ACKs for an
 * object costs one write and the lists stay short: work is O(records touched), never a requeue of
 * everything on each failure.
 * @module
 */
import { exponentialDelayMs, proportionalJitterDelayMs } from '../backoff/index.js';
import type { ExponentialBackoff } from '../backoff/index.js';
import { toApiError } from '../kube/index.js';
import type { KubeClient } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import type { NodeName } from '../protocol/index.js';
import { WarnLimiter } from '../warnings/index.js';
import { appendOp, decideFailure } from './record-ops.js';
import type { QueuedOp, RecordOp, RecordOpResult } from './record-ops.js';
import { recordBody, recordStatusPatch, reliableSyncsApiVersion, targetId } from './record.js';
import type { RecordTarget, SyncRecord } from './record.js';

/** What the writer reports; callbacks must be cheap. */
export interface RecordWriterObserver {
  /** One API call of a record write ended: `failed` is retried, `dropped` is given up. */
  onWrite?(operation: RecordOp['kind'], result: 'ok' | 'failed' | 'dropped'): void;
}

/** Options of {@link RecordWriter}. */
export interface RecordWriterOptions {
  readonly client: Pick<KubeClient, 'request'>;
  readonly logger: Logger;
  /**
   * Record writes in flight at once, all nodes together; default {@link defaultRecordWriteConcurrency}.
   */
  readonly concurrency?: number;
  /**
   * Of those, most that nobody waits for (ACK statuses, deletes); default
   * {@link defaultUnwaitedConcurrency}. At most `concurrency`.
   */
  readonly unwaitedConcurrency?: number;
  /** Backoff of one record's retries; default 500 ms doubling to 30 s. */
  readonly retryBackoff?: ExponentialBackoff;
  /** Backoff of the whole writer while the API server does not answer; default 500 ms doubling to 2 s. */
  readonly pauseBackoff?: ExponentialBackoff;
  readonly observer?: RecordWriterObserver;
  /** Random number source for jitter; default `Math.random`. */
  readonly random?: () => number;
}

interface RecordState {
  readonly id: string;
  readonly node: NodeName;
  readonly waiting: QueuedOp[];
  isRunning: boolean;
  isReady: boolean;
  /** The lane it is ready in (valid while `isReady`); an entry of another lane's list is stale. */
  lane: Lane;
  attempt: number;
  retryTimer: NodeJS.Timeout | undefined;
}

/**
 * Half the API client's in-flight cap (kube/request-limiter.ts, 64). The client already serves leases,
 * node status and pod status before records, so this bound only keeps one node's resync from filling the
 * client's records queue ahead of other nodes (the round-robin below works on what waits here). It was 8,
 * set before the client had a limiter: with 5,000 nodes and 17,000 record writes waiting after their pods
 * started, the writer did 133 writes/s while the API client had free slots at times (12 to 64 of 64 in
 * flight) and nothing of any class waiting in it; at 32 it did 226 writes/s on the same backlog.
 */
export const defaultRecordWriteConcurrency = 32;

/**
 * Writes nobody waits for (an ACK's status, a delete) in flight at once. They are bookkeeping, and they
 * come in floods: every ACK of a delivery, and of the pod statuses that follow it. With 32 of them in
 * flight the API server (2 cores, shared) was busy enough that other clients' writes and their watch
 * events were late. Peer bench, 100 nodes just handed 1,000 pods, then 20 pod changes/s for 30 s, API
 * write → edge p99 over three runs each: 154-299 ms with 32 (all of the tail in the first 3 s, while
 * about 1,000 such writes drained), 55-89 ms with 8; the backlog drained in about 3 s either way, and the
 * 500-pod burst after it was no slower (1.7-2.1 s against 2.2-2.4 s). Creates and resync marks, which
 * hold pushes (record-gate.ts), may still use all {@link defaultRecordWriteConcurrency}.
 */
export const defaultUnwaitedConcurrency = 8;

/** Of this many takes while both lanes have records, one goes to the records nobody waits for. */
export const unwaitedShare = 8;

type Lane = 'waited' | 'unwaited';

const defaultRetryBackoff: ExponentialBackoff = { initialDelayMs: 500, maxDelayMs: 30_000 };
/**
 * One probe every 2 s at most while the API server is away: one request, nothing to spare. With 10 s, a
 * pod created just after a 15 s API server restart reached its edge 9 s later: the pause had grown to
 * 10 s during the outage, and the first probe after it met the new server's "paths not installed yet" 503.
 */
const defaultPauseBackoff: ExponentialBackoff = { initialDelayMs: 500, maxDelayMs: 2_000 };
const warnIntervalMs = 10_000;

/** Writes records in order per record, fairly across nodes. */
export class RecordWriter {
  readonly #options: RecordWriterOptions;
  readonly #concurrency: number;
  readonly #unwaitedConcurrency: number;
  /** Writes of the unwaited lane in flight. */
  #runningUnwaited = 0;
  readonly #records = new Map<string, RecordState>();
  /** The same records by node: forgetting a node visits its own records, not every node's. */
  readonly #byNode = new Map<NodeName, Set<RecordState>>();
  /**
   * Ready records per lane and node; a Map keeps node order, and a served node moves to the back. A
   * record that gains a waiter while ready is added to the waited lane and its old entry skipped.
   */
  readonly #ready: Record<Lane, Map<NodeName, RecordState[]>> = { waited: new Map(), unwaited: new Map() };
  /** Takes from the waited lane since the last from the unwaited one. */
  #waitedStreak = 0;
  readonly #warnings = new WarnLimiter({ intervalMs: warnIntervalMs });
  readonly #running = new Set<Promise<void>>();
  #pendingOps = 0;
  #pauseAttempt = 0;
  #pausedUntil = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  #isStopped = false;

  constructor(options: RecordWriterOptions) {
    this.#options = options;
    this.#concurrency = options.concurrency ?? defaultRecordWriteConcurrency;
    this.#unwaitedConcurrency = Math.min(
      this.#concurrency,
      options.unwaitedConcurrency ?? defaultUnwaitedConcurrency,
    );
  }

  /** Asks for a write; `done` is called once it is written or given up (never on stop). */
  write(node: NodeName, op: RecordOp, done?: (result: RecordOpResult) => void): void {
    if (this.#isStopped) return;
    const id = targetId(op.kind === 'delete' ? op.target : op.record);
    let state = this.#records.get(id);
    if (state === undefined) {
      state = {
        id,
        node,
        waiting: [],
        isRunning: false,
        isReady: false,
        lane: 'unwaited',
        attempt: 0,
        retryTimer: undefined,
      };
      this.#records.set(id, state);
      const ofNode = this.#byNode.get(node);
      if (ofNode === undefined) this.#byNode.set(node, new Set([state]));
      else ofNode.add(state);
    }
    const before = state.waiting.length;
    const after = appendOp(state.waiting, op, done, state.isRunning);
    this.#pendingOps += after - before;
    if (!state.isReady) {
      if (!state.isRunning && state.retryTimer === undefined) this.#makeReady(state);
    } else if (state.lane === 'unwaited' && done !== undefined) {
      // Someone waits for it now (a create merged into a waiting status): it goes ahead of bookkeeping.
      this.#enqueueReady(state, 'waited');
    }
    this.#pump();
  }

  /** Record writes asked and not yet finished. */
  get pending(): number {
    return this.#pendingOps;
  }

  /** Drops every waiting write of a node (it was deleted); a call in flight finishes. */
  forgetNode(node: NodeName): void {
    this.#ready.waited.delete(node);
    this.#ready.unwaited.delete(node);
    for (const state of [...(this.#byNode.get(node) ?? [])]) {
      clearTimeout(state.retryTimer);
      state.retryTimer = undefined;
      const kept = state.isRunning ? state.waiting.slice(0, 1) : [];
      for (const dropped of state.waiting.slice(kept.length))
        for (const done of dropped.done) done('dropped');
      this.#pendingOps -= state.waiting.length - kept.length;
      state.waiting.splice(0, state.waiting.length, ...kept);
      state.isReady = false;
      if (!state.isRunning) this.#forget(state);
    }
  }

  /** Records known (waiting, running or retrying), all nodes; for tests. */
  get recordCount(): number {
    return this.#records.size;
  }

  #forget(state: RecordState): void {
    this.#records.delete(state.id);
    const ofNode = this.#byNode.get(state.node);
    ofNode?.delete(state);
    if (ofNode?.size === 0) this.#byNode.delete(state.node);
  }

  /** Stops taking writes and waits for the calls in flight; what waits is abandoned. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    clearTimeout(this.#pauseTimer);
    for (const state of this.#records.values()) clearTimeout(state.retryTimer);
    await Promise.all([...this.#running]);
  }

  #makeReady(state: RecordState): void {
    if (state.isReady || state.waiting.length === 0) return;
    const isWaitedFor = state.waiting.some((queued) => queued.done.length > 0);
    this.#enqueueReady(state, isWaitedFor ? 'waited' : 'unwaited');
  }

  #enqueueReady(state: RecordState, lane: Lane): void {
    state.isReady = true;
    state.lane = lane;
    const lists = this.#ready[lane];
    const queue = lists.get(state.node);
    if (queue === undefined) lists.set(state.node, [state]);
    else queue.push(state);
  }

  /**
   * The next ready record: the waited lane first but for one take in {@link unwaitedShare}, and the
   * unwaited lane only below its own cap.
   */
  #takeReady(): RecordState | undefined {
    if (this.#runningUnwaited >= this.#unwaitedConcurrency) return this.#takeFrom('waited');
    const first: Lane = this.#waitedStreak >= unwaitedShare - 1 ? 'unwaited' : 'waited';
    const state = this.#takeFrom(first) ?? this.#takeFrom(first === 'waited' ? 'unwaited' : 'waited');
    if (state !== undefined) this.#waitedStreak = state.lane === 'waited' ? this.#waitedStreak + 1 : 0;
    return state;
  }

  /** The next ready record of a lane, taking nodes in turn and skipping stale entries. */
  #takeFrom(lane: Lane): RecordState | undefined {
    const lists = this.#ready[lane];
    for (const [node, queue] of lists) {
      lists.delete(node);
      let state = queue.shift();
      while (state !== undefined && !(state.isReady && state.lane === lane)) state = queue.shift();
      if (queue.length > 0) lists.set(node, queue);
      if (state === undefined) continue;
      state.isReady = false;
      return state;
    }
    return undefined;
  }

  #pump(): void {
    if (this.#isStopped) return;
    const now = Date.now();
    if (now < this.#pausedUntil) {
      this.#pauseTimer ??= setTimeout(() => {
        this.#pauseTimer = undefined;
        this.#pump();
      }, this.#pausedUntil - now).unref();
      return;
    }
    while (this.#running.size < this.#concurrency) {
      const state = this.#takeReady();
      if (state === undefined) return;
      const head = state.waiting[0];
      if (head === undefined) continue;
      state.isRunning = true;
      const isUnwaited = state.lane === 'unwaited';
      if (isUnwaited) this.#runningUnwaited += 1;
      const running: Promise<void> = this.#run(state, head).finally(() => {
        this.#running.delete(running);
        if (isUnwaited) this.#runningUnwaited -= 1;
        state.isRunning = false;
        if (state.waiting.length === 0 && state.retryTimer === undefined) this.#forget(state);
        else if (state.retryTimer === undefined) this.#makeReady(state);
        this.#pump();
      });
      this.#running.add(running);
    }
  }

  async #run(state: RecordState, head: QueuedOp): Promise<void> {
    const op = head.op;
    let outcome: RecordOpResult | 'retry';
    try {
      await this.#call(op);
      outcome = 'written';
      this.#options.observer?.onWrite?.(op.kind, 'ok');
    } catch (err) {
      outcome = await this.#onFailure(state, op, err);
    }
    if (outcome === 'retry') return;
    state.attempt = 0;
    this.#pauseAttempt = 0;
    state.waiting.shift();
    this.#pendingOps -= 1;
    for (const done of head.done) done(outcome);
  }

  async #onFailure(state: RecordState, op: RecordOp, err: unknown): Promise<RecordOpResult | 'retry'> {
    const { verb, path } = describe(op);
    const failure = toApiError(err, { verb, resource: path });
    const decision = decideFailure(op, failure.action, failure.status);
    switch (decision.kind) {
      case 'done':
        this.#options.observer?.onWrite?.(op.kind, 'ok');
        return 'written';
      case 'create-first': {
        // Only a status write is told to create first; its record is the one to create.
        const record = op.kind === 'delete' ? undefined : op.record;
        if (record === undefined) return 'dropped';
        try {
          await this.#create(record);
          await this.#call(op);
          this.#options.observer?.onWrite?.(op.kind, 'ok');
          return 'written';
        } catch (again) {
          return this.#onFailure(state, { kind: 'create', record }, again);
        }
      }
      case 'drop':
        this.#options.observer?.onWrite?.(op.kind, 'dropped');
        this.#warn(
          `drop:${String(failure.status)}`,
          op,
          failure.message,
          'Gave up a record write that cannot succeed',
        );
        return 'dropped';
      case 'retry':
        this.#options.observer?.onWrite?.(op.kind, 'failed');
        this.#warn(`retry:${String(failure.status)}`, op, failure.message, 'A record write failed; retrying');
        // The API server away (or throttling): the whole writer pauses and this record goes back in line,
        // so every record resumes within one pause of its return (a backoff per record had grown to 30 s
        // during a long outage). A refusal of this record alone (403) backs off on its own.
        if (failure.action === 'retry' || failure.action === 'relist') this.#pause(failure.retryAfterMs);
        else this.#scheduleRetry(state);
        return 'retry';
    }
  }

  #scheduleRetry(state: RecordState): void {
    const random = this.#options.random ?? Math.random;
    const delayMs = proportionalJitterDelayMs(
      state.attempt,
      this.#options.retryBackoff ?? defaultRetryBackoff,
      0.5,
      random(),
    );
    state.attempt += 1;
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      this.#makeReady(state);
      this.#pump();
    }, delayMs).unref();
  }

  /** The API server did not answer: no new write starts for a while (one probe per interval). */
  #pause(retryAfterMs: number | undefined): void {
    const delayMs = Math.max(
      retryAfterMs ?? 0,
      exponentialDelayMs(this.#pauseAttempt, this.#options.pauseBackoff ?? defaultPauseBackoff),
    );
    this.#pauseAttempt += 1;
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delayMs);
  }

  #warn(kind: string, op: RecordOp, message: string, text: string): void {
    const verdict = this.#warnings.admit(kind, Date.now());
    if (!verdict.admit) return;
    const target = op.kind === 'delete' ? op.target : op.record;
    this.#options.logger.warn(
      { record: targetId(target), operation: op.kind, err: message, suppressed: verdict.suppressed },
      text,
    );
  }

  async #call(op: RecordOp): Promise<void> {
    const client = this.#options.client;
    switch (op.kind) {
      case 'create':
        await this.#create(op.record);
        return;
      case 'status':
        await client.request({
          method: 'PATCH',
          path: `${recordPath(op.record)}/status`,
          contentType: 'application/merge-patch+json',
          body: recordStatusPatch(op.resourceVersion),
          priority: 'records',
        });
        return;
      case 'delete':
        await client.request({ method: 'DELETE', path: recordPath(op.target), priority: 'records' });
        return;
    }
  }

  async #create(record: SyncRecord): Promise<void> {
    try {
      await this.#options.client.request({
        method: 'POST',
        path: collectionPath(record),
        body: recordBody(record),
        priority: 'records',
      });
    } catch (err) {
      // Already there: what a create wants.
      if (toApiError(err, { verb: 'POST', resource: recordPath(record) }).action !== 'reread') throw err;
    }
  }
}

function describe(op: RecordOp): { verb: string; path: string } {
  switch (op.kind) {
    case 'create':
      return { verb: 'POST', path: recordPath(op.record) };
    case 'status':
      return { verb: 'PATCH', path: `${recordPath(op.record)}/status` };
    case 'delete':
      return { verb: 'DELETE', path: recordPath(op.target) };
  }
}

/** The collection a record is created in. */
export function collectionPath(target: RecordTarget): string {
  return target.recordKind === 'ObjectSync'
    ? `/apis/${reliableSyncsApiVersion}/namespaces/${target.namespace ?? ''}/objectsyncs`
    : `/apis/${reliableSyncsApiVersion}/clusterobjectsyncs`;
}

/** A record's own path. */
export function recordPath(target: RecordTarget): string {
  return `${collectionPath(target)}/${target.name}`;
}
