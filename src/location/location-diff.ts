/**
 * What a change to the location cache means for the edges, returned as data (STYLE.md rule 6): which
 * nodes gained and which lost an object. The downstream turns a lost ConfigMap or Secret into a `delete`
 * to that node, so the object leaves the edge (KubeEdge never does: field-lessons, spec §3.3); upstream
 * authorization needs no diff, it asks the cache directly.
 * @module
 */
import type { NodeName } from '../protocol/index.js';
import type { RefKey, ObjectRef } from './object-ref.js';
import { compareStrings, refKey } from './object-ref.js';

/** One edge of the graph: `node` needs `object` because at least one of its pods references it. */
export interface LocationEntry {
  readonly node: NodeName;
  readonly object: ObjectRef;
}

/**
 * The net effect of one cache operation.
 *
 * - `gained`: the node's first referencing pod appeared, so the node now needs the object.
 * - `lost`: the node's last referencing pod was deleted, moved or stopped referencing it.
 *
 * Guarantees: each `(node, object)` appears at most once in the whole diff (never both gained and lost);
 * both lists are sorted by node, then by object key. Kinds are not filtered: the downstream acts on
 * ConfigMap and Secret entries and ignores the others.
 */
export interface LocationDiff {
  readonly gained: readonly LocationEntry[];
  readonly lost: readonly LocationEntry[];
}

/** A diff with nothing in it. Frozen; share freely. */
export const emptyDiff: LocationDiff = Object.freeze({
  gained: Object.freeze([]),
  lost: Object.freeze([]),
});

/** Whether the diff changes nothing. */
export function isEmptyDiff(diff: LocationDiff): boolean {
  return diff.gained.length === 0 && diff.lost.length === 0;
}

/** Orders entries by node, then by object key (code-unit order). */
export function compareEntries(a: LocationEntry, b: LocationEntry): number {
  return compareStrings(a.node, b.node) || compareStrings(refKey(a.object), refKey(b.object));
}

/**
 * Collects crossings of the per-node reference count through zero during one operation and nets them:
 * a `(node, object)` that was gained and then lost (or lost and then gained) cancels out.
 */
export class DiffBuilder {
  readonly #gained = new Map<string, LocationEntry>();
  readonly #lost = new Map<string, LocationEntry>();

  /** Records that `node` went from 0 to 1 pods referencing `object`. */
  gain(node: NodeName, object: ObjectRef, key: RefKey): void {
    const id = entryId(node, key);
    if (!this.#lost.delete(id)) this.#gained.set(id, { node, object });
  }

  /** Records that `node` went from 1 to 0 pods referencing `object`. */
  lose(node: NodeName, object: ObjectRef, key: RefKey): void {
    const id = entryId(node, key);
    if (!this.#gained.delete(id)) this.#lost.set(id, { node, object });
  }

  /** The net diff, sorted. */
  build(): LocationDiff {
    if (this.#gained.size === 0 && this.#lost.size === 0) return emptyDiff;
    return {
      gained: [...this.#gained.values()].sort(compareEntries),
      lost: [...this.#lost.values()].sort(compareEntries),
    };
  }
}

// A node name never contains a space, so this separator cannot make two entries collide.
function entryId(node: NodeName, key: RefKey): string {
  return `${node} ${key}`;
}
