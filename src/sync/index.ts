/**
 * sync/: reliable sync. Pure: ObjectSync / ClusterObjectSync records (`<node>.<uid>`, KubeEdge's CRDs and
 * bodies), the record action for an edge ACK ({@link onAck}), the record-before-first-send gate
 * ({@link RecordGate}), record writes as data and their failure decisions (record-ops.ts), and the
 * per-node repair plan ({@link planRepair}) that sends what a node lacks and deletes what it should no
 * longer hold. Shell: the record writer (ordered per record, fair across nodes, retried) and the sync
 * worker, which installs the CRDs, gates pushes, writes records, repairs on connect and periodically, and
 * resyncs a node in full when its store may be empty.
 * Imports protocol/ (object shapes and the push encoding, shared with downstream/), queues/
 * (resourceVersion parsing) and location/ types; not downstream/.
 * @module
 */
export { clusterObjectSyncCrd, objectSyncCrd, reliableSyncCrds } from './crds.js';
export { desiredObjects } from './desired.js';
export { isEdgeStart } from './edge-start.js';
export {
  clearResyncPending,
  isResyncPending,
  markResyncPending,
  resyncPendingAnnotation,
} from './resync-marker.js';
export type { DesiredInput, DesiredLookups } from './desired.js';
export { onAck, recordActionFor } from './on-ack.js';
export type { NoRecordReason, RecordAction } from './on-ack.js';
export { objectSyncName, parseObjectSyncName } from './record-name.js';
export type { ObjectSyncName } from './record-name.js';
export { gatedPushOf } from './push-record.js';
export { Outbox, outboxDefaults } from './outbox.js';
export type { OutboxOptions } from './outbox.js';
export { RecordGate } from './record-gate.js';
export type { GateDecision, GatedPush, RecordLookup } from './record-gate.js';
export { appendOp, decideFailure, unknownResourceVersion } from './record-ops.js';
export type { FailureDecision, QueuedOp, RecordOp, RecordOpResult } from './record-ops.js';
export { RecordWriter, collectionPath, recordPath } from './record-write-worker.js';
export type { RecordWriterObserver, RecordWriterOptions } from './record-write-worker.js';
export {
  newSyncRecord,
  parseSyncRecord,
  recordBody,
  recordStatusPatch,
  reliableSyncsApiVersion,
  reliableSyncsGroup,
  targetId,
  targetOf,
} from './record.js';
export type { RecordKind, RecordTarget, RecordedObject, SyncRecord } from './record.js';
export { planRepair, recordsOfGoneNodes } from './repair.js';
export type { DesiredObject, RepairAction, RepairInput, RepairSendReason } from './repair.js';
export { SyncWorker } from './sync-worker.js';
export type { DesiredState, ResyncReason, SyncHub, SyncObserver, SyncWorkerOptions } from './sync-worker.js';
