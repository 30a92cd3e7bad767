import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../kube/index.js';
import type { StoreReader } from '../kube/index.js';
import type { NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
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
