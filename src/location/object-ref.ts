/**
 * Object references: the typed `{ kind, namespace, name }` of an object a pod uses, and its branded key
 * `Kind/ns/name`. This is the only module that builds or parses that key (STYLE.md rule 18), so
 * location.go's repeated `fmt.Sprintf("%s/%s")` has one home here.
 *
 * The kinds are the namespaced objects a node may need because of its pods: what the downstream pushes
 * (ConfigMap, Secret) and what upstream node authorization grants (also PersistentVolumeClaim and the
 * ServiceAccount whose tokens the node may request). Kubernetes names and namespaces never contain `/`,
 * so the key splits back unambiguously.
 * @module
 */
import type { Brand } from '../protocol/index.js';

/** The kinds of object a pod can reference, in key order. */
export const objectKinds = ['ConfigMap', 'PersistentVolumeClaim', 'Secret', 'ServiceAccount'] as const;

/** A kind of object a pod can reference. Closed: switch over it exhaustively. */
export type ObjectKind = (typeof objectKinds)[number];

/** A namespaced object a pod references. Plain data; compare by {@link refKey}. */
export interface ObjectRef {
  readonly kind: ObjectKind;
  /** Always the pod's namespace: a pod can only reference objects in its own namespace. */
  readonly namespace: string;
  readonly name: string;
}

/** `Kind/ns/name`, built by {@link refKey} and parsed by {@link parseRefKey} only. */
export type RefKey = Brand<string, 'RefKey'>;

/** Whether `value` is one of {@link objectKinds}. */
export function isObjectKind(value: unknown): value is ObjectKind {
  return typeof value === 'string' && (objectKinds as readonly string[]).includes(value);
}

/**
 * Whether `value` can be a namespace or an object name in a key: non-empty and without `/`. Every valid
 * Kubernetes name passes; a reference to a name that fails can never resolve to an object.
 */
export function isKeySegment(value: string): boolean {
  return value !== '' && !value.includes('/');
}

/**
 * The key `Kind/ns/name` of `ref`. Throws a `RangeError` if the namespace or name is empty or contains
 * `/`: callers pass names that {@link isKeySegment} accepted, so that is a broken invariant.
 */
export function refKey(ref: ObjectRef): RefKey {
  if (!isKeySegment(ref.namespace) || !isKeySegment(ref.name)) {
    throw new RangeError(`object reference ${JSON.stringify(ref)} has an empty segment or a "/"`);
  }
  return `${ref.kind}/${ref.namespace}/${ref.name}` as RefKey;
}

/**
 * Parses `Kind/ns/name`: exactly three non-empty segments and a known kind. Returns `undefined`
 * otherwise. The result is a fresh object.
 */
export function parseRefKey(value: string): ObjectRef | undefined {
  const segments = value.split('/');
  if (segments.length !== 3) return undefined;
  const [kind, namespace = '', name = ''] = segments;
  if (!isObjectKind(kind) || !isKeySegment(namespace) || !isKeySegment(name)) return undefined;
  return { kind, namespace, name };
}

/** Orders refs by key (kind, then namespace, then name), by UTF-16 code units: stable across locales. */
export function compareObjectRefs(a: ObjectRef, b: ObjectRef): number {
  return compareStrings(refKey(a), refKey(b));
}

/** Code-unit string order, the one order used for every sorted result of this folder. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
