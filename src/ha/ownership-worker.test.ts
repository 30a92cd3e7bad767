import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, objectKey } from '../kube/index.js';
import type { StoreReader } from '../kube/index.js';
import type { NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { prng } from '../../test/support/prng.js';
import { cloudcoreAnnotationKey, ownerAnnotation } from './ownership.js';
import type { NodeMeta } from './ownership.js';
import { OwnershipWorker, releasesPerTurn } from './ownership-worker.js';
import type { ReleaseReason } from './ownership-worker.js';

// releaseAll makes no API call: a client of an address nothing listens on.
const kubeConfig = new KubeConfig();
kubeConfig.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
  users: [{ name: 'u' }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
  currentContext: 'x',
});

function workerOf(live: { value: boolean }) {
  const released: [NodeName, ReleaseReason][] = [];
  const { logger, lines } = capturedLogger('info');
  const worker = new OwnershipWorker({
    client: new KubeClient(kubeConfig),
    identity: 'replica-a',
    address: '10.0.0.1',
    nodes: { get: () => undefined, list: () => [] } as unknown as StoreReader<NodeMeta>,
    selfLive: () => live.value,
    isReplicaLive: () => true,
    holds: () => true,
    release: (node, reason) => released.push([node, reason]),
    logger,
  });
  return { worker, released, lines };
}

describe('OwnershipWorker.releaseAll (our Lease lapsed)', () => {
  const nodes = Array.from({ length: releasesPerTurn * 2 + 7 }, (_, i) => `edge-${String(i)}` as NodeName);

  it('lets go of every node a turn at a time, with one warning instead of a line per node', () => {
    const { worker, released, lines } = workerOf({ value: false });
    const turns: (() => void)[] = [];
    worker.releaseAll(nodes, (fn) => turns.push(fn));
    assert.equal(released.length, releasesPerTurn, 'the first turn closes one batch');
    while (turns.length > 0) turns.shift()?.();
    assert.deepEqual(
      released.map(([node]) => node),
      nodes,
    );
    assert.ok(released.every(([, reason]) => reason === 'lapsed'));
    assert.equal(lines.filter((l) => l.includes('Letting go of a node')).length, 0, 'per node at debug only');
    assert.equal(lines.filter((l) => l.includes('letting go of every node')).length, 1);
  });

  it('keeps the rest when our Lease is live again before they are closed', () => {
    const live = { value: false };
    const { worker, released } = workerOf(live);
    const turns: (() => void)[] = [];
    worker.releaseAll(nodes, (fn) => turns.push(fn));
    live.value = true;
    while (turns.length > 0) turns.shift()?.();
    assert.equal(released.length, releasesPerTurn);
  });
});

describe('OwnershipWorker.ownedCount', () => {
  it('agrees with asking owns() of every node, through sessions, Node events and lapses', () => {
    const universe = Array.from({ length: 40 }, (_, i) => `edge-${String(i)}` as NodeName);
    const store = new Map<string, NodeMeta>();
    const live = { value: true };
    const worker = new OwnershipWorker({
      client: new KubeClient(kubeConfig),
      identity: 'replica-a',
      address: '10.0.0.1',
      nodes: {
        get: (key: string) => store.get(key),
        list: () => [...store.values()],
      } as unknown as StoreReader<NodeMeta>,
      selfLive: () => live.value,
      isReplicaLive: () => true,
      holds: () => false,
      release: () => undefined,
      logger: capturedLogger('info').logger,
    });
    // Every Node names an owner, and a session opens only on a Node that names us or is absent, so no
    // claim is ever written (the client points nowhere).
    const nodeOf = (name: NodeName, owner: string, version: number): NodeMeta => ({
      metadata: {
        name,
        resourceVersion: String(version),
        annotations: {
          [ownerAnnotation]: owner,
          [cloudcoreAnnotationKey]: owner === 'replica-a' ? '10.0.0.1' : '10.0.0.2',
        },
      },
    });
    const random = prng(20261207);
    let version = 1;
    for (let step = 0; step < 5_000; step++) {
      const node = universe[Math.floor(random() * universe.length)] as NodeName;
      const key = objectKey(undefined, node);
      const roll = random();
      if (roll < 0.3) {
        if (store.get(key)?.metadata.annotations?.[ownerAnnotation] !== 'replica-a') store.delete(key);
        worker.sessionOpened(node);
      } else if (roll < 0.75) {
        const object = nodeOf(node, random() < 0.5 ? 'replica-a' : 'replica-b', (version += 1));
        store.set(key, object);
        worker.nodeSeen(node, object);
      } else if (roll < 0.9) {
        store.delete(key);
        worker.nodeDeleted(node);
      } else {
        live.value = !live.value;
      }
      const owned = universe.filter((n) => worker.owns(n));
      assert.equal(worker.ownedCount(), owned.length, `step ${String(step)}`);
      assert.equal(worker.countNotOwned(universe), universe.length - owned.length, `step ${String(step)}`);
    }
  });
});
