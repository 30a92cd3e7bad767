/**
 * The reliable send queue of one edge node: a no-ACK FIFO and an ACK path that coalesces per object,
 * pipelines up to `windowSize` un-ACKed deliveries across keys (never two per key), resends on timeout with
 * the same id and doubling timeouts, and keeps un-ACKed deliveries across reconnects. Pure: the hub's
 * session worker calls it with `now` and writes what it returns (STYLE.md B2).
 * @module
 */
import { exponentialDelayMs } from '../backoff/index.js';
import type { ExponentialBackoff } from '../backoff/index.js';
import { EdgeControllerError } from '../errors/index.js';
import { AckEntries } from './ack-entries.js';
import type { Version } from './ack-entries.js';
import { DeadlineHeap } from './deadline-heap.js';
import type { HeapNode } from './deadline-heap.js';
import { Fifo } from './fifo.js';
import { resolveNodeQueueOptions } from './queue-options.js';
import { RecentIds } from './recent-ids.js';
import type { NodeQueueOptions, ResolvedNodeQueueOptions } from './queue-options.js';
import type {
  AckItem,
  AckOutcome,
  Delivery,
  DisconnectOutcome,
  EnqueueOutcome,
  NoAckOutcome,
  QueueStats,
  Retired,
  SendPlan,
  SendReason,
} from './types.js';

/** An un-ACKed ACK-path delivery. In the timer heap while a session runs; out of it after a disconnect. */
interface InFlight<P> extends HeapNode {
  readonly id: string;
  readonly key: string;
  readonly uid: string;
  readonly version: Version<P>;
  readonly firstSentAt: number;
  resends: number;
  /** Backoff level: 0 after a first send or a reconnect, +1 per timeout. */
  attempt: number;
  deadline: number;
}

/**
 * Resends of an un-ACKed version after which a waiting delete of the same object takes its place: with
 * the default timeouts the third send goes 15 s after the first, so the delete goes about 35 s in, as
 * KubeEdge gives up a send after about 25 s and then sends the latest message it holds, the delete
 * (kubeedge/kubeedge v1.23.1 `cloud/pkg/cloudhub/session/node_session.go` sendMessageWithRetry).
 */
const deleteSupersedesAfterResends = 2;

/** A no-ACK payload; a reply's delivery id is remembered once sent (see {@link NodeQueue.enqueueReply}). */
interface NoAckEntry<P> {
  readonly payload: P;
  readonly isReply: boolean;
  /** What the caller said the payload costs (its encoded size); 0 when it did not say. */
  readonly bytes: number;
}

/** Limits of one {@link NodeQueue.takeSendable}. */
export interface TakeLimits {
  /**
   * Stop taking no-ACK payloads once their bytes would pass this (the first one is always taken, so a
   * large reply cannot block the backlog). Default: no limit. The hub passes the room left in the
   * socket's send buffer, so that a backlog of replies is not dumped at once into a slow socket.
   */
  readonly maxNoAckBytes?: number;
  /**
   * Take at most this many ACK-path deliveries (requeued, resent and first sends together; retirements
   * are not counted). Default: no limit. The hub's send scheduler takes them a few at a time, so that one
   * node's backlog is written in bounded turns (issue 15).
   */
  readonly maxAckDeliveries?: number;
}

type Counters = {
  -readonly [K in keyof QueueStats as K extends `${string}Total` ? K : never]: number;
};

const zeroCounters = Object.freeze({
  sentTotal: 0,
  resendsTotal: 0,
  ackedTotal: 0,
  unknownAcksTotal: 0,
  recognizedAcksTotal: 0,
  replacedTotal: 0,
  droppedStaleTotal: 0,
  droppedAfterDeleteTotal: 0,
  droppedDuplicateDeleteTotal: 0,
  droppedInvalidTotal: 0,
  supersededTotal: 0,
  retiredResendLimitTotal: 0,
  noAckSentTotal: 0,
  noAckEvictedTotal: 0,
} satisfies Counters);

/**
 * One node's send queue, generic over the payload `P`.
 *
 * Promised:
 * - No-ACK payloads go out once each, in enqueue order, before anything else in the same plan.
 * - At most `windowSize` ACK-path deliveries are un-ACKed, and at most one per key, ever. A newer version
 *   for a busy key waits, coalesced, and goes after the ACK (or the retirement) of the one in flight.
 * - Keys are served in the order they became sendable, so one hot object cannot starve the others.
 * - An un-ACKed delivery is resent with the same id after `ackTimeoutMs`, then after doubling timeouts
 *   capped at `maxAckTimeoutMs`, until ACKed, retired (`dropAfterResends` used up, or superseded by a newer
 *   version of the same object that waits at the head of its key) or {@link clear}ed.
 * - A delete waiting behind an un-ACKed version of its object goes after that version's ACK or
 *   retirement; it takes the version's place only after {@link deleteSupersedesAfterResends} unanswered
 *   resends (never on a reconnect alone), so a slow edge never gets the delete before the version. The
 *   same holds for a version waiting behind an un-ACKed delete (the object needed again).
 * - After {@link onDisconnect}, un-ACKed deliveries are resent first on the next session, with fresh timers.
 * - An ACK that the edge sends for a message nothing waits for (a reply from {@link enqueueReply}, another
 *   copy of a resent delivery, a retired delivery) is `recognized`, not `unknown`, within the bounds below.
 * - Every accepted version is eventually sent, unless a newer version or a delete of the same object
 *   replaces it first, as long as ACKs keep coming.
 *
 * Not promised:
 * - That the edge applies deliveries of different keys in send order: it handles each message on its own
 *   goroutine (errata Part A omission 7), and so are no-ACK messages and ACK-path messages unordered.
 * - Exactly-once: a resend whose original was only slow makes the edge apply the same version twice
 *   (harmless: the edge upserts). A delete enqueued late for an object whose key was re-used by a new
 *   object still erases the new one on the edge for non-pods (errata omission 11); callers must not send it.
 * - Remembering deletes: after a delete's ACK the object is forgotten.
 * - Recognising every late ACK: the ids of replies, resent and retired deliveries are held for at most
 *   `recognizedIdTtlMs` and `maxRecognizedIds`; an ACK after that counts as unknown.
 *
 * Not thread-safe in any sense that matters for JS: one session worker owns one queue.
 */
export class NodeQueue<P> {
  readonly #options: ResolvedNodeQueueOptions;
  /**
   * ACK timeout of send number `attempt` (0 = first send): `ackTimeoutMs` doubling up to `maxAckTimeoutMs`.
   * No jitter: resends of one node are already spread by their send times, and a deterministic schedule
   * keeps the queue testable. KubeEdge resends every 5 s, four times, then requeues with rate-limited
   * backoff (spec §5.6); we keep resending, ever more slowly, until ACKed.
   */
  readonly #ackTimeouts: ExponentialBackoff;
  readonly #entries = new AckEntries<P>();
  readonly #noAck = new Fifo<NoAckEntry<P>>();
  /** Ids whose ACK may still come though nothing waits for it (replies, resent and retired deliveries). */
  readonly #recognized: RecentIds;
  /**
   * Un-ACKed deliveries by id, in the order they were created. Created on the first send and dropped once
   * empty: an idle node has nothing in flight, and an empty Map still costs about 150 bytes per node.
   */
  #inFlight: Map<string, InFlight<P>> | undefined;
  readonly #timers = new DeadlineHeap<InFlight<P>>();
  /** Deliveries moved back by onDisconnect, in the order they were created. */
  #awaitingReconnect: InFlight<P>[] = [];
  /** Sum of `bytes` of the no-ACK payloads held. */
  #noAckBytes = 0;
  #seq = 0;
  readonly #counters: Counters = { ...zeroCounters };

  /** @throws EdgeControllerError `EC_CONFIG_INVALID` when an option is out of range. */
  constructor(options: NodeQueueOptions) {
    this.#options = resolveNodeQueueOptions(options);
    this.#ackTimeouts = {
      initialDelayMs: this.#options.ackTimeoutMs,
      maxDelayMs: this.#options.maxAckTimeoutMs,
    };
    this.#recognized = new RecentIds({
      maxIds: this.#options.maxRecognizedIds,
      ttlMs: this.#options.recognizedIdTtlMs,
    });
  }

  /**
   * Offers a version of an object to the ACK path. It replaces the object's waiting version, if any; the
   * outcome says whether it was queued, replaced an older one, or was dropped and why. Call
   * {@link takeSendable} afterwards.
   */
  enqueueAck(item: AckItem<P>, now: number): EnqueueOutcome<P> {
    const outcome = this.#entries.enqueue(item, now);
    switch (outcome.kind) {
      case 'queued':
        break;
      case 'replaced':
        this.#counters.replacedTotal += 1;
        break;
      case 'dropped-stale':
        this.#counters.droppedStaleTotal += 1;
        break;
      case 'dropped-after-delete':
        this.#counters.droppedAfterDeleteTotal += 1;
        break;
      case 'dropped-duplicate-delete':
        this.#counters.droppedDuplicateDeleteTotal += 1;
        break;
      case 'dropped-invalid':
        this.#counters.droppedInvalidTotal += 1;
        break;
    }
    return outcome;
  }

  /**
   * Queues a payload to be written once, with no ACK. Held across disconnects (the edge's waiters for
   * replies outlive its connection); past `maxPendingNoAck` the oldest is evicted and returned. `bytes` is
   * what the payload costs (its encoded size), summed in {@link pendingNoAckBytes}; default 0.
   */
  enqueueNoAck(payload: P, bytes = 0): NoAckOutcome<P> {
    return this.#pushNoAck({ payload, isReply: false, bytes });
  }

  /**
   * Like {@link enqueueNoAck}, for a reply the edge may ACK although it needs no ACK: its delivery id is
   * remembered once sent (within `maxRecognizedIds` and `recognizedIdTtlMs`), so that {@link ack} reports
   * the edge's ACK of it as `recognized`, not `unknown`. KubeEdge's edge ACKs the reply to every request
   * it sent through its metamanager's remote path (inserts, lease updates, remote queries), with the
   * reply's id as parent (kubeedge/kubeedge v1.23.1 `edge/pkg/metamanager/process.go` processRemote →
   * feedbackResponse). Never resent.
   */
  enqueueReply(payload: P, bytes = 0): NoAckOutcome<P> {
    return this.#pushNoAck({ payload, isReply: true, bytes });
  }

  /**
   * Messages waiting to be sent, ACK and no-ACK paths together: {@link stats}'s `pendingAck +
   * pendingNoAck` without building the stats (the hub sums it over every node at each metrics scrape).
   */
  get waitingCount(): number {
    return this.#entries.pendingCount + this.#noAck.length;
  }

  /** Messages sent and not yet ACKed: {@link stats}'s `inFlight`, without building the stats. */
  get inFlightCount(): number {
    return this.#inFlight?.size ?? 0;
  }

  /** Bytes of the no-ACK payloads held, as their callers sized them (the hub's reply budget reads it). */
  get pendingNoAckBytes(): number {
    return this.#noAckBytes;
  }

  /**
   * Drops every no-ACK payload held (the node was disconnected for cause: its replies are released, not
   * kept for its next session). The ACK path is untouched. Returns how many were dropped.
   */
  dropNoAck(): number {
    const dropped = this.#noAck.length;
    this.#noAck.clear();
    this.#noAckBytes = 0;
    return dropped;
  }

  /**
   * Everything that may be written now, in the order to write it: the no-ACK payloads (all of them, or
   * as many as `limits.maxNoAckBytes` allows, oldest first; the rest wait for the next call); then deliveries
   * requeued by a disconnect; then resends whose timeout is due (earliest first); then first sends while the
   * window has room, one per sendable key. Also returns the deliveries retired on the way. Call it after an
   * enqueue, an ACK, when {@link nextWakeAt} passes, and when a session starts; never while disconnected.
   */
  takeSendable(now: number, limits: TakeLimits = {}): SendPlan<P> {
    const deliveries: Delivery<P>[] = [];
    const retired: Retired<P>[] = [];
    const maxNoAckBytes = limits.maxNoAckBytes ?? Infinity;
    let takenBytes = 0;
    for (let entry = this.#noAck.peek(); entry !== undefined; entry = this.#noAck.peek()) {
      if (takenBytes > 0 && takenBytes + entry.bytes > maxNoAckBytes) break;
      // The id before the payload is taken: if newId misbehaves and throws, the backlog is intact.
      const id = this.#uniqueId();
      this.#noAck.shift();
      this.#noAckBytes -= entry.bytes;
      takenBytes += Math.max(entry.bytes, 1);
      if (entry.isReply) this.#recognized.remember(id, now);
      deliveries.push({ kind: 'no-ack', id, payload: entry.payload });
      this.#counters.noAckSentTotal += 1;
    }
    const maxDeliveries = deliveries.length + (limits.maxAckDeliveries ?? Infinity);
    // Each retry takes its delivery off the list or the heap itself, so a throwing newId loses nothing.
    for (
      let next = this.#awaitingReconnect[0];
      next !== undefined && deliveries.length < maxDeliveries;
      next = this.#awaitingReconnect[0]
    ) {
      this.#retry(next, now, 'reconnect', deliveries, retired);
    }
    for (
      let due = this.#timers.peek();
      due !== undefined && due.deadline <= now && deliveries.length < maxDeliveries;
      due = this.#timers.peek()
    ) {
      this.#retry(due, now, 'timeout', deliveries, retired);
    }
    while (
      deliveries.length < maxDeliveries &&
      this.inFlightCount < this.#options.windowSize &&
      this.#entries.sendableKeyCount > 0
    ) {
      // The id first: if newId misbehaves and throws, nothing has been taken.
      const id = this.#uniqueId();
      const taken = this.#entries.takeNext();
      if (taken === undefined) break;
      this.#start(id, taken.key, taken.uid, taken.version, now, 'first', 0, deliveries);
    }
    return { deliveries, retired };
  }

  /**
   * Whether {@link takeSendable} at `now` would return an ACK-path delivery or retire one: a delivery
   * requeued by a disconnect, a resend deadline passed, or a sendable key with room in the window. O(1).
   */
  hasAckWork(now: number): boolean {
    if (this.#awaitingReconnect.length > 0) return true;
    const due = this.#timers.peek();
    if (due !== undefined && due.deadline <= now) return true;
    return this.inFlightCount < this.#options.windowSize && this.#entries.sendableKeyCount > 0;
  }

  /**
   * Settles the delivery whose id the edge's ACK carries as `parent_msg_id`. Frees its window slot and
   * its key; call {@link takeSendable} afterwards. An ACK of a message we no longer wait for but remember
   * (a reply, another copy of a resent delivery, a retired one) is `recognized`; any other id is
   * `unknown`. Neither is thrown.
   */
  ack(deliveryId: string, now: number): AckOutcome<P> {
    const delivery = this.#inFlight?.get(deliveryId);
    if (delivery === undefined) {
      if (this.#recognized.take(deliveryId, now)) {
        this.#counters.recognizedAcksTotal += 1;
        return { kind: 'recognized', deliveryId };
      }
      this.#counters.unknownAcksTotal += 1;
      return { kind: 'unknown', deliveryId };
    }
    this.#forget(delivery);
    this.#entries.settle(delivery.key, delivery.uid, 'acked');
    this.#counters.ackedTotal += 1;
    // The edge ACKs every copy it receives (metamanager answers each message), so a copy resent before
    // this ACK may still be ACKed.
    if (delivery.resends > 0) this.#recognized.remember(deliveryId, now);
    return {
      kind: 'acked',
      deliveryId,
      item: delivery.version.item,
      latencyMs: Math.max(0, now - delivery.firstSentAt),
      sinceEnqueueMs: Math.max(0, now - delivery.version.enqueuedAt),
      resends: delivery.resends,
    };
  }

  /**
   * The earliest resend deadline, for the worker's one timer; `undefined` when no timer runs. Deliveries
   * requeued by {@link onDisconnect} have no deadline: they go out on the next {@link takeSendable}.
   */
  nextWakeAt(): number | undefined {
    return this.#timers.peek()?.deadline;
  }

  /**
   * The node's session ended. Un-ACKed deliveries stop their timers and will be resent first, in their
   * original order and with their ids, by the next {@link takeSendable}, each with a fresh timeout.
   * KubeEdge discards them (spec §5.6); we keep them. Everything else stays queued.
   */
  onDisconnect(): DisconnectOutcome {
    this.#timers.clear();
    this.#awaitingReconnect = [...(this.#inFlight?.values() ?? [])];
    return { requeued: this.#awaitingReconnect.length };
  }

  /** Current sizes and totals; cheap enough to call per scrape. */
  stats(): QueueStats {
    return {
      pendingAck: this.#entries.pendingCount,
      inFlight: this.inFlightCount,
      awaitingReconnect: this.#awaitingReconnect.length,
      pendingNoAck: this.#noAck.length,
      sendableKeys: this.#entries.sendableKeyCount,
      trackedObjects: this.#entries.trackedCount,
      recognizedIds: this.#recognized.size,
      ...this.#counters,
    };
  }

  /**
   * Forgets the versions the edge ACKed (not what waits or is in flight), so that a full resync to an edge
   * whose store may be empty is not dropped as stale (issue 13). Totals are kept.
   */
  forgetAcked(): void {
    this.#entries.forgetAcked();
  }

  /** Drops everything the queue holds (the node was deleted). Totals are kept. Outstanding ids become unknown. */
  clear(): void {
    this.#entries.clear();
    this.#noAck.clear();
    this.#noAckBytes = 0;
    this.#inFlight = undefined;
    this.#timers.clear();
    this.#awaitingReconnect = [];
    this.#recognized.clear();
  }

  #pushNoAck(entry: NoAckEntry<P>): NoAckOutcome<P> {
    this.#noAck.push(entry);
    this.#noAckBytes += entry.bytes;
    if (this.#noAck.length <= this.#options.maxPendingNoAck) return { kind: 'queued' };
    const oldest = this.#noAck.shift() as NoAckEntry<P>;
    this.#noAckBytes -= oldest.bytes;
    const evicted = oldest.payload;
    this.#counters.noAckEvictedTotal += 1;
    return { kind: 'queued-evicting-oldest', evicted };
  }

  /** A timed-out or requeued delivery: supersede it, retire it, or resend it with the same id. */
  #retry(
    delivery: InFlight<P>,
    now: number,
    reason: 'timeout' | 'reconnect',
    deliveries: Delivery<P>[],
    retired: Retired<P>[],
  ): void {
    const attempt = reason === 'reconnect' ? 0 : delivery.attempt + 1;
    if (this.#mayBeSuperseded(delivery)) {
      const id = this.#uniqueId();
      const newer = this.#entries.takeSuperseding(delivery.key, delivery.uid);
      this.#forget(delivery);
      this.#recognized.remember(delivery.id, now);
      retired.push(this.#retired(delivery, 'superseded'));
      this.#counters.supersededTotal += 1;
      this.#start(id, delivery.key, delivery.uid, newer, now, 'superseding', attempt, deliveries);
      return;
    }
    const limit = delivery.version.item.dropAfterResends;
    if (limit !== undefined && delivery.resends >= limit) {
      this.#forget(delivery);
      this.#entries.settle(delivery.key, delivery.uid, 'dropped');
      this.#recognized.remember(delivery.id, now);
      retired.push(this.#retired(delivery, 'resend-limit'));
      this.#counters.retiredResendLimitTotal += 1;
      return;
    }
    this.#timers.remove(delivery);
    this.#unqueueReconnect(delivery);
    delivery.resends += 1;
    delivery.attempt = attempt;
    delivery.deadline = now + exponentialDelayMs(attempt, this.#ackTimeouts);
    this.#timers.push(delivery);
    this.#counters.resendsTotal += 1;
    deliveries.push({
      kind: 'ack',
      id: delivery.id,
      item: delivery.version.item,
      reason,
      resends: delivery.resends,
    });
  }

  /**
   * Whether a newer version waiting at the head of the delivery's key takes its place now. A delete does
   * so only once the delivery has gone unanswered through {@link deleteSupersedesAfterResends} resends:
   * before that the edge may still be applying the un-ACKed version on its own goroutine (errata Part A
   * omission 7), and applied after the delete it would bring the object back, which the edge then keeps
   * (issue 11). After that the edge is not just slow, and the delete must still get through.
   */
  #mayBeSuperseded(delivery: InFlight<P>): boolean {
    if (!this.#entries.canSupersede(delivery.key, delivery.uid)) return false;
    // The same holds the other way round: an object needed again must not overtake its own delete,
    // which the edge may still be applying.
    const isOrderSensitive =
      delivery.version.isDelete || this.#entries.isDeleteWaiting(delivery.key, delivery.uid);
    return !isOrderSensitive || delivery.resends >= deleteSupersedesAfterResends;
  }

  #start(
    id: string,
    key: string,
    uid: string,
    version: Version<P>,
    now: number,
    reason: SendReason,
    attempt: number,
    deliveries: Delivery<P>[],
  ): void {
    const delivery: InFlight<P> = {
      id,
      key,
      uid,
      version,
      firstSentAt: now,
      resends: 0,
      attempt,
      deadline: now + exponentialDelayMs(attempt, this.#ackTimeouts),
      seq: this.#seq++,
      heapIndex: -1,
    };
    (this.#inFlight ??= new Map()).set(id, delivery);
    this.#timers.push(delivery);
    this.#counters.sentTotal += 1;
    deliveries.push({ kind: 'ack', id, item: version.item, reason, resends: 0 });
  }

  #forget(delivery: InFlight<P>): void {
    this.#inFlight?.delete(delivery.id);
    if (this.#inFlight?.size === 0) this.#inFlight = undefined;
    this.#timers.remove(delivery);
    this.#unqueueReconnect(delivery);
  }

  #unqueueReconnect(delivery: InFlight<P>): void {
    // Usually the head (takeSendable walks the list in order); an early ACK may hit any position.
    const index = this.#awaitingReconnect.indexOf(delivery);
    if (index >= 0) this.#awaitingReconnect.splice(index, 1);
  }

  #retired(delivery: InFlight<P>, reason: Retired<P>['reason']): Retired<P> {
    return { reason, deliveryId: delivery.id, item: delivery.version.item, resends: delivery.resends };
  }

  #uniqueId(): string {
    const id = this.#options.newId();
    if (this.#inFlight?.has(id) === true) {
      throw new EdgeControllerError(
        'EC_CONFIG_INVALID',
        `queue option newId returned ${JSON.stringify(id)}, the id of an un-ACKed delivery; pass a generator of unique ids such as crypto.randomUUID`,
      );
    }
    return id;
  }
}
