/**
 * The informer's local cache: objects by key plus named secondary indexes, and the events each change
 * produces. Pure and synchronous: the worker feeds it watch events ({@link Store.upsert},
 * {@link Store.remove}) and full lists ({@link Store.replace}) and hands the returned events to handlers.
 * Model: client-go `tools/cache/thread_safe_store.go` (indexers) and kube-rs `reflector/store.rs`.
 * @module
 */
import { keyOf } from './object.js';
import type { DeepReadonly, KubeObject, ObjectKey } from './object.js';

/**
 * One change seen by the informer. A closed union (kube-rs `watcher::Event`):
 * - `add`: an object appeared (watch ADDED, or new in a list);
 * - `update`: its resourceVersion changed; `old` is what the store held before;
 * - `delete`: it is gone. `object` is its last state: the one the watch DELETED event carried
 *   (`finalStateUnknown: false`), or, when a relist found it missing, the last state the store held,
 *   which may be older than the state in which it was deleted (`finalStateUnknown: true`, client-go
 *   `DeletedFinalStateUnknown`).
 */
export type InformerEvent<T> =
  | { readonly type: 'add'; readonly object: DeepReadonly<T> }
  | { readonly type: 'update'; readonly old: DeepReadonly<T>; readonly object: DeepReadonly<T> }
  | { readonly type: 'delete'; readonly object: DeepReadonly<T>; readonly finalStateUnknown: boolean };

/**
 * The values under which an object is indexed, e.g. `(pod) => [pod.spec.nodeName]`. Must be pure, fast
 * and must not throw; an object may have any number of values, duplicates are ignored.
 */
export type IndexFunc<T> = (object: DeepReadonly<T>) => readonly string[];

/** What consumers may read. Returned arrays are fresh; the objects in them are shared, read-only. */
export interface StoreReader<T> {
  /** Number of objects held. */
  readonly size: number;
  /** The object under `key`, if any. */
  get(key: ObjectKey): DeepReadonly<T> | undefined;
  /** Every object, in no promised order. */
  list(): DeepReadonly<T>[];
  /** Every key, in no promised order. */
  keys(): ObjectKey[];
  /** Objects whose index `indexName` yields `value`. Throws if no such index was registered. */
  byIndex(indexName: string, value: string): DeepReadonly<T>[];
  /** Keys of the objects whose index `indexName` yields `value`. Throws if no such index was registered. */
  indexKeys(indexName: string, value: string): ObjectKey[];
}

interface Index<T> {
  readonly fn: IndexFunc<T>;
  readonly entries: Map<string, Set<ObjectKey>>;
}

/** A keyed cache with indexes. Not thread-safe by design: JavaScript runs it on one thread. */
export class Store<T extends KubeObject> implements StoreReader<T> {
  readonly #objects = new Map<ObjectKey, DeepReadonly<T>>();
  readonly #indexes = new Map<string, Index<T>>();

  get size(): number {
    return this.#objects.size;
  }

  get(key: ObjectKey): DeepReadonly<T> | undefined {
    return this.#objects.get(key);
  }

  list(): DeepReadonly<T>[] {
    return [...this.#objects.values()];
  }

  keys(): ObjectKey[] {
    return [...this.#objects.keys()];
  }

  /** Registers an index and fills it from the objects already held. Throws if the name is taken. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexes.has(name)) throw new Error(`index ${name} is already registered`);
    const index: Index<T> = { fn, entries: new Map() };
    this.#indexes.set(name, index);
    for (const [key, object] of this.#objects) addToIndex(index, key, object);
  }

  byIndex(indexName: string, value: string): DeepReadonly<T>[] {
    const out: DeepReadonly<T>[] = [];
    for (const key of this.#index(indexName).entries.get(value) ?? []) {
      const object = this.#objects.get(key);
      if (object !== undefined) out.push(object);
    }
    return out;
  }

  indexKeys(indexName: string, value: string): ObjectKey[] {
    return [...(this.#index(indexName).entries.get(value) ?? [])];
  }

  /**
   * Stores an object from a watch ADDED or MODIFIED event. Returns `add` if the key was new, `update` if
   * its resourceVersion changed, and nothing if the store already held this version.
   */
  upsert(object: DeepReadonly<T>): InformerEvent<T> | undefined {
    const key = keyOf(object);
    const old = this.#objects.get(key);
    if (old !== undefined && isSameVersion(old, object)) return undefined;
    this.#set(key, old, object);
    return old === undefined ? { type: 'add', object } : { type: 'update', old, object };
  }

  /** Drops an object on a watch DELETED event. Returns `delete` with the event's object, if it was held. */
  remove(object: DeepReadonly<T>): InformerEvent<T> | undefined {
    const key = keyOf(object);
    const old = this.#objects.get(key);
    if (old === undefined) return undefined;
    this.#delete(key, old);
    return { type: 'delete', object, finalStateUnknown: false };
  }

  /**
   * Makes the store hold exactly `objects` (a full list) and returns what changed: `add` and `update`
   * in list order, then `delete` with `finalStateUnknown: true` for each object the list no longer has.
   * An object whose resourceVersion is unchanged produces no event and keeps its old instance.
   */
  replace(objects: readonly DeepReadonly<T>[]): InformerEvent<T>[] {
    const events: InformerEvent<T>[] = [];
    const seen = new Set<ObjectKey>();
    for (const object of objects) {
      const key = keyOf(object);
      seen.add(key);
      const old = this.#objects.get(key);
      if (old !== undefined && isSameVersion(old, object)) continue;
      this.#set(key, old, object);
      events.push(old === undefined ? { type: 'add', object } : { type: 'update', old, object });
    }
    for (const [key, old] of this.#objects) {
      if (seen.has(key)) continue;
      this.#delete(key, old);
      events.push({ type: 'delete', object: old, finalStateUnknown: true });
    }
    return events;
  }

  #index(name: string): Index<T> {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new Error(`no index named ${name}`);
    return index;
  }

  #set(key: ObjectKey, old: DeepReadonly<T> | undefined, object: DeepReadonly<T>): void {
    for (const index of this.#indexes.values()) {
      if (old !== undefined) removeFromIndex(index, key, old);
      addToIndex(index, key, object);
    }
    this.#objects.set(key, object);
  }

  #delete(key: ObjectKey, old: DeepReadonly<T>): void {
    for (const index of this.#indexes.values()) removeFromIndex(index, key, old);
    this.#objects.delete(key);
  }
}

function isSameVersion(a: DeepReadonly<KubeObject>, b: DeepReadonly<KubeObject>): boolean {
  const version = a.metadata.resourceVersion;
  return version !== undefined && version === b.metadata.resourceVersion;
}

function addToIndex<T>(index: Index<T>, key: ObjectKey, object: DeepReadonly<T>): void {
  for (const value of index.fn(object)) {
    let keys = index.entries.get(value);
    if (keys === undefined) index.entries.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function removeFromIndex<T>(index: Index<T>, key: ObjectKey, object: DeepReadonly<T>): void {
  for (const value of index.fn(object)) {
    const keys = index.entries.get(value);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.entries.delete(value);
  }
}
