/**
 * Reliable sync (KubeEdge synccontroller and cloudhub's `saveSuccessPoint`), better behind the same CRDs:
 * installs `objectsyncs`/`clusterobjectsyncs` if absent, records what each node ACKed (batched, so a burst
 * of ACKs costs one write per record and never stalls the hub: #7278), and repairs a node at once when it
 * connects and periodically while it is connected, from what the node SHOULD have (KubeEdge only walks
 * existing records, so an object never recorded is never repaired). Repair of a node costs in proportion
 * to that node's objects (KubeEdge #7027 swept everything per event).
 *
 * The record informers come from the shared-informer factory the composition root hands down; they are
 * asked for and started only once the CRDs are installed (listing a resource that does not exist yet
 * would fail and back off), and the factory stops them.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { toApiError } from '../kube/index.js';
import type { Informer, KubeClient, KubeObject, SharedInformers } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import { newMessageId } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';
import { pushContentDefaults, toMessage } from '../protocol/index.js';
import type { PushContentOptions } from '../protocol/index.js';
import { reliableSyncCrds } from './crds.js';
import { onAck } from './on-ack.js';
import { parseObjectSyncName } from './record-name.js';
import { coalesceRecordActions } from './record-writes.js';
import type { RecordWrite } from './record-writes.js';
import { parseSyncRecord, recordBody, recordStatusPatch, reliableSyncsApiVersion } from './record.js';
import type { RecordTarget, SyncRecord } from './record.js';
import { planRepair, recordsOfGoneNodes } from './repair.js';
import type { DesiredObject, RepairAction } from './repair.js';

/** What sync needs to know about nodes: what each should have, and which nodes exist. */
export interface DesiredState {
  desiredFor(node: NodeName): readonly DesiredObject[];
  nodeExists(node: NodeName): boolean;
}

/** What sync needs from the hub. */
export interface SyncHub {
  enqueue(node: NodeName, message: Message): unknown;
  connectedNodes(): readonly NodeName[];
}

/** What sync reports for metrics (the composition root wires it); callbacks must be cheap. */
export interface SyncObserver {
  /** A record write finished; `failed` writes from the ACK path are retried with the next batch. */
  onRecordWrite?(operation: RecordWrite['kind'], result: 'ok' | 'failed'): void;
  /** A repair decision was carried out. */
  onRepairAction?(action: RepairAction['kind']): void;
}

/** Options of {@link SyncWorker}. */
export interface SyncWorkerOptions {
  readonly client: KubeClient;
  /** The shared-informer factory the record informers come from; {@link SyncWorker.start} starts them. */
  readonly informers: SharedInformers;
  readonly hub: SyncHub;
  readonly desired: DesiredState;
  readonly logger: Logger;
  /** Pause between record write batches; default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Concurrent record writes; default 8. */
  readonly writeConcurrency?: number;
  /** Repair every connected node this often; default 60 s (KubeEdge: every 5 s over everything). */
  readonly repairIntervalMs?: number;
  readonly content?: PushContentOptions;
  /** Metrics hook; default none. */
  readonly observer?: SyncObserver;
}

const recordsByNode = 'byNode';
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** The reliable-sync worker. */
export class SyncWorker {
  readonly #options: SyncWorkerOptions;
  #records: { readonly namespaced: Informer<KubeObject>; readonly cluster: Informer<KubeObject> } | undefined;
  #pending: ReturnType<typeof onAck>[] = [];
  #flushing: Promise<void> | undefined;
  #signal: AbortSignal | undefined;

  constructor(options: SyncWorkerOptions) {
    this.#options = options;
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
      }),
      cluster: informers.informerFor<KubeObject>({
        path: `/apis/${reliableSyncsApiVersion}/clusterobjectsyncs`,
        name: 'clusterobjectsyncs',
        indexes,
      }),
    };
    this.#records = records;
    informers.start(signal);
    await Promise.all([records.namespaced.whenSynced(), records.cluster.whenSynced()]);
    const gone = recordsOfGoneNodes(this.#allRecords(), (node) => this.#options.desired.nodeExists(node));
    for (const record of gone) await this.#countedDelete(record);
    if (gone.length > 0)
      this.#options.logger.info({ records: gone.length }, 'Removed records of deleted nodes');
    void this.#repairLoop(signal);
  }

  /** The hub's ACK hook: queue the record write; never throws. */
  onAck(node: NodeName, acked: AckItem<Message>): void {
    const action = onAck(node, acked);
    if (action.kind === 'none') return;
    this.#pending.push(action);
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
    });
  }

  /** Sends a node what it lacks and deletes what it should no longer have. */
  repair(node: NodeName): number {
    // Before start, there are no records to read: the node gets everything it should have.
    const records = [
      ...(this.#records?.namespaced.store.byIndex(recordsByNode, node) ?? []),
      ...(this.#records?.cluster.store.byIndex(recordsByNode, node) ?? []),
    ]
      .map((cr) => parseSyncRecord(cr))
      .filter((r): r is SyncRecord => r !== undefined);
    const actions = planRepair({
      node,
      desired: this.#options.desired.desiredFor(node),
      records,
      content: this.#options.content ?? pushContentDefaults,
    });
    for (const action of actions) this.#carryOut(node, action);
    return actions.length;
  }

  /** Removes every record of a deleted node. */
  async forgetNode(node: NodeName): Promise<void> {
    const records = this.#allRecords().filter((r) => r.node === node);
    for (const record of records) await this.#countedDelete(record);
  }

  /** Waits for the pending record writes; the factory stops the record informers after this. */
  async stop(): Promise<void> {
    await this.#flushing;
  }

  #carryOut(node: NodeName, action: RepairAction): void {
    this.#options.observer?.onRepairAction?.(action.kind);
    switch (action.kind) {
      case 'send':
      case 'send-delete':
        this.#options.hub.enqueue(node, toMessage(action.push, { id: newMessageId(), now: Date.now() }));
        return;
      case 'drop-record':
        void this.#countedDelete(action.record);
        return;
    }
  }

  async #repairLoop(signal: AbortSignal): Promise<void> {
    const interval = this.#options.repairIntervalMs ?? 60_000;
    while (!signal.aborted) {
      try {
        await delay(interval, undefined, { signal });
      } catch {
        return;
      }
      for (const node of this.#options.hub.connectedNodes()) this.repair(node);
    }
  }

  async #flush(): Promise<void> {
    const interval = this.#options.flushIntervalMs ?? 200;
    const concurrency = this.#options.writeConcurrency ?? 8;
    while (this.#pending.length > 0 && this.#signal?.aborted !== true) {
      await delay(interval);
      const writes = coalesceRecordActions(this.#pending.splice(0));
      for (let i = 0; i < writes.length; i += concurrency) {
        const batch = writes.slice(i, i + concurrency);
        const failed = await Promise.all(
          batch.map((w) =>
            this.#write(w).then(
              () => {
                this.#options.observer?.onRecordWrite?.(w.kind, 'ok');
                return undefined;
              },
              () => {
                this.#options.observer?.onRecordWrite?.(w.kind, 'failed');
                return w;
              },
            ),
          ),
        );
        // A failed write is retried with the next batch; a newer ACK for the same record supersedes it.
        for (const w of failed) if (w !== undefined) this.#pending.unshift(w);
      }
    }
  }

  async #write(write: RecordWrite): Promise<void> {
    if (write.kind === 'delete') {
      await this.#deleteRecord(write.target);
      return;
    }
    const path = recordPath(write.record);
    try {
      await this.#options.client.request({
        method: 'POST',
        path: collectionPath(write.record),
        body: recordBody(write.record),
      });
    } catch (err) {
      if (toApiError(err, { verb: 'POST', resource: path }).action !== 'reread') throw err;
    }
    await this.#options.client.request({
      method: 'PATCH',
      path: `${path}/status`,
      contentType: 'application/merge-patch+json',
      body: recordStatusPatch(write.record.objectResourceVersion),
    });
  }

  /** A record delete outside the ACK path: counted, and a failure is left to the next repair. */
  async #countedDelete(target: RecordTarget): Promise<void> {
    await this.#deleteRecord(target).then(
      () => this.#options.observer?.onRecordWrite?.('delete', 'ok'),
      () => this.#options.observer?.onRecordWrite?.('delete', 'failed'),
    );
  }

  async #deleteRecord(target: RecordTarget): Promise<void> {
    try {
      await this.#options.client.request({ method: 'DELETE', path: recordPath(target) });
    } catch (err) {
      if (toApiError(err, { verb: 'DELETE', resource: recordPath(target) }).action !== 'absorb') throw err;
    }
  }

  #allRecords(): SyncRecord[] {
    const records = this.#records;
    if (records === undefined) return [];
    return [...records.namespaced.store.list(), ...records.cluster.store.list()]
      .map((cr) => parseSyncRecord(cr))
      .filter((r): r is SyncRecord => r !== undefined);
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

function collectionPath(target: RecordTarget): string {
  return target.recordKind === 'ObjectSync'
    ? `/apis/${reliableSyncsApiVersion}/namespaces/${target.namespace ?? ''}/objectsyncs`
    : `/apis/${reliableSyncsApiVersion}/clusterobjectsyncs`;
}

function recordPath(target: RecordTarget): string {
  return `${collectionPath(target)}/${target.name}`;
}
