/**
 * location/: who needs what. From the pods bound to edge nodes, which node needs which ConfigMap, Secret,
 * PersistentVolumeClaim and ServiceAccount (pod → references → nodes), with every change returned as a
 * diff of gained and lost `(node, object)` entries.
 *
 * Used by the downstream (send a ConfigMap or Secret only to the nodes in {@link LocationCache.nodesFor};
 * send a `delete` to a node that lost one) and by upstream node authorization
 * ({@link LocationCache.nodeNeeds}). Pure: no I/O, no timers, no clock; imports nothing of ours at run
 * time. The caller decides which pods count (those bound to edge nodes) and supplies `nodeOf`.
 * @module
 */
export { LocationCache } from './location-cache.js';
export type { LocationCacheOptions, PodLocation } from './location-cache.js';
export { emptyDiff, isEmptyDiff } from './location-diff.js';
export type { LocationDiff, LocationEntry } from './location-diff.js';
export { isObjectKind, refKey, objectKinds, parseRefKey } from './object-ref.js';
export type { RefKey, ObjectKind, ObjectRef } from './object-ref.js';
export { parsePodKey, podKey, podKeyOf } from './pod-key.js';
export type { PodKey } from './pod-key.js';
export {
  defaultServiceAccountName,
  ephemeralClaimName,
  isMirrorPod,
  mirrorPodAnnotation,
  podReferences,
} from './pod-references.js';
export type { PodShape } from './pod-shape.js';
