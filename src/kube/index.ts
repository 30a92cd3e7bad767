/**
 * API server I/O: kubeconfig loading, the shared client and the classification of API failures.
 * @module
 */
export { loadKubeConfig } from './kubeconfig.js';
export type { KubeConfigSource } from './kubeconfig.js';
export { KubeClient, kubeClientLimitDefaults } from './client.js';
export type { KubeClientMetrics, KubeClientOptions, RawRequest } from './client.js';
export { RequestLimiter, edgeRequestClass, requestClasses, requestLimitDefaults } from './request-limiter.js';
export type { Dispatch, RequestClass, RequestLimits } from './request-limiter.js';
export { ApiError, TerminalApiError, actionForStatus, toApiError, httpFailure } from './api-errors.js';
export type { ApiErrorAction, ApiErrorDetails, ApiCallContext, ApiStatus } from './api-errors.js';
export { annotateCloudcore, cloudcoreAnnotation } from './node-annotation.js';
export { SecretStore, secretStoreDefaults } from './secrets.js';
export type { SecretRef, SecretStoreOptions, SecretWrite, StoredSecret } from './secrets.js';
export type { StreamRequest } from './client.js';
export {
  Informer,
  InformerError,
  InformerFactory,
  Store,
  indexByNamespace,
  indexByUid,
  indexNames,
  indexPodsByNodeName,
  informerDefaults,
  keyOf,
  objectKey,
  parseObjectKey,
} from './informer/index.js';
export type {
  DeepReadonly,
  IndexFunc,
  InformerClock,
  InformerErrorCode,
  InformerEvent,
  InformerEventHandler,
  InformerFactoryOptions,
  InformerObserver,
  InformerOptions,
  InformerSpec,
  KubeObject,
  ListWatchClient,
  ObjectKey,
  ObjectMeta,
  PodPlacement,
  SharedInformers,
  StoreReader,
  WatchRestartReason,
} from './informer/index.js';
export { apiServerWaitDefaults, waitForApiServer } from './api-server-wait.js';
export type { ApiServerWaitOptions } from './api-server-wait.js';
export { readClusterCa } from './cluster-reads.js';
export { requestIdentityDefaults, userAgentOf, withFieldManager } from './request-identity.js';
