/**
 * The fields of Kubernetes objects that downstream/ reads, as small structural types, and the informer
 * event they arrive in. Declared here instead of taking `V1Pod` & co. from `@kubernetes/client-node` so the
 * planning stays free of that package (STYLE.md B2) and takes any JSON-shaped object: the informer's
 * plain parsed objects (`kube/informer`, deep-readonly) and client-node model objects both fit. Everything
 * not named here passes through untouched into the pushed content.
 * @module
 */

/** `metadata`, as far as downstream reads it. */
export interface ObjectMetaShape {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly generation?: number | undefined;
  /** RFC 3339 string in JSON (a `Date` in client-node models); any non-null value counts as set. */
  readonly deletionTimestamp?: unknown;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Server-side-apply bookkeeping; read by nothing on the edge (see object-message.ts). */
  readonly managedFields?: readonly unknown[] | undefined;
}

/** Any Kubernetes object. `apiVersion`/`kind` are often absent on informer objects (list items, watch). */
export interface KubeObjectShape {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?: ObjectMetaShape | undefined;
}

/** A Pod, as far as downstream reads it. The location cache reads more (location/pod-shape.ts). */
export interface PodObject extends KubeObjectShape {
  readonly spec?: { readonly nodeName?: string | undefined } | undefined;
}

/** A Node, as far as downstream reads it (`metadata.labels` for the edge role). */
export type NodeObject = KubeObjectShape;

/**
 * One informer event: the shape `kube/informer` emits (its `InformerEvent<T>`), restated structurally so
 * that downstream/ does not import a shell folder.
 *
 * - `add`: the object appeared (first list, or a watch ADDED).
 * - `update`: a newer version of the same key; `old` is the version held before. The UID may differ
 *   when a delete and a re-create were both missed (relist).
 * - `delete`: the object is gone; `object` is its last known state. `finalStateUnknown`: the delete was
 *   inferred from a relist, so later changes before the delete may be missing from `object`.
 */
export type InformerEvent<T> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly old: T; readonly object: T }
  | { readonly type: 'delete'; readonly object: T; readonly finalStateUnknown: boolean };

/** Whether `metadata.deletionTimestamp` is set (graceful deletion has started). */
export function isTerminating(object: KubeObjectShape): boolean {
  const timestamp = object.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null;
}

/** `metadata.uid`, or `''` when absent. */
export function uidOf(object: KubeObjectShape): string {
  return object.metadata?.uid ?? '';
}
