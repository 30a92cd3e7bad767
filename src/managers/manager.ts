/**
 * A manager (KubeEdge edgecontroller `manager/*.go`): one shared informer for one kind, and its events as
 * a typed stream tagged with the kind, after the kind's filter. The downstream worker subscribes to the
 * four managers; everything after the filter is pure planning (downstream/plan.ts).
 *
 * Pure: the manager never builds its informer. It asks the shared-informer factory the composition root
 * hands down (kube/informer/informer-factory.ts), which builds, starts and stops every informer; the
 * lint boundary keeps it that way (eslint.config.js: pure folders import informers as types only).
 * @module
 */
import type {
  IndexFunc,
  Informer,
  InformerEvent,
  InformerSpec,
  KubeObject,
  SharedInformers,
  StoreReader,
} from '../kube/index.js';

/** The kinds with a manager. */
export type ManagedKind = 'Pod' | 'ConfigMap' | 'Secret' | 'Node';

/** One informer event, as the managers pass it on (objects are the store's, read-only). */
export type ManagedEvent<T> = InformerEvent<T>;

/** What every manager is built from: the factory its informer comes from. */
export interface ManagerOptions {
  readonly informers: Pick<SharedInformers, 'informerFor'>;
}

/** What defines one kind's manager. */
export interface ManagerSpec<T extends KubeObject> {
  readonly kind: ManagedKind;
  /** Collection path for all namespaces, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly name: string;
  readonly indexes?: Readonly<Record<string, IndexFunc<T>>>;
  /** Label and field selectors of the list-watch; default none (see node-manager.ts for why). */
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Reshapes each object before it is stored (informer-options.ts `transform`); default none. */
  readonly transform?: (object: T) => T;
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
    this.informer = options.informers.informerFor<T>(informerSpecOf(spec));
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

  /** Resolves once the informer has listed; the factory starts it. */
  whenSynced(): Promise<void> {
    return this.informer.whenSynced();
  }
}

/** The informer part of a manager's spec. */
function informerSpecOf<T extends KubeObject>(spec: ManagerSpec<T>): InformerSpec<T> {
  return {
    path: spec.path,
    name: spec.name,
    ...(spec.indexes !== undefined ? { indexes: spec.indexes } : {}),
    ...(spec.labelSelector !== undefined ? { labelSelector: spec.labelSelector } : {}),
    ...(spec.fieldSelector !== undefined ? { fieldSelector: spec.fieldSelector } : {}),
    ...(spec.transform !== undefined ? { transform: spec.transform } : {}),
  };
}
