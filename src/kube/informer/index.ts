/**
 * Informers: one shared list-watch per collection with a local cache and indexes. Built once by the
 * shared-informer factory (informer-factory.ts), which the composition root (controller.ts) makes and
 * hands to the stages; read by the managers, reliable sync and upstream. See informer-worker.ts for the loop and why it is not client-node's ListWatch.
 * @module
 */
export { Informer } from './informer-worker.js';
export type { InformerEventHandler } from './informer-worker.js';
export { InformerFactory } from './informer-factory.js';
export type { InformerFactoryOptions, InformerSpec, SharedInformers } from './informer-factory.js';
export { informerDefaults, resolveInformerOptions } from './informer-options.js';
export type {
  InformerClock,
  InformerDefaults,
  InformerObserver,
  InformerOptions,
  ListWatchClient,
  WatchRestartReason,
} from './informer-options.js';
export { InformerError } from './informer-error.js';
export type { InformerErrorCode } from './informer-error.js';
export { Store } from './store.js';
export type { IndexFunc, InformerEvent, StoreReader } from './store.js';
export { keyOf, objectKey, parseObjectKey } from './object.js';
export type { DeepReadonly, KubeObject, ObjectKey, ObjectMeta } from './object.js';
export { indexByNamespace, indexByUid, indexNames, indexPodsByNodeName } from './indexes.js';
export type { PodPlacement } from './indexes.js';
