/**
 * Whether an update is worth pushing: everything in the object counts except the bookkeeping the API
 * server changes on writes that change nothing the edge uses. Used for Pods, ConfigMaps, Secrets and
 * Nodes alike.
 *
 * KubeEdge (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/manager/pod.go` isPodUpdated) compares
 * ObjectMeta and Spec with only resourceVersion and generation masked, so a status change is pushed in
 * practice: the API server bumps a `managedFields[].time` on every status write (errata Part A W1). We
 * push a status change on purpose (the edge's kubelet keeps its pod copy, status included, from our
 * pushes) and skip what changed only `managedFields`, which would otherwise push on same-second noise.
 * @module
 */
import type { KubeObjectShape } from '../protocol/index.js';

/** `metadata` fields an update may change without being pushed. */
export const ignoredMetadataFields: readonly string[] = Object.freeze([
  'resourceVersion',
  'managedFields',
  'generation',
]);

// Set on the pushed content from the kind table, so their presence on informer objects is noise.
const ignoredTopLevelFields: ReadonlySet<string> = new Set(['apiVersion', 'kind']);
const ignoredMetadataSet: ReadonlySet<string> = new Set(ignoredMetadataFields);

/**
 * Whether `next` differs from `previous` in anything but `metadata.resourceVersion`,
 * `metadata.managedFields`, `metadata.generation`, `apiVersion` and `kind`. Spec, status, labels,
 * annotations, `deletionTimestamp`, finalizers, data: all count. O(size of the objects).
 *
 * Compares JSON values: a property set to `undefined` equals an absent one, and `Date`s compare by time
 * (client-node model objects carry them); any other non-plain object compares by identity.
 */
export function hasMeaningfulChange(previous: KubeObjectShape, next: KubeObjectShape): boolean {
  const a = previous as Readonly<Record<string, unknown>>;
  const b = next as Readonly<Record<string, unknown>>;
  for (const key of unionKeys(a, b)) {
    if (ignoredTopLevelFields.has(key)) continue;
    if (key === 'metadata') {
      if (!isEqualIgnoring(a[key], b[key], ignoredMetadataSet)) return true;
    } else if (!isJsonEqual(a[key], b[key])) {
      return true;
    }
  }
  return false;
}

/** Deep equality of JSON-like values (see {@link hasMeaningfulChange} for the exact rules). */
export function isJsonEqual(a: unknown, b: unknown): boolean {
  return isEqualIgnoring(a, b, noKeys);
}

const noKeys: ReadonlySet<string> = new Set();

function isEqualIgnoring(a: unknown, b: unknown, ignored: ReadonlySet<string>): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => isJsonEqual(item, b[i]));
  }
  const left = a as Readonly<Record<string, unknown>>;
  const right = b as Readonly<Record<string, unknown>>;
  for (const key of unionKeys(left, right)) {
    if (!ignored.has(key) && !isJsonEqual(left[key], right[key])) return false;
  }
  return true;
}

function unionKeys(a: object, b: object): Set<string> {
  const keys = new Set(Object.keys(a));
  for (const key of Object.keys(b)) keys.add(key);
  return keys;
}
