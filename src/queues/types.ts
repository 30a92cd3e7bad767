/**
 * The data that crosses the boundary of a per-node queue: items going in, deliveries and outcomes coming
 * out. The payload type `P` is opaque here: the hub turns a payload plus a delivery id into a frame, so this
 * folder never depends on `protocol/`.
 * @module
 */

/**
 * One object version for the ACK path (KubeEdge: a message that needs an ACK, `noAckRequired` false).
 *
 * The queue keeps one entry per `(key, uid)`: the latest version waiting to be sent, the version in flight
 * and the last ACKed resourceVersion. KubeEdge keys its store by UID alone; adding the key means that
 * messages whose object has no UID (KubeEdge's pod-gone delete, errata U7) no longer share one slot.
 */
export interface AckItem<P> {
  /** `metadata.uid` of the content object. May be empty (errata U7); the key then identifies the entry. */
  readonly uid: string;
  /**
   * The edge's key for the object, `<ns>/<type>/<name>` (the trimmed resource, `null` as namespace for
   * cluster objects). At most one delivery per key is un-ACKed at a time.
   */
  readonly key: string;
  /**
   * `header.resourceversion`: a decimal uint64. Required for non-deletes (KubeEdge drops an ACK-path message
   * without one). Ignored for deletes, which may carry `''` (synccontroller orphan deletes have none).
   */
  readonly resourceVersion: string;
  /**
   * Operation `delete`: the edge removes the object on it. NOT an update carrying `deletionTimestamp`:
   * that is a version like any other, ACKed and recorded as one (errata U4), after which the final
   * `delete` must still follow. KubeEdge's enqueue counts both as deletes (`isDeleteMessage`); doing so
   * here dropped the final delete while the graceful-deletion update was in flight (issue 11).
   */
  readonly isDelete: boolean;
  /**
   * A reply to an edge query (operation `response`). It is accepted at a resourceVersion EQUAL to the latest
   * one known, because the edge waits for a message with this reply's parent id even when it already holds
   * that version (KubeEdge force-enqueues responses, `message_dispatcher.go` `enqueueAckMessage`).
   * Older versions are still dropped. Default false.
   */
  readonly isResponse?: boolean;
  /**
   * Give up after this many resends (a non-negative integer) and report the delivery as retired with
   * reason `resend-limit`. For query replies the edge has stopped waiting for (it discards late replies and
   * never ACKs them, spec §8). Absent: resent until ACKed, superseded or the queue is cleared.
   */
  readonly dropAfterResends?: number;
  /** What the hub turns into the frame. Never inspected. */
  readonly payload: P;
}

/** Why an ACK-path delivery is in a {@link SendPlan}. */
export type SendReason =
  /** First send of this version. */
  | 'first'
  /** Resend after the ACK timeout; same id as before. */
  | 'timeout'
  /** Resend on a new session after {@link NodeQueue.onDisconnect}; same id as before. */
  | 'reconnect'
  /** A newer version of the same object that replaced a timed-out or disconnected delivery; a new id. */
  | 'superseding';

/** A message to write that needs an ACK whose `parent_msg_id` is `id`. */
export interface AckDelivery<P> {
  readonly kind: 'ack';
  /** The frame's `msg_id`. Stable across resends of the same delivery (errata O11). */
  readonly id: string;
  readonly item: AckItem<P>;
  readonly reason: SendReason;
  /** How many times this delivery has been resent, counting this one. 0 on a first send. */
  readonly resends: number;
}

/** A message to write once, with no ACK expected. */
export interface NoAckDelivery<P> {
  readonly kind: 'no-ack';
  /**
   * A fresh id the hub uses as the frame's `msg_id`. For a reply (`NodeQueue.enqueueReply`) the queue
   * remembers it, so the edge's ACK of it is recognised.
   */
  readonly id: string;
  readonly payload: P;
}

/** Something to write to the node's connection now. */
export type Delivery<P> = NoAckDelivery<P> | AckDelivery<P>;

/** A delivery the queue stopped waiting for. A late ACK of its id is `recognized`, not `acked`. */
export interface Retired<P> {
  /**
   * `resend-limit`: the item's `dropAfterResends` was used up; the version is dropped.
   * `superseded`: a newer version of the same object is sent in its place (see {@link SendReason}).
   */
  readonly reason: 'resend-limit' | 'superseded';
  readonly deliveryId: string;
  readonly item: AckItem<P>;
  readonly resends: number;
}

/** What {@link NodeQueue.takeSendable} decided: write `deliveries` in order; account for `retired`. */
export interface SendPlan<P> {
  readonly deliveries: readonly Delivery<P>[];
  readonly retired: readonly Retired<P>[];
}

/** What happened to an item given to {@link NodeQueue.enqueueAck}. */
export type EnqueueOutcome<P> =
  /** The object had no version waiting; this one now waits. */
  | { readonly kind: 'queued' }
  /** A waiting (never sent) version of the same object was replaced; `replaced` will not be sent. */
  | { readonly kind: 'replaced'; readonly replaced: AckItem<P> }
  /** A version at least as new is waiting, in flight or ACKed (`latestResourceVersion`). */
  | { readonly kind: 'dropped-stale'; readonly latestResourceVersion: string }
  /** A non-delete for an object whose delete is waiting or in flight: the edge will remove the object. */
  | { readonly kind: 'dropped-after-delete' }
  /** A delete of an object whose delete is in flight with nothing waiting behind it: a true duplicate. */
  | { readonly kind: 'dropped-duplicate-delete' }
  /** The item breaks the {@link AckItem} contract, e.g. a non-delete without a decimal resourceVersion. */
  | { readonly kind: 'dropped-invalid'; readonly reason: string };

/** What happened to a payload given to {@link NodeQueue.enqueueNoAck}. */
export type NoAckOutcome<P> =
  | { readonly kind: 'queued' }
  /** The no-ACK backlog was full (`maxPendingNoAck`): its oldest payload was evicted to make room. */
  | { readonly kind: 'queued-evicting-oldest'; readonly evicted: P };

/** What an ACK (an edge `response` whose `parent_msg_id` is `deliveryId`) settled. */
export type AckOutcome<P> =
  | {
      readonly kind: 'acked';
      readonly deliveryId: string;
      /** The version the edge confirmed: feed the reliable-sync hook (ObjectSync) with it. */
      readonly item: AckItem<P>;
      /** `now` minus the first send of this delivery (not of its resends). */
      readonly latencyMs: number;
      /** `now` minus the enqueue of this version: the queue's whole contribution to sync lag. */
      readonly sinceEnqueueMs: number;
      readonly resends: number;
    }
  /**
   * An ACK of a message we sent but no longer wait for: a reply the edge ACKs (`NodeQueue.enqueueReply`),
   * another copy of a delivery that was resent before its ACK, or a retired delivery. Nothing to do; it is
   * counted apart from unknown ACKs. Remembered within `maxRecognizedIds` and `recognizedIdTtlMs` only.
   */
  | { readonly kind: 'recognized'; readonly deliveryId: string }
  /**
   * No message we remember has this id: never sent, forgotten (see `recognized`), or not ours at all.
   * Ignore it; count it.
   */
  | { readonly kind: 'unknown'; readonly deliveryId: string };

/** What {@link NodeQueue.onDisconnect} did. */
export interface DisconnectOutcome {
  /** Un-ACKed deliveries that will be resent first on the next session. */
  readonly requeued: number;
}

/** Gauges (current sizes) and counters (totals since construction) of one node's queue. */
export interface QueueStats {
  /** Objects with a version waiting to be sent (at most one per object). */
  readonly pendingAck: number;
  /** Un-ACKed ACK-path deliveries, including those waiting for the next session. At most `windowSize`. */
  readonly inFlight: number;
  /** Of `inFlight`, those moved back by `onDisconnect` and not yet resent. */
  readonly awaitingReconnect: number;
  /** No-ACK payloads not yet taken. */
  readonly pendingNoAck: number;
  /** Keys that could be sent now if the window allowed. */
  readonly sendableKeys: number;
  /** Objects the queue remembers, including ACKed ones kept only for their resourceVersion. */
  readonly trackedObjects: number;
  /** Ids whose late ACK would be `recognized` (bounded by `maxRecognizedIds`). */
  readonly recognizedIds: number;
  readonly sentTotal: number;
  readonly resendsTotal: number;
  readonly ackedTotal: number;
  readonly unknownAcksTotal: number;
  readonly recognizedAcksTotal: number;
  readonly replacedTotal: number;
  readonly droppedStaleTotal: number;
  readonly droppedAfterDeleteTotal: number;
  readonly droppedDuplicateDeleteTotal: number;
  readonly droppedInvalidTotal: number;
  readonly supersededTotal: number;
  readonly retiredResendLimitTotal: number;
  readonly noAckSentTotal: number;
  readonly noAckEvictedTotal: number;
}
