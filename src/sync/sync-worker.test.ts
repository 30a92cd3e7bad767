import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeClient, SharedInformers } from '../kube/index.js';
import { newMessageId, objectPush, pushContentDefaults, toMessage } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { eventually } from '../../test/support/eventually.js';
import { SyncWorker } from './sync-worker.js';

/** A ConfigMap push without a UID: the record gate lets it straight through to the hub. */
function push(version: number): Message {
  const object = { metadata: { namespace: 'default', name: 'shared', resourceVersion: String(version) } };
  return toMessage(objectPush('ConfigMap', 'update', object, pushContentDefaults), {
    id: newMessageId(),
    now: Date.now(),
  });
}

describe('SyncWorker.enqueue', () => {
  it('hands a fan-out to the hub over several turns of the event loop, each node in order', async () => {
    const received: { node: NodeName; version: string }[] = [];
    const sync = new SyncWorker({
      client: { request: () => new Promise(() => undefined) } as unknown as KubeClient,
      informers: {} as SharedInformers,
      hub: {
        enqueue: (node, message) => received.push({ node, version: message.header.resourceversion ?? '' }),
        connectedNodes: () => [],
        isConnected: () => true,
        forgetAcked: () => undefined,
      },
      desired: { desiredFor: () => [], nodeExists: () => true },
      logger: capturedLogger().logger,
      pushesPerTurn: 100,
    });
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

  it('drops what waits for a node that is forgotten', async () => {
    const received: NodeName[] = [];
    const sync = new SyncWorker({
      client: { request: () => new Promise(() => undefined) } as unknown as KubeClient,
      informers: {} as SharedInformers,
      hub: {
        enqueue: (node) => received.push(node),
        connectedNodes: () => [],
        isConnected: () => true,
        forgetAcked: () => undefined,
      },
      desired: { desiredFor: () => [], nodeExists: () => true },
      logger: capturedLogger().logger,
      pushesPerTurn: 1,
    });
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
