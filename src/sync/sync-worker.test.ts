import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Store } from '../kube/index.js';
import type {
  Informer,
  InformerSpec,
  KubeClient,
  KubeObject,
  RawRequest,
  SharedInformers,
} from '../kube/index.js';
import { newMessageId, objectPush, pushContentDefaults, toMessage } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { eventually } from '../../test/support/eventually.js';
import { newSyncRecord, recordBody } from './record.js';
import { SyncWorker } from './sync-worker.js';

/** A ConfigMap push without a UID: the record gate lets it straight through to the hub. */
function push(version: number): Message {
  const object = { metadata: { namespace: 'default', name: 'shared', resourceVersion: String(version) } };
  return toMessage(objectPush('ConfigMap', 'update', object, pushContentDefaults), {
    id: newMessageId(),
    now: Date.now(),
  });
}

/**
 * A worker with no API (its calls never settle), no informers and every node connected: enough for what
 * `enqueue` hands on and in which turn. `enqueue` sees what reaches the hub.
 */
function handingOnTo(enqueue: (node: NodeName, message: Message) => void, pushesPerTurn: number): SyncWorker {
  return new SyncWorker({
    client: { request: () => new Promise(() => undefined) } as unknown as KubeClient,
    informers: {} as SharedInformers,
    hub: { enqueue, connectedNodes: () => [], isConnected: () => true, forgetAcked: () => undefined },
    desired: { desiredFor: () => [], nodeExists: () => true },
    logger: capturedLogger().logger,
    pushesPerTurn,
  });
}

describe('SyncWorker.enqueue', () => {
  it('hands a fan-out to the hub over several turns of the event loop, each node in order', async () => {
    const received: { node: NodeName; version: string }[] = [];
    const sync = handingOnTo(
      (node, message) => received.push({ node, version: message.header.resourceversion ?? '' }),
      100,
    );
    const nodes = Array.from({ length: 500 }, (_, i) => `edge-${String(i)}` as NodeName);
    // Two versions of one object to every node in one turn, as two informer events back to back would.
    for (const version of [5, 6]) for (const node of nodes) sync.enqueue(node, push(version));
    assert.equal(received.length, 100, 'one turn hands on one turn’s worth');
    assert.equal(sync.waitingPushes, 900);
    await eventually(() => {
      assert.equal(received.length, 1000);
    });
    for (const node of nodes) {
      assert.deepEqual(
        received.filter((r) => r.node === node).map((r) => r.version),
        ['5', '6'],
        node,
      );
    }
    assert.equal(sync.waitingPushes, 0);
  });

  it("hands a reply on at once, not behind another node's burst waiting in the outbox", async () => {
    const received: { node: NodeName; parent: string }[] = [];
    const sync = handingOnTo(
      (node, message) => received.push({ node, parent: message.header.parent_msg_id ?? '' }),
      10,
    );
    for (let i = 0; i < 100; i++) sync.enqueue('flooder' as NodeName, push(i + 1));
    assert.equal(sync.waitingPushes, 90, 'the turn is spent');
    const lease = push(7);
    sync.enqueue('good' as NodeName, {
      ...lease,
      header: { ...lease.header, parent_msg_id: newMessageId() },
      route: { ...lease.route, operation: 'response' },
    });
    assert.equal(received.length, 11);
    assert.deepEqual(
      received.slice(10).map((r) => [r.node, r.parent !== '']),
      [['good', true]],
    );
    await sync.stop();
  });

  it('drops what waits for a node that is forgotten', async () => {
    const received: NodeName[] = [];
    const sync = handingOnTo((node) => received.push(node), 1);
    sync.enqueue('edge-a' as NodeName, push(5));
    sync.enqueue('edge-b' as NodeName, push(5));
    sync.enqueue('edge-a' as NodeName, push(6));
    sync.dropPending('edge-b' as NodeName);
    await eventually(() => {
      assert.deepEqual(received, ['edge-a', 'edge-a']);
      assert.equal(sync.waitingPushes, 0);
    });
  });
});

describe('SyncWorker.start', () => {
  it('sweeps the records of deleted nodes a few thousand a turn, not all in one turn', async () => {
    const records: KubeObject[] = [];
    for (let n = 0; n < 400; n += 1) {
      for (let o = 0; o < 30; o += 1) {
        const record = newSyncRecord({
          node: `gone-${String(n)}` as NodeName,
          uid: `00000000-0000-0000-0000-${String(o).padStart(12, '0')}`,
          namespace: 'default',
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: `cm-${String(o)}`,
          resourceVersion: '5',
        });
        if (record !== undefined)
          records.push({ ...recordBody(record), status: {} } as unknown as KubeObject);
      }
    }
    const informers = {
      informerFor: <T extends KubeObject>(spec: InformerSpec<T>) => {
        const store = new Store<KubeObject>();
        for (const [name, fn] of Object.entries(spec.indexes ?? {})) store.addIndex(name, fn as never);
        if (spec.name === 'objectsyncs') store.replace(records);
        return {
          store,
          onEvent: () => () => undefined,
          whenSynced: () => Promise.resolve(),
        } as unknown as Informer<T>;
      },
      start: () => undefined,
    } as unknown as SharedInformers;
    let firstDelete: Promise<number> | undefined;
    const hold = new Promise<never>(() => undefined);
    const stopping = new AbortController();
    const sync: SyncWorker = new SyncWorker({
      client: {
        request: (req: RawRequest): Promise<unknown> => {
          if (req.method === 'DELETE') {
            // One turn after the first delete was asked for: how many did the sweep ask for in its turn?
            firstDelete ??= nextTurn().then(() => sync.pendingRecordWrites);
            return hold;
          }
          if (req.method === 'GET')
            return Promise.resolve({ status: { conditions: [{ type: 'Established', status: 'True' }] } });
          return Promise.resolve({});
        },
      } as unknown as KubeClient,
      informers,
      hub: {
        enqueue: () => undefined,
        connectedNodes: () => [],
        isConnected: () => false,
        forgetAcked: () => undefined,
      },
      desired: { desiredFor: () => [], nodeExists: () => false },
      logger: capturedLogger().logger,
    });
    try {
      await sync.start(stopping.signal);
      assert.equal(sync.pendingRecordWrites, 12_000, 'every record of a deleted node is deleted');
      assert.ok(firstDelete !== undefined);
      const inFirstTurn = await firstDelete;
      assert.ok(inFirstTurn <= 5_000, `${String(inFirstTurn)} deletes asked for in one turn`);
    } finally {
      stopping.abort(); // ends the repair loop
    }
  });
});
