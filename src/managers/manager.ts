/**
 * A manager (KubeEdge edgecontroller `manager/*.go`): one shared informer for one kind, and its events as
 * a typed stream tagged with the kind, after the kind's filter. The downstream worker subscribes to the
 * four managers; everything after the filter is pure planning (downstream/plan.ts).
 * @module
 */
import { Informer } from '../kube/index.js';
import type {
  IndexFunc,
  InformerEvent,
  InformerObserver,
  KubeClient,
  KubeObject,
  StoreReader,
} from '../kube/index.js';
import type { Logger } from '../observability/index.js';

/** The kinds with a manager. */
export type ManagedKind = 'Pod' | 'ConfigMap' | 'Secret' | 'Node';

/** One informer event, as the managers pass it on (objects are the store's, read-only). */
export type ManagedEvent<T> = InformerEvent<T>;

/** What every manager is built from. */
export interface ManagerOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly observer?: InformerObserver;
}

/** What defines one kind's manager. */
export interface ManagerSpec<T extends KubeObject> {
  readonly kind: ManagedKind;
  /** Collection path for all namespaces, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly name: string;
  readonly indexes?: Readonly<Record<string, IndexFunc<T>>>;
  /** Events that pass; default: all. Pure. */
  readonly filter?: (event: ManagedEvent<T>) => boolean;
}

/** An informer for one kind plus its filtered, typed event stream. */
export class Manager<T extends KubeObject> {
  readonly kind: ManagedKind;
  readonly informer: Informer<T>;
  readonly #filter: (event: ManagedEvent<T>) => boolean;

  constructor(spec: ManagerSpec<T>, options: ManagerOptions) {
    this.kind = spec.kind;
    this.#filter = spec.filter ?? (() => true);
    this.informer = new Informer<T>({
      client: options.client,
      logger: options.logger,
      path: spec.path,
      name: spec.name,
      ...(spec.indexes !== undefined ? { indexes: spec.indexes } : {}),
      ...(options.observer !== undefined ? { observer: options.observer } : {}),
    });
  }

  get store(): StoreReader<T> {
    return this.informer.store;
  }

  /** Subscribes to the events that pass the kind's filter. Returns the unsubscribe function. */
  onEvent(handler: (event: ManagedEvent<T>) => void): () => void {
    return this.informer.onEvent((event) => {
      if (this.#filter(event)) handler(event);
    });
  }

  start(signal: AbortSignal): void {
    this.informer.start(signal);
  }

  whenSynced(): Promise<void> {
    return this.informer.whenSynced();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}
