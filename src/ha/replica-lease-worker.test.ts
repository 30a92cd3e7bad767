import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Informer, KubeClient, KubeObject, RawRequest, SharedInformers } from '../kube/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { eventually } from '../../test/support/eventually.js';
import type { LeaseObject } from './lease.js';
import { ReplicaLeaseWorker } from './replica-lease-worker.js';

/** A Lease informer with an empty store that never sees an event. */
const informers: Pick<SharedInformers, 'informerFor'> = {
  informerFor: <T extends KubeObject>() =>
    ({
      onEvent: () => undefined,
      store: { list: () => [] },
      whenSynced: () => Promise.resolve(),
    }) as unknown as Informer<T>,
};

describe('ReplicaLeaseWorker', () => {
  it('reads and writes its own Lease and the leader Lease in the node class, served before all others', async () => {
    const requests: RawRequest[] = [];
    const client = {
      request(req: RawRequest): Promise<LeaseObject> {
        requests.push(req);
        const lease: LeaseObject = {
          metadata: { name: 'l', resourceVersion: '7' },
          spec: { holderIdentity: 'me', acquireTime: '2026-01-01T00:00:00.000000Z' },
        };
        return Promise.resolve(lease);
      },
    } as unknown as KubeClient;
    const worker = new ReplicaLeaseWorker({
      client,
      informers,
      identity: 'me',
      leaseName: 'edge-controller-me',
      logger: capturedLogger().logger,
      renewIntervalMs: 5,
    });
    const stopping = new AbortController();
    await worker.start(stopping.signal);
    // Its own Lease (GET then PUT) and, on the next round, the leader Lease (POST: the store has none).
    await eventually(() => {
      assert.ok(requests.some((r) => r.method === 'POST' && r.path.endsWith('/leases')));
    });
    await worker.stop();
    stopping.abort();
    assert.deepEqual(
      [...new Set(requests.map((r) => r.method))].sort(),
      ['DELETE', 'GET', 'POST', 'PUT'],
      'each kind of Lease call was made',
    );
    for (const r of requests) assert.equal(r.priority, 'node', `${r.method} ${r.path}`);
  });
});
