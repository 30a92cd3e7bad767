/**
 * upstream/: edge requests → API writes. `decideUpstream` decides each request (pure handlers);
 * `UpstreamWorker` runs the decisions against the API server.
 * @module
 */
export { decideUpstream } from './decide.js';
export type { UpstreamContext, UpstreamInput } from './decide.js';
export {
  apiError,
  callApi,
  done,
  emissionToMessage,
  failureEmissions,
  forbid,
  invalid,
  reply,
} from './decision.js';
export type { Decision, Emission, InvalidReason, ReplyShape } from './decision.js';
export { walkDecision } from './decision-walk.js';
export type { TerminalDecision, Walk, WalkOptions } from './decision-walk.js';
export { httpRequestOf, kubeResources, typeMetaOf, withTypeMeta } from './api-call.js';
export type {
  ApiCall,
  ApiVerb,
  CollectionTarget,
  HttpRequest,
  KubeResource,
  ObjectTarget,
} from './api-call.js';
export {
  badRequestFailure,
  failed,
  forbiddenFailure,
  isConflict,
  isNotFound,
  isRecreatedConflict,
  methodNotAllowedFailure,
  notFoundFailure,
  succeeded,
} from './api-outcome.js';
export type { ApiFailure, ApiOutcome, StatusDetails } from './api-outcome.js';
export {
  errStatusContent,
  objectReply,
  objectRespContent,
  okContent,
  resourceVersionOf,
  statusOf,
  tokenRequestContent,
} from './replies.js';
export type { ErrStatusContent, ObjectReply, ObjectRespContent, Status } from './replies.js';
export {
  authorize,
  isRestrictedLabelKey,
  nodeCsrSigners,
  nodeLeaseNamespace,
  nodeRestrictionLabelDomain,
  rejectionContent,
  rejectionFailure,
} from './authorize.js';
export type {
  Access,
  AuthorizationResult,
  ForbidReason,
  GraphObjectKind,
  GraphObjectRef,
  NodeGraph,
  ObjectReference,
} from './authorize.js';
export { resolveUpstreamOptions, upstreamDefaults } from './options.js';
export type { AuthorizationMode, ResolvedUpstreamOptions, UpstreamOptions } from './options.js';
export {
  isPodNotRunning,
  isStaleReport,
  isTerminatedAndDeleting,
  mergePodStatus,
  staleReportDelete,
  stampedConditionTypes,
} from './pod-status-merge.js';
export { gpuStatusAnnotation, mergeNodeStatus, nvidiaGpuResource } from './node-status-merge.js';
export {
  cloudcoreAnnotation,
  isKubernetesLabelKey,
  labelPatch,
  planNodeRegistration,
} from './node-registration.js';
export type { RegistrationPlan } from './node-registration.js';
export { csrNodeAnnotation } from './handlers/certificate-signing-request.js';
export type { UpstreamRequest } from './handlers/context.js';
export { UpstreamWorker, upstreamWorkerDefaults } from './upstream-worker.js';
export type {
  StoreRead,
  UpstreamApi,
  UpstreamHub,
  UpstreamOutcome,
  UpstreamWorkerOptions,
} from './upstream-worker.js';
export { LeaseRenewalWorker, leaseRenewalDefaults } from './lease-renewal-worker.js';
export type {
  LeaseRenewalResult,
  LeaseRenewalSummary,
  LeaseRenewalWorkerOptions,
} from './lease-renewal-worker.js';
export { leaseRenewalCall } from './lease-renewal.js';
export { formatMicroTime } from './rfc3339.js';
export { RequestScheduler, laneOf } from './request-scheduler.js';
export type { AddResult, Lane, SchedulableRequest, SchedulerLimits } from './request-scheduler.js';
export { apiFailureOf } from './api-failure-of.js';
export { decideAdmission, isOwnLease } from './admission.js';
export type { Admission, AdmissionInput, AdmissionRefusal } from './admission.js';
export { RecentPodDeletions, recentPodDeletionsDefaults } from './recent-pod-deletions.js';
export type { RecentPodDeletionsOptions } from './recent-pod-deletions.js';
export {
  kubeletClientSigner,
  kubeletCsrViolation,
  kubeletServingSigner,
  kubeletSigners,
  parseKubeletCsr,
} from './kubelet-csr.js';
export type {
  KubeletCsrReason,
  KubeletCsrRequest,
  KubeletCsrViolation,
  NodeAddress,
  NodeFacts,
} from './kubelet-csr.js';
export { RefusalWarnings } from './refusal-warnings.js';
export type { ReadFailure } from './api-failure-of.js';
