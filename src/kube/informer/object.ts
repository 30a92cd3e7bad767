/**
 * The object model of the informer: the few metadata fields it reads, the `namespace/name` key that
 * identifies an object in a store (built in protocol/object-key.ts), the deep-readonly view handed to consumers, and the one check that
 * turns untyped JSON from a list or watch into an object. Pure.
 * @module
 */

export { keyOf, objectKey, parseObjectKey } from '../../protocol/index.js';
export type { ObjectKey } from '../../protocol/index.js';

/** The metadata fields the informer relies on. Everything else passes through untouched. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** The least an object must have to be cached. Wire types (string timestamps) extend this. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
}

/**
 * A read-only view of an object held by a store. Types only: objects are not frozen (freezing 100k pods
 * costs a full walk); `structuredClone` one before changing it (STYLE.md rule 11).
 */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** What {@link toKubeObject} fills in or removes. */
export interface ObjectShaping {
  /** Delete `metadata.managedFields` (about a third of a pod's JSON, never read by a controller). */
  readonly stripManagedFields: boolean;
  /** `kind` and `apiVersion` to set when the object lacks them (list items do; watch objects do not). */
  readonly kind?: string;
  readonly apiVersion?: string;
}

/**
 * Checks that `value`, freshly parsed from JSON, is an object with a string `metadata.name`, and shapes
 * it in place (it belongs to the caller, who just parsed it). Returns `undefined` for anything else.
 */
export function toKubeObject(value: unknown, shaping: ObjectShaping): KubeObject | undefined {
  if (!isRecord(value)) return undefined;
  const metadata = value['metadata'];
  if (!isRecord(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '')
    return undefined;
  for (const field of ['namespace', 'uid', 'resourceVersion'] as const) {
    if (metadata[field] !== undefined && typeof metadata[field] !== 'string') return undefined;
  }
  if (shaping.stripManagedFields) delete metadata['managedFields'];
  if (shaping.kind !== undefined && value['kind'] === undefined) value['kind'] = shaping.kind;
  if (shaping.apiVersion !== undefined && value['apiVersion'] === undefined)
    value['apiVersion'] = shaping.apiVersion;
  return value as unknown as KubeObject;
}

/** Narrows to a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
