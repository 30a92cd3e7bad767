/**
 * sim/: simulated EdgeCores speaking the real protocol: token join, one connection, and the EdgeCore
 * behaviour of a node (registration, lease, node status, pods on a fake runtime). Imports protocol/ and
 * backoff/ (the shared backoff curve, a leaf that imports nothing of ours) only of our code.
 * @module
 */
export { EdgeClient, defaultProjectId } from './edge-client.js';
export type { EdgeClientOptions, MetaStore, TrafficCounters } from './edge-client.js';
export { JoinError, edgeSubject, joinWithToken, renewWithCertificate } from './join-client.js';
export type { EdgeIdentity, JoinOptions } from './join-client.js';
export { maxTimerDelayMs, renewalDelayMs } from './cert-rotation.js';
export { SimulatedEdgeNode } from './edge-node-client.js';
export { simulatedEdgeNodeDefaults } from './edge-node-options.js';
export type {
  EdgeConnection,
  SimulatedEdgeNodeOptions,
  SimulatedEdgeNodeSettings,
} from './edge-node-options.js';
export { Simulator, simulatorDefaults } from './simulator-client.js';
export type { SimulatorCounts, SimulatorOptions, WaitForOptions } from './simulator-client.js';
export { FakeRuntime } from './fake-runtime-client.js';
export type { EdgeLink, FakeRuntimeOptions, PodStatusEvent } from './fake-runtime-client.js';
export {
  deleteOptions,
  eventInsert,
  kubeletEvent,
  leaseQuery,
  leaseWrite,
  nodeInsert,
  nodePatch,
  objectQuery,
  podDelete,
  podPatch,
  readReply,
  serviceAccountTokenQuery,
  tokenRequest,
} from './edge-messages.js';
export type {
  EdgeOperation,
  EventOptions,
  EventSubject,
  ReplyError,
  ReplyOutcome,
  TokenRequestOptions,
} from './edge-messages.js';
export {
  edgeNodeLabel,
  emptyNodePatch,
  leaseDurationSeconds,
  microTime,
  nodeConditions,
  nodeHeartbeatPatch,
  nodeLease,
  nodeLeaseNamespace,
  nodeShapeDefaults,
  registeredNode,
} from './node-status.js';
export type { LeaseOptions, NodeCondition, NodeShape, NodeSpecOptions } from './node-status.js';
export { failAnnotation, failModeOf, podPatchContent, podStatus, rfc3339 } from './pod-status.js';
export type {
  ContainerState,
  ContainerStatus,
  FailMode,
  PodCondition,
  PodStatus,
  PodStatusOptions,
  RuntimeStage,
  RuntimeState,
} from './pod-status.js';
export { parseQuantityNano, qosClassOf } from './qos-class.js';
export type { QosClass, QosPodSpec, ResourceRequirementsLike } from './qos-class.js';
export {
  realEdgeReconnect,
  reconnectBackoffDefaults,
  reconnectPolicy,
  redialDelayMs,
} from './reconnect-backoff.js';
export type {
  FixedReconnect,
  JitteredReconnect,
  ReconnectBackoff,
  ReconnectOptions,
  ReconnectPolicy,
  RedialState,
} from './reconnect-backoff.js';
export { inboundHandling, podRowMatches } from './push-handling.js';
export type { CloudReply, InboundHandling, StoreChange } from './push-handling.js';
export {
  afterLeaseQuery,
  afterLeaseWrite,
  decodeTypedReply,
  isAlreadyExists,
  isConflict,
  isNotFound,
} from './typed-reply.js';
export type { LeaseQueryStep, TypedReply } from './typed-reply.js';
export { isSimPod, podRefs } from './sim-pod.js';
export type { PodRefs, SimContainer, SimPod, SimProjection, SimVolume, TokenMount } from './sim-pod.js';
