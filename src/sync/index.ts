/**
 * sync/: reliable sync, pure. ObjectSync / ClusterObjectSync records (`<node>.<uid>`, KubeEdge's CRDs and
 * bodies), the record action for an edge ACK ({@link onAck}), batching of record writes, and the per-node
 * repair plan ({@link planRepair}) that sends what a node lacks and deletes what it should no longer hold.
 * The sync worker (shell) installs the CRDs, writes records, and runs repair on connect and periodically.
 * Imports protocol/ (object shapes and the push encoding, shared with downstream/), queues/
 * (resourceVersion parsing) and location/ types; not downstream/.
 * @module
 */
export { clusterObjectSyncCrd, objectSyncCrd, reliableSyncCrds } from './crds.js';
export { desiredObjects } from './desired.js';
export type { DesiredInput, DesiredLookups } from './desired.js';
export { onAck } from './on-ack.js';
export type { NoRecordReason, RecordAction } from './on-ack.js';
export { objectSyncName, parseObjectSyncName } from './record-name.js';
export type { ObjectSyncName } from './record-name.js';
export { coalesceRecordActions } from './record-writes.js';
export type { RecordWrite } from './record-writes.js';
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
export type { DesiredState, SyncHub, SyncObserver, SyncWorkerOptions } from './sync-worker.js';
