/**
 * ha/: several replicas sharing one fleet through the Kubernetes API: each replica's identity and Lease,
 * node ownership (the replica holding a node's session, written on the Node with a resourceVersion
 * precondition), and the leader Lease.
 * @module
 */
export { HaWorker } from './ha-worker.js';
export type { HaHub, HaWorkerOptions } from './ha-worker.js';
export { replicaIdentity, replicaLeaseName } from './identity.js';
export type { IdentitySource } from './identity.js';
export {
  LeaseLiveness,
  decideLeader,
  leaderLeaseName,
  microTime,
  replicaLeaseBody,
  replicaLeaseLabel,
} from './lease.js';
export type { LeaderStep, LeaseObject } from './lease.js';
export {
  afterConflict,
  cloudcoreAnnotationKey,
  connectedElsewhere,
  onNodeSeen,
  ownerAnnotation,
  ownerOf,
  owns,
  planClaim,
  versionOf,
} from './ownership.js';
export type { ClaimPlan, NodeMeta } from './ownership.js';
export { OwnershipWorker } from './ownership-worker.js';
export type { ClaimResult, OwnershipWorkerOptions, ReleaseReason } from './ownership-worker.js';
export { ReplicaLeaseWorker, replicaLeaseDefaults } from './replica-lease-worker.js';
export type { ReplicaLeaseWorkerOptions } from './replica-lease-worker.js';
