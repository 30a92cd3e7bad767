/**
 * Index functions every informer user needs, named so that callers register them under one spelling:
 * `{ [indexNames.byUid]: indexByUid, [indexNames.byNodeName]: indexPodsByNodeName }`. Pure.
 * @module
 */
import type { KubeObject } from './object.js';
import type { IndexFunc } from './store.js';

/** The names under which the standard index functions are meant to be registered. */
export const indexNames = Object.freeze({
  byNamespace: 'byNamespace',
  byUid: 'byUid',
  byNodeName: 'byNodeName',
} as const);

/** Objects by `metadata.namespace` (`''` for cluster-scoped objects). */
export const indexByNamespace: IndexFunc<KubeObject> = (object) => [object.metadata.namespace ?? ''];

/** Objects by `metadata.uid`; an object without a uid is not indexed. */
export const indexByUid: IndexFunc<KubeObject> = (object) =>
  object.metadata.uid === undefined ? [] : [object.metadata.uid];

/** The part of a Pod that {@link indexPodsByNodeName} reads. */
export interface PodPlacement extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
}

/** Pods by `spec.nodeName`; an unscheduled pod is not indexed. */
export const indexPodsByNodeName: IndexFunc<PodPlacement> = (pod) => {
  const node = pod.spec?.nodeName;
  return node === undefined || node === '' ? [] : [node];
};
