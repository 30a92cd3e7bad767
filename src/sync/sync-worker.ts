/**
 * Reliable sync (KubeEdge synccontroller and cloudhub's `saveSuccessPoint`), better behind the same CRDs:
 * installs `objectsyncs`/`clusterobjectsyncs` if absent; creates an object's record `<node>.<uid>` BEFORE
 * its first push to a node (record-gate.ts: KubeEdge's order, so a crash never forgets what an edge may
 * hold); records each version the edge ACKs; repairs a node when it connects and periodically, from what
 * the node SHOULD have (KubeEdge only walks existing records, so an object never recorded is never
 * repaired); and resyncs a node fully when its store may be empty (a re-imaged or restarted EdgeCore).
 * Record writes go through one writer (record-write-worker.ts): in order per record, fair across nodes, retried
 * with backoff, never stalling the hub (#7278). Repair of a node costs in proportion to that node's
 * objects (KubeEdge #7027 swept everything per event).
 *
 * The record informers come from the shared-informer factory the composition root hands down; they are
 * asked for and started only once the CRDs are installed (listing a resource that does not exist yet
 * would fail and back off), and the factory stops them.
 * @module
 */
import { setTimeout as delay, setImmediate as yieldTurn } from 'node:timers/promises';
import { exponentialDelayMs } from '../backoff/index.js';
import { objectKey, toApiError } from '../kube/index.js';
import type { Informer, KubeClient, KubeObject, SharedInformers } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import { isReply, newMessageId, resourceTypeOf } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';
import { pushContentDefaults, toMessage } from '../protocol/index.js';
import type { PushContentOptions, PushSpec } from '../protocol/index.js';
import { reliableSyncCrds } from './crds.js';
import { onAck } from './on-ack.js';
import { Outbox } from './outbox.js';
import { gatedPushOf } from './push-record.js';
import { parseObjectSyncName } from './record-name.js';
import { RecordGate } from './record-gate.js';
import { unknownResourceVersion } from './record-ops.js';
import type { RecordOp, RecordOpResult } from './record-ops.js';
import { parseSyncRecord, reliableSyncsApiVersion } from './record.js';
import { slimRecord } from './record-shape.js';
import { clearResyncPending, markResyncPending } from './resync-marker.js';
import type { SyncRecord } from './record.js';
import { RecordWriter } from './record-write-worker.js';
import { planRepair, recordsOfGoneNodes } from './repair.js';
import type { DesiredObject, RepairAction } from './repair.js';

/** What sync needs to know about nodes: what each should have, and which nodes exist. */
export interface DesiredState {
  desiredFor(node: NodeName): readonly DesiredObject[];
  nodeExists(node: NodeName): boolean;
  /** Whether the node's Node carries the resync-pending annotation (resync-marker.ts). */
  resyncPending?(node: NodeName): boolean;
}

/** What sync needs from the hub. */
export interface SyncHub {
  enqueue(node: NodeName, message: Message): unknown;
  connectedNodes(): readonly NodeName[];
  isConnected(node: NodeName): boolean;
  /** Forget the versions the node's edge ACKed, so a full resync is not dropped as stale. */
  forgetAcked(node: NodeName): void;
}

/** Why a node is resynced in full. */
export type ResyncReason =
  /** The edge started (its node `insert`): its store may have been wiped. */
  | 'edge-start'
  /** A token join for an existing node name: a new certificate, most likely a rebuilt edge. */
  | 'token-join'
  /** The node connected with a resync that a previous controller began and did not finish. */
  | 'unfinished';

/** What sync reports for metrics (the composition root wires it); callbacks must be cheap. */
export interface SyncObserver {
  /** One record write call ended: `failed` is retried, `dropped` given up (it cannot succeed). */
  onRecordWrite?(operation: RecordOp['kind'], result: 'ok' | 'failed' | 'dropped'): void;
  /** A repair decision was carried out. */
  onRepairAction?(action: RepairAction['kind']): void;
  /** A node's full resync began. */
  onResync?(reason: ResyncReason): void;
}

/** Options of {@link SyncWorker}. */
export interface SyncWorkerOptions {
  readonly client: KubeClient;
  /** The shared-informer factory the record informers come from; {@link SyncWorker.start} starts them. */
  readonly informers: SharedInformers;
  readonly hub: SyncHub;
  readonly desired: DesiredState;
  readonly logger: Logger;
  /** Concurrent record writes, all nodes together; default 32 (record-write-worker.ts). */
  readonly writeConcurrency?: number;
  /** Repair every connected node this often; default 60 s (KubeEdge: every 5 s over everything). */
  readonly repairIntervalMs?: number;
  readonly content?: PushContentOptions;
  /** Least time between two full resyncs of one node; default 5 s. */
  readonly minResyncIntervalMs?: number;
  /** Metrics hook; default none. */
  readonly observer?: SyncObserver;
  /** Pushes handed to the record gate and the hub per turn of the event loop; default 256 (outbox.ts). */
  readonly pushesPerTurn?: number;
}

const defaultMinResyncIntervalMs = 5_000;
/** A podpatch reply this recent before a pod's delete ACK gets the delete sent once more. */
const trailingDeleteWindowMs = 10_000;
/** After the delete's ACK: the reply, received before, has been stored by then. */
const trailingDeleteDelayMs = 500;
const maxRememberedPodReplies = 10_000;

const recordsByNode = 'byNode';
/** Records read per turn of the event loop by the start-up sweep of deleted nodes' records. */
const recordsPerTurn = 5_000;
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** What waits in the outbox: a message, or a push stamped when it leaves. */
type Outgoing = { readonly message: Message } | { readonly push: PushSpec };

/** The reliable-sync worker. */
export class SyncWorker {
  readonly #options: SyncWorkerOptions;
  readonly #gate: RecordGate;
  /** Every push passes here first: a burst is spread over turns of the event loop, per node in order. */
  readonly #outbox: Outbox<Outgoing>;
  readonly #writer: RecordWriter;
  #records: { readonly namespaced: Informer<KubeObject>; readonly cluster: Informer<KubeObject> } | undefined;
  readonly #lastResyncAt = new Map<NodeName, number>();
  /** Resyncs asked for within the interval of the last one: run at its end, written down at once. */
  readonly #deferredResyncs = new Map<
    NodeName,
    { readonly timer: NodeJS.Timeout; marked: Promise<boolean> }
  >();
  /** Nodes whose resync is under way, by generation (a newer resync supersedes an older one). */
  readonly #resyncing = new Map<NodeName, number>();
  /** `<node>\0<pod uid>` → when a podpatch reply carrying that pod went out (see #notePodPatchReply). */
  readonly #podPatchReplies = new Map<string, number>();
  #signal: AbortSignal | undefined;

  constructor(options: SyncWorkerOptions) {
    this.#options = options;
    this.#gate = new RecordGate((record) => this.#isInStore(record));
    this.#outbox = new Outbox({
      send: (node, out) => {
        this.#enqueueNow(
          node,
          'message' in out ? out.message : toMessage(out.push, { id: newMessageId(), now: Date.now() }),
        );
      },
      ...(options.pushesPerTurn !== undefined ? { perTurn: options.pushesPerTurn } : {}),
      onError: (err, node) => {
        options.logger.error({ node, err: String(err) }, 'A push could not be handed to the hub');
      },
    });
    this.#writer = new RecordWriter({
      client: options.client,
      logger: options.logger,
      ...(options.writeConcurrency !== undefined ? { concurrency: options.writeConcurrency } : {}),
      observer: {
        onWrite: (operation, result) => options.observer?.onRecordWrite?.(operation, result),
      },
    });
  }

  /** Record writes asked and not yet done (a gauge). */
  get pendingRecordWrites(): number {
    return this.#writer.pending;
  }

  /** Pushes waiting for their record to be written (a gauge). */
  get heldPushes(): number {
    return this.#gate.heldCount;
  }

  /** Installs the CRDs, starts the record informers, cleans records of gone nodes, starts the loops. */
  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    await this.#installCrds(signal);
    const indexes = {
      [recordsByNode]: (cr: { readonly metadata: { readonly name: string } }) => {
        const parsed = parseObjectSyncName(cr.metadata.name);
        return parsed === undefined ? [] : [parsed.node];
      },
    };
    const informers = this.#options.informers;
    const records = {
      namespaced: informers.informerFor<KubeObject>({
        path: `/apis/${reliableSyncsApiVersion}/objectsyncs`,
        name: 'objectsyncs',
        indexes,
        transform: slimRecord,
      }),
      cluster: informers.informerFor<KubeObject>({
        path: `/apis/${reliableSyncsApiVersion}/clusterobjectsyncs`,
        name: 'clusterobjectsyncs',
        indexes,
        transform: slimRecord,
      }),
    };
    this.#records = records;
    // What the gate knows beyond the informer shrinks as the informer catches up (record-gate.ts).
    for (const informer of [records.namespaced, records.cluster]) {
      informer.onEvent((event) => {
        const parsed = parseObjectSyncName(event.object.metadata.name);
        if (parsed !== undefined) this.#gate.informerSaw(parsed.node, parsed.uid, event.type !== 'delete');
      });
    }
    informers.start(signal);
    await Promise.all([records.namespaced.whenSynced(), records.cluster.whenSynced()]);
    // Every record is read once here (300,000 at 10,000 nodes × 30 objects): a few thousand a turn, so the
    // replica's Lease renewals and the API client's replies are not held for the whole walk.
    let gone = 0;
    const all = [...records.namespaced.store.list(), ...records.cluster.store.list()];
    for (let start = 0; start < all.length; start += recordsPerTurn) {
      if (start > 0) await yieldTurn();
      const chunk = all
        .slice(start, start + recordsPerTurn)
        .map((cr) => parseSyncRecord(cr))
        .filter((r): r is SyncRecord => r !== undefined);
      for (const record of recordsOfGoneNodes(chunk, (node) => this.#options.desired.nodeExists(node))) {
        this.#writer.write(record.node, { kind: 'delete', target: record });
        gone += 1;
      }
    }
    if (gone > 0) this.#options.logger.info({ records: gone }, 'Removing the records of deleted nodes');
    void this.#repairLoop(signal);
  }

  /**
   * Hands a push for a node to the hub once its record exists (record-gate.ts); downstream and repair
   * send through here. Messages the gate does not concern (no ACK, not an object) go straight through.
   * At most `pushesPerTurn` pushes go on per turn of the event loop; the rest follow in the next turns,
   * in order per node (outbox.ts), so one ConfigMap used by 10,000 nodes does not hold the loop.
   */
  enqueue(node: NodeName, message: Message): void {
    // A reply goes on at once. It answers one request of the node, which upstream admission already
    // bounds fairly per node; behind the outbox (one FIFO for all nodes) a node's lease reply waited for
    // up to 7 s behind another node's flood of 400,000 refused status patches. Its order against a push
    // of the same object still waiting here is kept by the queue: it is built from the store now, so it is
    // at least as new, and the older push is then dropped as stale.
    if (isReply(message)) {
      this.#enqueueNow(node, message);
      return;
    }
    this.#outbox.offer(node, { message });
  }

  /**
   * As {@link enqueue} for a push not yet made a message: it is stamped (id, time) when it leaves, so a
   * fan-out waiting in the outbox holds one shared push, not a message per node.
   */
  deliver(node: NodeName, push: PushSpec): void {
    this.#outbox.offer(node, { push });
  }

  /** Pushes offered and kept for a later turn of the event loop (outbox.ts), all nodes. */
  get waitingPushes(): number {
    return this.#outbox.waiting;
  }

  /**
   * Drops the pushes for a node still waiting in the outbox: call it when the node stops being an edge
   * node (the hub forgets its queue), so none of them makes the queue again.
   */
  dropPending(node: NodeName): void {
    this.#outbox.dropNode(node);
  }

  #enqueueNow(node: NodeName, message: Message): void {
    this.#notePodPatchReply(node, message);
    const push = gatedPushOf(node, message);
    if (push === undefined) {
      this.#options.hub.enqueue(node, message);
      return;
    }
    const decision = this.#gate.offer(node, push);
    switch (decision.kind) {
      case 'send':
        this.#options.hub.enqueue(node, message);
        return;
      case 'held':
        return;
      case 'create':
        this.#writer.write(node, { kind: 'create', record: decision.record }, (result) => {
          this.#release(node, decision.record, result);
        });
        return;
    }
  }

  /** The hub's ACK hook: queue the record write; never throws. */
  onAck(node: NodeName, acked: AckItem<Message>): void {
    const action = onAck(node, acked);
    switch (action.kind) {
      case 'none':
        return;
      case 'upsert':
        this.#gate.noteRecorded(node, action.record);
        this.#writer.write(node, {
          kind: 'status',
          record: action.record,
          resourceVersion: action.record.objectResourceVersion,
        });
        return;
      case 'delete': {
        const uid = parseObjectSyncName(action.target.name)?.uid;
        if (uid !== undefined) {
          this.#gate.noteDeleted(node, uid);
          this.#trailingDelete(node, uid, acked.payload);
        }
        this.#writer.write(node, { kind: 'delete', target: action.target });
        return;
      }
    }
  }

  /**
   * Sends a node what it lacks and deletes what it should no longer have; a node whose last resync did
   * not finish (a controller crashed during it) is resynced instead.
   */
  repair(node: NodeName): number {
    if (this.#options.desired.resyncPending?.(node) === true && !this.#resyncing.has(node)) {
      void this.resync(node, 'unfinished');
      return 0;
    }
    return this.#repair(node, this.#recordsOf(node));
  }

  /**
   * Full resync of a node whose store may be empty (issue 13 item 3): annotates its Node "resync pending"
   * (resync-marker.ts: a controller that crashes before the end leaves it, and the next one resyncs the
   * node again when it connects), marks each of its records unknown (`status 0`), forgets what the hub
   * remembers as ACKed, sends the node its whole desired set and deletes for whatever it should not hold,
   * and clears the annotation once every record is marked. The pushes of an object wait for its mark
   * (record-gate.ts). Resending what the edge has is harmless: it upserts.
   */
  resync(node: NodeName, reason: ResyncReason): Promise<void> {
    // At most one per node per interval: each costs a write per record, and a node can insert its Node
    // at will. A later ask in the interval is deferred to its end, never dropped (the edge may really
    // have been wiped again).
    // A node with no records holds nothing we believe it has, so a wiped store loses nothing we would
    // not send anyway: its pushes create their records first (record-gate.ts) and a crash mid-way is
    // repaired from them. It gets its desired set at once, with no Node PATCH: a fresh fleet of 10,000
    // edges inserting their Nodes otherwise cost 2 Node PATCHes each before its insert was answered, and
    // the kubelets' retries made tens of thousands (registration stalled at 2,585 of 10,000).
    if (!this.#resyncing.has(node) && !this.#deferredResyncs.has(node) && this.#hasNoRecords(node)) {
      this.#options.hub.forgetAcked(node);
      this.#repair(node, []);
      return Promise.resolve();
    }
    const now = Date.now();
    const last = this.#lastResyncAt.get(node);
    const intervalMs = this.#options.minResyncIntervalMs ?? defaultMinResyncIntervalMs;
    if (last !== undefined && now - last < intervalMs) {
      let deferred = this.#deferredResyncs.get(node);
      if (deferred === undefined) {
        const timer = setTimeout(
          () => {
            this.#deferredResyncs.delete(node);
            void this.resync(node, reason);
          },
          last + intervalMs - now,
        );
        timer.unref();
        // Written down now, run later: a crash before the run still leaves the node marked, and the
        // insert waiting on this is answered only once it is. (The entry exists before the write starts:
        // the write goes on only while it does.)
        const entry = { timer, marked: Promise.resolve(false) };
        this.#deferredResyncs.set(node, entry);
        entry.marked = this.#patchNode(
          node,
          markResyncPending(new Date()),
          () => this.#deferredResyncs.get(node) === entry,
        );
        deferred = entry;
      }
      return deferred.marked.then(() => undefined);
    }
    this.#lastResyncAt.set(node, now);
    this.#options.observer?.onResync?.(reason);
    const generation = (this.#resyncing.get(node) ?? 0) + 1;
    this.#resyncing.set(node, generation);
    // The annotation first: a crash from here on makes the next controller resync the node again.
    return this.#patchNode(
      node,
      markResyncPending(new Date()),
      () => this.#resyncing.get(node) === generation,
    ).then((isMarked) => {
      if (isMarked && this.#resyncing.get(node) === generation) this.#runResync(node, reason, generation);
    });
  }

  #runResync(node: NodeName, reason: ResyncReason, generation: number): void {
    const records = this.#recordsOf(node);
    const marks = this.#gate.beginResync(node, records);
    let unmarked = marks.length;
    const finish = (): void => {
      if (this.#resyncing.get(node) !== generation) return;
      this.#resyncing.delete(node);
      // A resync deferred meanwhile keeps the annotation: it clears it when it finishes.
      if (this.#deferredResyncs.has(node)) return;
      void this.#patchNode(
        node,
        clearResyncPending(),
        () => !this.#resyncing.has(node) && !this.#deferredResyncs.has(node),
      );
    };
    for (const mark of marks) {
      this.#writer.write(
        node,
        { kind: 'status', record: mark, resourceVersion: unknownResourceVersion },
        (result) => {
          this.#release(node, mark, result);
          unmarked -= 1;
          if (unmarked === 0) finish();
        },
      );
    }
    this.#options.hub.forgetAcked(node);
    const sent = this.#repair(
      node,
      records.map((record) => ({ ...record, objectResourceVersion: unknownResourceVersion })),
    );
    if (marks.length === 0) finish();
    this.#options.logger.info({ node, reason, records: records.length, actions: sent }, 'Resyncing a node');
  }

  /**
   * A merge PATCH of the node's annotations, retried with backoff while `stillWanted()`; resolves whether
   * it was written. A Node that is gone ends it (false).
   */
  async #patchNode(
    node: NodeName,
    body: Readonly<Record<string, unknown>>,
    stillWanted: () => boolean,
  ): Promise<boolean> {
    for (let attempt = 0; stillWanted() && this.#signal?.aborted !== true; attempt += 1) {
      try {
        await this.#options.client.request({
          method: 'PATCH',
          path: `/api/v1/nodes/${node}`,
          contentType: 'application/merge-patch+json',
          body,
          priority: 'records',
        });
        return true;
      } catch (err) {
        const failure = toApiError(err, { verb: 'PATCH', resource: `/api/v1/nodes/${node}` });
        if (failure.action === 'absorb') return false;
        if (attempt === 0) {
          this.#options.logger.warn(
            { node, err: failure.message },
            'Could not annotate a node being resynced; retrying',
          );
        }
        await delay(exponentialDelayMs(attempt, { initialDelayMs: 500, maxDelayMs: 30_000 })).catch(
          () => undefined,
        );
      }
    }
    return false;
  }

  /** Removes every record of a deleted node (its by-node index: no sweep of every record). */
  forgetNode(node: NodeName): void {
    clearTimeout(this.#deferredResyncs.get(node)?.timer);
    this.#deferredResyncs.delete(node);
    this.#lastResyncAt.delete(node);
    this.#resyncing.delete(node);
    this.#outbox.dropNode(node);
    this.#gate.forgetNode(node);
    this.#writer.forgetNode(node);
    for (const record of this.#recordsOf(node)) this.#writer.write(node, { kind: 'delete', target: record });
  }

  /**
   * Another replica owns the node now (issue 14): its resync timer and held pushes go at once. Its records
   * stay, and the record writes already asked for finish: they say what the edge ACKed, which the new
   * owner's repair reads.
   */
  releaseNode(node: NodeName): void {
    clearTimeout(this.#deferredResyncs.get(node)?.timer);
    this.#deferredResyncs.delete(node);
    this.#lastResyncAt.delete(node);
    // Its resync, if unfinished, stays marked on the Node: the new owner finishes it.
    this.#resyncing.delete(node);
    this.#outbox.dropNode(node);
    this.#gate.forgetNode(node);
  }

  /** Waits for the record writes in flight; what waits is abandoned (repair redoes it after a restart). */
  async stop(): Promise<void> {
    for (const deferred of this.#deferredResyncs.values()) clearTimeout(deferred.timer);
    this.#deferredResyncs.clear();
    this.#outbox.clear();
    await this.#writer.stop();
  }

  /**
   * The edge stores the pod in a `podpatch` reply as its pod row (metamanager), and handles messages on
   * their own goroutines: a reply sent just before the pod's delete may be stored after it, bringing the
   * row back with no record to repair it by (seen in the fault suite). So the pods whose podpatch reply
   * went out in the last seconds are remembered, and their delete is sent once more after its ACK.
   */
  #notePodPatchReply(node: NodeName, message: Message): void {
    if (message.route.operation !== 'response') return;
    if (resourceTypeOf(message.route.resource ?? '') !== 'podpatch') return;
    const content = message.content as { Object?: { metadata?: { uid?: unknown } } } | null;
    const uid = content?.Object?.metadata?.uid;
    if (typeof uid !== 'string' || uid === '') return;
    const key = `${node}\u0000${uid}`;
    this.#podPatchReplies.delete(key);
    this.#podPatchReplies.set(key, Date.now());
    // Bounded: the oldest go first (a Map keeps insertion order).
    for (const [oldest] of this.#podPatchReplies) {
      if (this.#podPatchReplies.size <= maxRememberedPodReplies) break;
      this.#podPatchReplies.delete(oldest);
    }
  }

  #trailingDelete(node: NodeName, uid: string, deleteMessage: Message): void {
    if (resourceTypeOf(deleteMessage.route.resource ?? '') !== 'pod') return;
    const key = `${node}\u0000${uid}`;
    const repliedAt = this.#podPatchReplies.get(key);
    this.#podPatchReplies.delete(key);
    if (repliedAt === undefined || Date.now() - repliedAt > trailingDeleteWindowMs) return;
    setTimeout(() => {
      if (this.#signal?.aborted !== true) this.#options.hub.enqueue(node, deleteMessage);
    }, trailingDeleteDelayMs).unref();
  }

  #release(node: NodeName, record: SyncRecord, result: RecordOpResult): void {
    for (const message of this.#gate.written(node, record, result)) this.#options.hub.enqueue(node, message);
  }

  #repair(node: NodeName, records: readonly SyncRecord[]): number {
    const actions = planRepair({
      node,
      desired: this.#options.desired.desiredFor(node),
      records,
      content: this.#options.content ?? pushContentDefaults,
    });
    for (const action of actions) this.#carryOut(node, action);
    return actions.length;
  }

  /** The node's records in the informer's store (its by-node index). */
  /** The stored ObjectSync/ClusterObjectSync objects naming `node`; `undefined` before start. */
  #storedRecordsOf(node: NodeName): KubeObject[] | undefined {
    if (this.#records === undefined) return undefined;
    return [
      ...this.#records.namespaced.store.byIndex(recordsByNode, node),
      ...this.#records.cluster.store.byIndex(recordsByNode, node),
    ];
  }

  /** Whether no record names `node` (false before start: unknown). */
  #hasNoRecords(node: NodeName): boolean {
    return this.#storedRecordsOf(node)?.length === 0;
  }

  #recordsOf(node: NodeName): SyncRecord[] {
    // Before start, there are no records to read: the node gets everything it should have.
    return (this.#storedRecordsOf(node) ?? [])
      .map((cr) => parseSyncRecord(cr))
      .filter((r): r is SyncRecord => r !== undefined);
  }

  #isInStore(record: SyncRecord): boolean {
    const informer = record.recordKind === 'ObjectSync' ? this.#records?.namespaced : this.#records?.cluster;
    return informer?.store.get(objectKey(record.namespace, record.name)) !== undefined;
  }

  #carryOut(node: NodeName, action: RepairAction): void {
    this.#options.observer?.onRepairAction?.(action.kind);
    switch (action.kind) {
      case 'send':
      case 'send-delete':
        this.deliver(node, action.push);
        return;
      case 'drop-record':
        this.#writer.write(node, { kind: 'delete', target: action.record });
        return;
    }
  }

  /**
   * The periodic safety net, spread over its interval: one node every interval/N, never all N in one turn
   * of the event loop (10,000 nodes × 30 objects back to back blocked it for about 5 s, issue 15). A node
   * that connected meanwhile was repaired on connect; one that left is skipped.
   */
  async #repairLoop(signal: AbortSignal): Promise<void> {
    const interval = this.#options.repairIntervalMs ?? 60_000;
    while (!signal.aborted) {
      const nodes = this.#options.hub.connectedNodes();
      const gap = interval / Math.max(1, nodes.length);
      try {
        if (nodes.length === 0) await delay(interval, undefined, { signal });
        for (const node of nodes) {
          await delay(gap, undefined, { signal });
          if (this.#options.hub.isConnected(node)) this.repair(node);
        }
      } catch {
        return;
      }
    }
  }

  async #installCrds(signal: AbortSignal): Promise<void> {
    const nameOf = (crd: Readonly<Record<string, unknown>>): string => {
      const name = (crd['metadata'] as { name?: unknown } | undefined)?.name;
      return typeof name === 'string' ? name : '';
    };
    for (const crd of reliableSyncCrds) {
      try {
        await this.#options.client.request({ method: 'POST', path: crdPath, body: crd });
        this.#options.logger.info({ crd: nameOf(crd) }, 'Installed a reliable-sync CRD');
      } catch (err) {
        if (toApiError(err, { verb: 'POST', resource: crdPath }).action !== 'reread') throw err;
      }
    }
    for (const crd of reliableSyncCrds) {
      for (;;) {
        const current = await this.#options.client.request<{
          status?: { conditions?: { type: string; status: string }[] };
        }>({ method: 'GET', path: `${crdPath}/${nameOf(crd)}` });
        if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
        await delay(200, undefined, { signal });
      }
    }
  }
}
