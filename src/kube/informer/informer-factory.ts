/**
 * The shared-informer factory (client-go `SharedInformerFactory`): the one place informers are built.
 * The composition root (controller.ts) makes one factory with the API client, the logger and the metrics
 * observer, and hands it to the stages; each stage asks it for the collections it needs, with that
 * informer's own selectors, indexes and transform. Asking twice for the same name returns the same
 * informer, so two stages watching one collection cost one list-watch.
 *
 * Like client-go's `Start`, {@link InformerFactory.start} starts every informer asked for and not yet
 * started, and may be called again: a stage that can only watch after a step of its own (reliable sync
 * installs its CRDs first) asks for its informers then and calls `start` once more.
 * {@link InformerFactory.stop} stops them all; it is the only stop an informer gets.
 * @module
 */
import { EdgeControllerError } from '../../errors/index.js';
import type { Logger } from '../../observability/index.js';
import { Informer } from './informer-worker.js';
import type { InformerObserver, InformerOptions, ListWatchClient } from './informer-options.js';
import type { KubeObject } from './object.js';

/** What one informer is built from: the per-informer part of {@link InformerOptions}. */
export type InformerSpec<T extends KubeObject> = Omit<
  InformerOptions<T>,
  'client' | 'logger' | 'observer'
> & {
  /** Required here: the factory shares informers by name, and metrics label them with it. */
  readonly name: string;
};

/** What a stage needs from the factory (the narrow interface it declares, STYLE.md B2 rule 7). */
export interface SharedInformers {
  /** The informer of `spec.name`, built on first request. Throws if the name is taken by another spec. */
  informerFor<T extends KubeObject>(spec: InformerSpec<T>): Informer<T>;
  /** Starts every informer asked for and not yet started. */
  start(signal: AbortSignal): void;
}

/** Options of {@link InformerFactory}: what every informer shares. */
export interface InformerFactoryOptions {
  /** The API client; its one connection pool carries every list and watch. Required. */
  readonly client: ListWatchClient;
  /** Lifecycle and fault logs of every informer. Default: silent. */
  readonly logger?: Logger;
  /** The metrics hook of every informer. Default: none. */
  readonly observer?: InformerObserver;
}

/** Builds each informer once, shares it by name, starts and stops them all. */
export class InformerFactory implements SharedInformers {
  readonly #options: InformerFactoryOptions;
  readonly #informers = new Map<
    string,
    { readonly spec: InformerSpec<never>; readonly informer: Informer<never> }
  >();
  readonly #started = new Set<string>();

  constructor(options: InformerFactoryOptions) {
    this.#options = options;
  }

  informerFor<T extends KubeObject>(spec: InformerSpec<T>): Informer<T> {
    const existing = this.#informers.get(spec.name);
    if (existing !== undefined) {
      // Sharing is only safe when both asked for the same collection, shaped the same way.
      if (!isSameCollection(existing.spec, spec))
        throw new EdgeControllerError(
          'EC_CONFIG_INVALID',
          `informer ${spec.name}: asked for twice with different paths, selectors or transforms`,
        );
      const informer = existing.informer as unknown as Informer<T>;
      for (const [name, fn] of Object.entries(spec.indexes ?? {}))
        if (!(existing.spec.indexes !== undefined && name in existing.spec.indexes))
          informer.addIndex(name, fn);
      return informer;
    }
    const informer = new Informer<T>({
      ...spec,
      client: this.#options.client,
      ...(this.#options.logger !== undefined ? { logger: this.#options.logger } : {}),
      ...(this.#options.observer !== undefined ? { observer: this.#options.observer } : {}),
    });
    this.#informers.set(spec.name, {
      spec: spec as unknown as InformerSpec<never>,
      informer: informer as unknown as Informer<never>,
    });
    return informer;
  }

  /** The names of the informers built so far, in the order they were asked for. */
  get names(): readonly string[] {
    return [...this.#informers.keys()];
  }

  start(signal: AbortSignal): void {
    for (const [name, { informer }] of this.#informers) {
      if (this.#started.has(name)) continue;
      this.#started.add(name);
      informer.start(signal);
    }
  }

  /** Stops every informer (started or not: a waiter on `whenSynced` of an unstarted one is released). */
  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map(({ informer }) => informer.stop()));
  }
}

function isSameCollection<T extends KubeObject>(a: InformerSpec<never>, b: InformerSpec<T>): boolean {
  return (
    a.path === b.path &&
    a.labelSelector === b.labelSelector &&
    a.fieldSelector === b.fieldSelector &&
    (a.transform as unknown) === (b.transform as unknown)
  );
}
