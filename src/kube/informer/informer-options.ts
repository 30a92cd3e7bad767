/**
 * Options of an {@link Informer}: every field with its unit and default, the defaults in one frozen
 * object, validation that names the field, and the narrow interfaces an informer needs from outside
 * (API client, clock, observer). Pure.
 * @module
 */
import { EdgeControllerError } from '../../errors/index.js';
import type { Logger } from '../../observability/index.js';
import type { KubeClient } from '../client.js';
import type { KubeObject } from './object.js';
import type { IndexFunc } from './store.js';

/** What the informer needs from the API client: {@link KubeClient} satisfies it. */
export type ListWatchClient = Pick<KubeClient, 'request' | 'openStream'>;

/** Time, injected so that tests step it (STYLE.md rule 37). */
export interface InformerClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with `signal.reason` once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Why a watch was restarted. */
export type WatchRestartReason =
  /** The server ended the watch (its `timeoutSeconds` passed); resumed from the last resourceVersion. */
  | 'closed'
  /** Nothing arrived, bookmarks included, for `watchdogMs`; resumed from the last resourceVersion. */
  | 'watchdog'
  /** 410 Gone: the resourceVersion is too old to resume from; relisted. */
  | 'gone'
  /** The watch or list failed (network, 5xx, 403, malformed reply); retried after a backoff. */
  | 'error';

/**
 * Counters an informer reports; the composition root (controller.ts) wires them to metrics through the
 * shared-informer factory. Every callback gets the informer's `name`. Callbacks must be cheap; one that
 * throws is ignored.
 */
export interface InformerObserver {
  /** A full (paginated) list completed: the first one, or a relist. */
  onList?(
    informer: string,
    list: { readonly durationMs: number; readonly items: number; readonly pages: number },
  ): void;
  /** A watch ended and is being restarted. */
  onWatchRestart?(informer: string, reason: WatchRestartReason): void;
  /** The store changed and handlers got this event (once per event, whatever the number of handlers). */
  onEvent?(informer: string, type: 'add' | 'update' | 'delete'): void;
  /** The API server was heard from: a list completed, or a watch event (bookmarks included) arrived. */
  onHeard?(informer: string): void;
  /** An event handler threw; the informer went on. */
  onHandlerError?(informer: string): void;
  /** A watch line or list item was malformed and skipped. */
  onMalformed?(informer: string, what: 'line' | 'item'): void;
}

/** Options of {@link Informer}. Durations in ms unless the name says seconds. */
export interface InformerOptions<T extends KubeObject> {
  /** The API client; its one connection pool carries lists and watches. */
  readonly client: ListWatchClient;
  /**
   * The collection path, without query: `/api/v1/pods`, `/api/v1/namespaces/<ns>/configmaps`,
   * `/apis/reliablesyncs.kubeedge.io/v1alpha1/objectsyncs`. Required.
   */
  readonly path: string;
  /** Name in logs and observer calls, e.g. `pods`. Default: the path. */
  readonly name?: string;
  /** Label selector of list and watch, e.g. `node-role.kubernetes.io/edge`. Default: none. */
  readonly labelSelector?: string;
  /** Field selector of list and watch, e.g. `spec.nodeName!=`. Default: none. */
  readonly fieldSelector?: string;
  /** Indexes to register before the first list, by name. Default: none. */
  readonly indexes?: Readonly<Record<string, IndexFunc<T>>>;
  /** Items per list page (`limit`). Default 500. */
  readonly pageSize?: number;
  /**
   * Reshapes every object before it enters the store (client-go `SetTransform`), e.g. to drop fields no
   * reader needs. Must be pure and return an object with the same namespace/name. Default: none.
   */
  readonly transform?: (object: T) => T;
  /** Delete `metadata.managedFields` from every object as it is parsed. Default true. */
  readonly stripManagedFields?: boolean;
  /** Each watch asks the server to end it after a random time in [min, max) seconds. Default 300 / 600. */
  readonly minWatchTimeoutSeconds?: number;
  readonly maxWatchTimeoutSeconds?: number;
  /** Restart a watch on which nothing (bookmarks included) arrived for this long. Default 180,000. */
  readonly watchdogMs?: number;
  /** Retry delay after the first failure, doubling up to the max. Default 800 / 30,000 (client-go). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Fraction of each delay randomized downwards, in [0, 1]. Default 0.5. */
  readonly backoffJitter?: number;
  /** A watch that ends sooner than this having delivered nothing counts as a failure. Default 1,000. */
  readonly minHealthyWatchMs?: number;
  /** Times a list restarts from page one when its `continue` token expires (410). Default 3. */
  readonly maxListRestarts?: number;
  /** Longest watch line accepted, in characters; longer ones are skipped. Default 16 Mi. */
  readonly maxLineChars?: number;
  /** At most one warning per fault kind per interval. Default 30,000. */
  readonly warnIntervalMs?: number;
  /** Logger for lifecycle (info) and faults (warn). Never receives object contents. Default: silent. */
  readonly logger?: Logger;
  /** Counters for metrics. Default: none. */
  readonly observer?: InformerObserver;
  /** Default: `performance.now` and timers. */
  readonly clock?: InformerClock;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** The fields of {@link InformerOptions} that have a default. */
export type InformerDefaults = Required<
  Pick<
    InformerOptions<KubeObject>,
    | 'pageSize'
    | 'stripManagedFields'
    | 'minWatchTimeoutSeconds'
    | 'maxWatchTimeoutSeconds'
    | 'watchdogMs'
    | 'initialBackoffMs'
    | 'maxBackoffMs'
    | 'backoffJitter'
    | 'minHealthyWatchMs'
    | 'maxListRestarts'
    | 'maxLineChars'
    | 'warnIntervalMs'
  >
>;

/** The numeric and boolean defaults of {@link InformerOptions}. */
export const informerDefaults: Readonly<InformerDefaults> = Object.freeze({
  pageSize: 500,
  stripManagedFields: true,
  minWatchTimeoutSeconds: 300,
  maxWatchTimeoutSeconds: 600,
  watchdogMs: 180_000,
  initialBackoffMs: 800,
  maxBackoffMs: 30_000,
  backoffJitter: 0.5,
  minHealthyWatchMs: 1_000,
  maxListRestarts: 3,
  maxLineChars: 16 * 1024 * 1024,
  warnIntervalMs: 30_000,
});

/** Options after defaults; the optional collaborators stay optional. */
export type ResolvedInformerOptions<T extends KubeObject> = InformerOptions<T> &
  InformerDefaults & { readonly name: string };

/** Merges the defaults under `options` and rejects values that cannot work, naming the field. */
export function resolveInformerOptions<T extends KubeObject>(
  options: InformerOptions<T>,
): ResolvedInformerOptions<T> {
  const resolved = { ...informerDefaults, ...options, name: options.name ?? options.path };
  const fail = (field: string, fix: string): never => {
    throw new EdgeControllerError('EC_CONFIG_INVALID', `informer ${resolved.name}: ${field} ${fix}`);
  };
  if (!/^\/apis?\//.test(resolved.path) || resolved.path.includes('?'))
    fail('path', 'must be a collection path starting with /api/ or /apis/, without a query');
  const positiveIntegers = ['pageSize', 'minWatchTimeoutSeconds', 'maxLineChars'] as const;
  for (const field of positiveIntegers)
    if (!Number.isInteger(resolved[field]) || resolved[field] < 1) fail(field, 'must be an integer >= 1');
  if (!(resolved.maxWatchTimeoutSeconds >= resolved.minWatchTimeoutSeconds))
    fail('maxWatchTimeoutSeconds', 'must be >= minWatchTimeoutSeconds');
  const positive = ['watchdogMs', 'warnIntervalMs'] as const;
  for (const field of positive) if (!(resolved[field] > 0)) fail(field, 'must be > 0');
  const nonNegative = ['initialBackoffMs', 'maxBackoffMs', 'minHealthyWatchMs', 'maxListRestarts'] as const;
  for (const field of nonNegative) if (!(resolved[field] >= 0)) fail(field, 'must be >= 0');
  if (!(resolved.backoffJitter >= 0 && resolved.backoffJitter <= 1))
    fail('backoffJitter', 'must be in [0, 1]');
  return resolved;
}
