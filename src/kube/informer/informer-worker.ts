/**
 * The informer: one list-watch of one collection, a local cache with indexes, and event handlers.
 * Stages share one informer per kind for the whole process: informer-factory.ts builds them, once, for
 * the composition root (controller.ts), which hands the factory to the stages; managers register
 * handlers that enqueue keys and read objects from {@link Informer.store}.
 *
 * Why not client-node's `ListWatch` (2.0.1, dist/cache.js + watch.js)? 2.x fixed some of 1.4's gaps: the
 * watch uses the KubeConfig's undici stack instead of a node-fetch agent, it has a 30 s inactivity abort
 * that reconnects, and reconnects back off (1 s doubling to 30 s, no jitter). Still missing, and all
 * needed here: the list is one unpaginated `listFn` call (100k pods do not fit in one string); no
 * `allowWatchBookmarks` and no `timeoutSeconds`, so on a quiet collection the 30 s inactivity abort
 * fires every 30 s; any other watch or list error fires `error` and stops for good; handlers run inside
 * an `async` watch callback, so a throwing handler becomes an unhandled rejection that ends the process;
 * `update` carries no old object and a relist's delete has no "final state unknown" mark; the only
 * index is namespace/name; list items come typed (`Date`) while watch objects stay raw JSON; and
 * `applySecurityAuthentication` builds a new undici Agent on every call, so every list and every
 * reconnect opens a new TLS connection. This is a small replacement over `KubeClient`'s one pool.
 *
 * Loop: list (paginated) → replace the store, emit the differences, mark synced → watch from the list's
 * resourceVersion with bookmarks → on a normal end or watchdog, watch again from the last resourceVersion
 * seen → on 410 Gone, relist → on any other failure, back off (exponential, jittered) and resume. It
 * never stops on its own: only its signal or {@link Informer.stop} ends it.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isEdgeControllerError } from '../../errors/index.js';
import type { EdgeControllerError } from '../../errors/index.js';
import type { Logger } from '../../observability/index.js';
import { ApiError, toApiError } from '../api-errors.js';
import { backoffDelayMs, watchTimeoutSeconds } from './backoff.js';
import { InformerError } from './informer-error.js';
import { resolveInformerOptions } from './informer-options.js';
import type {
  InformerClock,
  InformerObserver,
  InformerOptions,
  ResolvedInformerOptions,
  WatchRestartReason,
} from './informer-options.js';
import { listAll } from './list-pager.js';
import type { DeepReadonly, KubeObject } from './object.js';
import { Store } from './store.js';
import type { IndexFunc, InformerEvent, StoreReader } from './store.js';
import { WarnLimiter } from '../../warnings/index.js';
import { runWatch } from './watch-stream.js';
import type { AppliedWatchEvent } from './watch-stream.js';

/** Receives informer events. Runs synchronously, in event order; should only enqueue keys. */
export type InformerEventHandler<T> = (event: InformerEvent<T>) => void;

const systemClock: InformerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/**
 * A shared informer (client-go `SharedIndexInformer`). Guarantees: events reach handlers in the order
 * the store changed; a handler that throws is logged and counted and the others still run; `update`
 * carries the previous object; after a relist, objects that vanished are deleted with
 * `finalStateUnknown: true`. Not promised: seeing every intermediate version (a relist or a resumed
 * watch may fold several changes into one update), or any order across informers.
 */
export class Informer<T extends KubeObject> {
  /** Name in logs and observer calls. */
  readonly name: string;
  /** The cache. Filled by the first list; read it after {@link whenSynced}. */
  readonly store: StoreReader<T>;
  readonly #store = new Store<T>();
  readonly #options: ResolvedInformerOptions<T>;
  readonly #clock: InformerClock;
  readonly #random: () => number;
  readonly #log: Logger | undefined;
  readonly #observer: InformerObserver | undefined;
  readonly #warnings: WarnLimiter;
  readonly #handlers = new Set<InformerEventHandler<T>>();
  readonly #synced = Promise.withResolvers<undefined>();
  readonly #stopper = new AbortController();
  #hasSynced = false;
  #resourceVersion: string | undefined;
  #running: Promise<void> | undefined;

  /** Validates the options (`EC_CONFIG_INVALID`) and registers `options.indexes`. Starts nothing. */
  constructor(options: InformerOptions<T>) {
    this.#options = resolveInformerOptions(options);
    this.name = this.#options.name;
    this.store = this.#store;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.logger;
    this.#observer = options.observer;
    this.#warnings = new WarnLimiter({ intervalMs: this.#options.warnIntervalMs });
    for (const [name, fn] of Object.entries(options.indexes ?? {})) this.addIndex(name, fn);
    // Marks the promise handled; callers of whenSynced() still see the rejection.
    this.#synced.promise.catch(() => undefined);
  }

  /** True once the first full list is in the store and its events were delivered. Stays true. */
  get hasSynced(): boolean {
    return this.#hasSynced;
  }

  /**
   * Resolves once {@link hasSynced}; rejects with `EC_INFORMER_STOPPED` if the informer stops first.
   * A failing API server delays it (the informer keeps retrying); it never rejects for that.
   */
  whenSynced(): Promise<void> {
    return this.#synced.promise;
  }

  /** The resourceVersion the next watch resumes from; `undefined` before the first list or while relisting. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /**
   * Adds an index (filled from the objects already held). A throwing index function is counted as a
   * handler error and the object is left out of that index. Throws if the name is taken.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.#store.addIndex(name, (object) => {
      try {
        return fn(object);
      } catch (err) {
        this.#handlerFailed(err, 'index');
        return [];
      }
    });
  }

  /**
   * Registers a handler and returns its removal. A handler added while the store holds objects first
   * gets an `add` for each of them, synchronously (client-go `AddEventHandler`), so late handlers miss
   * nothing.
   */
  onEvent(handler: InformerEventHandler<T>): () => void {
    this.#handlers.add(handler);
    for (const object of this.#store.list()) this.#call(handler, { type: 'add', object });
    return () => {
      this.#handlers.delete(handler);
    };
  }

  /** Starts the list-watch loop in the background; it runs until `signal` aborts or {@link stop}. Once only. */
  start(signal: AbortSignal): void {
    if (this.#running !== undefined) throw new Error(`informer ${this.name} was already started`);
    const combined = AbortSignal.any([signal, this.#stopper.signal]);
    this.#running = this.#run(combined).catch((err: unknown) => {
      this.#log?.error({ resource: this.name, err }, 'Informer loop failed');
    });
  }

  /** Stops the loop and closes its requests; resolves once it has ended. Safe to call twice or before start. */
  async stop(): Promise<void> {
    this.#stopper.abort();
    if (this.#running === undefined) this.#rejectSynced();
    await this.#running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const o = this.#options;
    this.#log?.info({ resource: this.name, path: o.path }, 'Informer started');
    // A function, not `signal.aborted` inline: TypeScript would narrow it to false across the awaits.
    const isStopped = (): boolean => signal.aborted;
    let failures = 0;
    while (!isStopped()) {
      let reason: WatchRestartReason;
      let retryAfterMs = 0;
      let phase: 'LIST' | 'WATCH' = this.#resourceVersion === undefined ? 'LIST' : 'WATCH';
      const isAfterList = phase === 'LIST';
      let delivered = 0;
      // 410 right after a fresh list, before anything arrived, would relist in a loop if a server kept
      // doing it: back off then. A 410 after a working watch (a restarted server) relists at once.
      const failuresAfterGone = (): number => (isAfterList && delivered === 0 ? failures + 1 : 0);
      try {
        if (phase === 'LIST') await this.#list(signal);
        phase = 'WATCH';
        const startedMs = this.#clock.now();
        const end = await runWatch<T>({
          ...this.#selectors(),
          client: o.client,
          path: o.path,
          resourceVersion: this.#resourceVersion ?? '',
          timeoutSeconds: watchTimeoutSeconds(o, this.#random()),
          watchdogMs: o.watchdogMs,
          maxLineChars: o.maxLineChars,
          stripManagedFields: o.stripManagedFields,
          clock: this.#clock,
          signal,
          onEvent: (event) => {
            delivered += 1;
            this.#observe((observer) => observer.onHeard?.(this.name));
            this.#apply(event);
          },
          onMalformed: () => {
            this.#malformed('line');
          },
        });
        reason = end.reason;
        const isHealthy = end.events > 0 || this.#clock.now() - startedMs >= o.minHealthyWatchMs;
        if (end.reason === 'gone') this.#resourceVersion = undefined;
        failures = end.reason === 'gone' ? failuresAfterGone() : isHealthy ? 0 : failures + 1;
      } catch (err) {
        if (isStopped()) break;
        const failure = classify(err, phase, o.path);
        if (failure instanceof ApiError && failure.action === 'relist' && phase === 'WATCH') {
          this.#resourceVersion = undefined;
          reason = 'gone';
          failures = failuresAfterGone();
        } else {
          // A watch that delivered something was healthy until it broke: a new streak starts.
          failures = delivered > 0 ? 1 : failures + 1;
          reason = 'error';
          retryAfterMs = failure instanceof ApiError ? (failure.retryAfterMs ?? 0) : 0;
          this.#warn(
            'apiFailure',
            { err: failure, failures },
            phase === 'LIST' ? 'Informer list failed' : 'Informer watch failed',
          );
        }
      }
      this.#observe((observer) => observer.onWatchRestart?.(this.name, reason));
      if (reason === 'gone') this.#log?.info({ resource: this.name }, 'Informer watch expired, relisting');
      const waitMs = Math.max(backoffDelayMs(failures, o, this.#random()), retryAfterMs);
      if (waitMs > 0 && !isStopped()) await this.#clock.sleep(waitMs, signal).catch(() => undefined);
    }
    this.#rejectSynced();
    this.#log?.info({ resource: this.name }, 'Informer stopped');
  }

  async #list(signal: AbortSignal): Promise<void> {
    const o = this.#options;
    const startedMs = this.#clock.now();
    const list = await listAll<T>({ ...o, signal });
    const transform = o.transform;
    const items = transform === undefined ? list.items : list.items.map((item) => transform(item));
    const events = this.#store.replace(items as DeepReadonly<T>[]);
    this.#resourceVersion = list.resourceVersion;
    for (const event of events) this.#emit(event);
    for (let i = 0; i < list.skipped; i += 1) this.#malformed('item');
    const durationMs = this.#clock.now() - startedMs;
    this.#observe((observer) => {
      observer.onList?.(this.name, { durationMs, items: list.items.length, pages: list.pages });
      observer.onHeard?.(this.name);
    });
    const fields = {
      resource: this.name,
      items: list.items.length,
      pages: list.pages,
      durationMs: Math.round(durationMs),
    };
    if (this.#hasSynced) {
      this.#log?.info({ ...fields, changes: events.length, restarts: list.restarts }, 'Informer relisted');
      return;
    }
    this.#hasSynced = true;
    this.#synced.resolve(undefined);
    this.#log?.info(fields, 'Informer synced');
  }

  #apply(event: AppliedWatchEvent<T>): void {
    this.#resourceVersion = event.resourceVersion;
    const transform = this.#options.transform;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const object = transform === undefined ? event.object : transform(event.object);
        const change = this.#store.upsert(object as DeepReadonly<T>);
        if (change !== undefined) this.#emit(change);
        return;
      }
      case 'DELETED': {
        const object = transform === undefined ? event.object : transform(event.object);
        const change = this.#store.remove(object as DeepReadonly<T>);
        if (change !== undefined) this.#emit(change);
        return;
      }
      case 'BOOKMARK':
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown watch event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #emit(event: InformerEvent<T>): void {
    this.#observe((observer) => observer.onEvent?.(this.name, event.type));
    // A snapshot: a handler added by a handler gets its replay, not this event twice.
    for (const handler of [...this.#handlers]) if (this.#handlers.has(handler)) this.#call(handler, event);
  }

  #call(handler: InformerEventHandler<T>, event: InformerEvent<T>): void {
    try {
      handler(event);
    } catch (err) {
      this.#handlerFailed(err, 'handler');
    }
  }

  // Absorbed on purpose: a handler's failure is its own; it is counted and warned about, and the
  // informer's other handlers and its cache must not pay for it (client-node 1.x crashed the process).
  #handlerFailed(err: unknown, where: 'handler' | 'index'): void {
    this.#observe((observer) => observer.onHandlerError?.(this.name));
    this.#warn(
      where,
      { err },
      where === 'handler' ? 'Informer event handler threw' : 'Informer index function threw',
    );
  }

  #malformed(what: 'line' | 'item'): void {
    this.#observe((observer) => observer.onMalformed?.(this.name, what));
    this.#warn(`malformed-${what}`, { what }, 'Informer skipped a malformed object');
  }

  #warn(kind: string, fields: Record<string, unknown>, message: string): void {
    if (this.#log === undefined) return;
    const verdict = this.#warnings.admit(kind, this.#clock.now());
    if (verdict.admit)
      this.#log.warn({ resource: this.name, ...fields, suppressed: verdict.suppressed }, message);
  }

  #observe(call: (observer: InformerObserver) => void): void {
    if (this.#observer === undefined) return;
    try {
      call(this.#observer);
    } catch {
      // An observer is a metrics hook; its failure must not change what the informer does.
    }
  }

  #selectors(): { labelSelector?: string; fieldSelector?: string } {
    const { labelSelector, fieldSelector } = this.#options;
    return {
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    };
  }

  #rejectSynced(): void {
    if (!this.#hasSynced) {
      this.#synced.reject(
        new InformerError('EC_INFORMER_STOPPED', `informer ${this.name} stopped before its first list`),
      );
    }
  }
}

function classify(err: unknown, verb: string, path: string): EdgeControllerError {
  return isEdgeControllerError(err) ? err : toApiError(err, { verb, resource: path });
}
