/**
 * protocol/: the KubeEdge wire model. Messages and their constructors, resource strings, operation and
 * resource-type names, ACK classification, the frame codec, the classification of edge messages, and the
 * push encoding of Kubernetes objects (object-push.ts) that downstream/ and sync/ both use.
 * Pure: no I/O, no timers, no clock; ids and time come in as parameters (message-id.ts is the one place
 * a fresh id is drawn, for the shells to pass in). Imports nothing of ours.
 * @module
 */
export type { Brand } from './brand.js';
export {
  newErrorResponse,
  isReply,
  newKeepalive,
  newPush,
  newRespByMessage,
  newResponse,
  replyDefaults,
} from './message.js';
export { newMessageId, parseMessageId } from './message-id.js';
export { keyOf, objectKey, parseObjectKey } from './object-key.js';
export type { ObjectKey } from './object-key.js';
export type { MessageId } from './message-id.js';
export type {
  Message,
  MessageHeader,
  MessageRoute,
  MessageStamp,
  PushOptions,
  ReplyOptions,
  ReplySource,
} from './message.js';
export {
  buildNodeResource,
  buildResource,
  edgeKey,
  parseNodeName,
  parseResource,
  resourceTypeOf,
  splitNodeResource,
  trimNodePrefix,
  withNodePrefix,
} from './resource.js';
export type {
  EdgeKey,
  NodeName,
  NodeResourcePath,
  ParsedResource,
  ResourcePath,
  ResourceRef,
} from './resource.js';
export {
  isResourceType,
  isUpstreamResourceType,
  k8sCaResource,
  keepaliveResource,
  nullNamespace,
  resourceTypes,
  specialResources,
  upstreamResourceTypes,
} from './resource-types.js';
export type { ResourceType, SpecialResource, UpstreamResourceType } from './resource-types.js';
export {
  beehiveOperations,
  csiOperations,
  hubOperations,
  isCsiOperation,
  isOperation,
  isReservedOperation,
  isTaskManagerOperation,
  isUpstreamOperation,
  metaServerOperations,
  operations,
  pushOperations,
  reservedOperations,
  taskManagerOperations,
  upstreamOperations,
} from './operations.js';
export type {
  CsiOperation,
  Operation,
  PushOperation,
  ReservedOperation,
  TaskManagerOperation,
  UpstreamOperation,
} from './operations.js';
export { cloudModuleSources, groups, isCloudModuleSource, sources } from './modules.js';
export { isAckRequired, isStatusErrorContent } from './ack.js';
export { decodeFrame, encodeMessage } from './codec.js';
export { FrameEncoder } from './frame-encoder.js';
export type { FrameEncoderOptions } from './frame-encoder.js';
export type { DecodeOptions, DecodeResult, FrameError, FrameErrorReason } from './codec.js';
export { classifyUpstream } from './upstream-kind.js';
export {
  changeOperation,
  identityDelete,
  isPushKind,
  minimalContent,
  objectPush,
  preparedContent,
  pushContentDefaults,
  pushKindInfo,
  pushKinds,
  toMessage,
} from './object-push.js';
export type { ObjectChange, ObjectIdentity, PushContentOptions, PushKind, PushSpec } from './object-push.js';
export { isTerminating, uidOf, uidOfContent } from './object-shape.js';
export type { KubeObjectShape, NodeObject, ObjectMetaShape, PodObject } from './object-shape.js';
export type { UnsupportedReason, UpstreamKind } from './upstream-kind.js';
