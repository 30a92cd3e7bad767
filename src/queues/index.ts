/**
 * Per-node reliable send queues (pure). `downstream/` enqueues, `hub/` drains one {@link NodeQueue} per
 * node session and feeds ACKs back.
 *
 * Two paths per node (KubeEdge `cloud/pkg/cloudhub`, spec §5.6):
 * - no-ACK: payloads written once, FIFO, never resent; a reply the edge ACKs anyway goes in with
 *   `enqueueReply`, so that ACK is `recognized` rather than `unknown` (as are late ACKs of resent or
 *   retired deliveries; remembered within a bound of count and age);
 * - ACK: one entry per object `(key, uid)` that keeps only its latest version (newer resourceVersion wins,
 *   a delete replaces what waits, an object needed again replaces its waiting delete, stale versions are
 *   dropped). Where KubeEdge sends stop-and-wait, we keep a window of up to `windowSize` un-ACKed
 *   deliveries across objects, but never two for one edge key: the edge handles each message on its own
 *   goroutine with no version check and deletes non-pods by key alone (errata Part A omissions 6, 7,
 *   11), so two in flight for one key could leave it on an old version or erase a re-created object.
 *
 * A delivery's id is the frame's `msg_id`; the edge ACKs with it as `parent_msg_id`. Resends reuse the id.
 * Un-ACKed deliveries survive a reconnect and go first on the next session (KubeEdge discards them).
 *
 * The worker loop: after any enqueue, ACK, timer expiry or session start, call `takeSendable(now)`, write its
 * deliveries in order, account for its retired ones, and set one timer at `nextWakeAt()`. On an ACK frame,
 * call `ack(parentId, now)` and pass an `acked` item to the reliable-sync hook. On session end, call
 * `onDisconnect()`. On node deletion, `clear()`. See {@link NodeQueue} for what is and is not promised.
 * @module
 */
export { Fifo } from './fifo.js';
export { NodeQueue } from './node-queue.js';
export type { TakeLimits } from './node-queue.js';
export { nodeQueueDefaults, resolveNodeQueueOptions } from './queue-options.js';
export type { NodeQueueOptions, ResolvedNodeQueueOptions } from './queue-options.js';
export { parseResourceVersion } from './resource-version.js';
export type {
  AckDelivery,
  AckItem,
  AckOutcome,
  Delivery,
  DisconnectOutcome,
  EnqueueOutcome,
  NoAckDelivery,
  NoAckOutcome,
  QueueStats,
  Retired,
  SendPlan,
  SendReason,
} from './types.js';
