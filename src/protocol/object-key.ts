/**
 * The `namespace/name` key of a Kubernetes object (client-go `MetaNamespaceKeyFunc`): how informer stores,
 * the location cache's pod index and anything else that names one object by store key spell it. Built and
 * parsed only here (STYLE.md rule 18), in protocol/ because it is the one pure module every stage may
 * import. Other keys are other concepts: location's `RefKey` (`Kind/ns/name`, a pod's reference) and
 * `EdgeKey` (`<ns>/<type>/<name>`, the edge's row).
 * @module
 */
import type { Brand } from './brand.js';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export type ObjectKey = Brand<string, 'ObjectKey'>;

/** The key of the object `name` in `namespace` (`undefined` or `''` for cluster-scoped objects). */
export function objectKey(namespace: string | undefined, name: string): ObjectKey {
  return (namespace === undefined || namespace === '' ? name : `${namespace}/${name}`) as ObjectKey;
}

/** The key of an object, from its metadata. */
export function keyOf(object: {
  readonly metadata: { readonly name: string; readonly namespace?: string };
}): ObjectKey {
  return objectKey(object.metadata.namespace, object.metadata.name);
}

/** Splits a key back into namespace (absent for cluster-scoped objects) and name. */
export function parseObjectKey(key: ObjectKey): { readonly namespace?: string; readonly name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
