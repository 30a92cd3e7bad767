/**
 * The informer event downstream/ plans from. The objects it carries are protocol/'s object shapes.
 * @module
 */

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
