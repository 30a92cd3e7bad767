import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Informer,
  InformerEvent,
  KubeClient,
  KubeObject,
  RawRequest,
  SharedInformers,
} from '../kube/index.js';
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

  // The lapse of an API server restart: our Lease cannot be renewed for a whole duration. Another replica
  // that stopped cleanly just after our last renewal (its Lease deleted) can take over nothing, so our
  // sessions stay; one whose Lease is still there may, so we let go.
  for (const otherStopped of [true, false]) {
    it(`${otherStopped ? 'keeps' : 'lets go of'} its nodes on a lapse when the other replica seen at its last renewal ${otherStopped ? 'stopped since' : 'still has its Lease'}`, async () => {
      let clockMs = 0;
      let failing = false;
      let puts = 0;
      let emit: ((event: InformerEvent<LeaseObject>) => void) | undefined;
      const leaseInformers: Pick<SharedInformers, 'informerFor'> = {
        informerFor: <T extends KubeObject>() =>
          ({
            onEvent: (handler: (event: InformerEvent<LeaseObject>) => void) => {
              emit = handler;
              return () => undefined;
            },
            store: { list: () => [] },
            whenSynced: () => Promise.resolve(),
          }) as unknown as Informer<T>,
      };
      const client = {
        request(req: RawRequest): Promise<LeaseObject> {
          if (failing) return Promise.reject(new Error('connect ECONNREFUSED'));
          if (req.method === 'PUT') puts += 1;
          return Promise.resolve({
            metadata: { name: 'l', resourceVersion: '7' },
            spec: { holderIdentity: 'me' },
          });
        },
      } as unknown as KubeClient;
      const { logger, lines } = capturedLogger();
      let lapses = 0;
      const worker = new ReplicaLeaseWorker({
        client,
        informers: leaseInformers,
        identity: 'me',
        leaseName: 'edge-controller-me',
        logger,
        renewIntervalMs: 5,
        leaseDurationSeconds: 10,
        nowMs: () => clockMs,
        onLapse: () => {
          lapses += 1;
        },
      });
      const stopping = new AbortController();
      await worker.start(stopping.signal);
      try {
        const other: LeaseObject = {
          metadata: { name: 'edge-controller-other', resourceVersion: '8' },
          spec: {
            holderIdentity: 'other',
            renewTime: '2026-01-01T00:00:00.000000Z',
            leaseDurationSeconds: 10,
          },
        };
        assert.ok(emit !== undefined);
        emit({ type: 'add', object: other });
        const putsAfterAdd = puts;
        await eventually(() => {
          assert.ok(puts > putsAfterAdd, 'renewed with the other replica live');
        });
        failing = true;
        if (otherStopped) emit({ type: 'delete', object: other, finalStateUnknown: false });
        clockMs += 11_000;
        await eventually(() => {
          assert.ok(lines.some((line) => line.includes('it owns no node')));
        });
        assert.equal(lapses, otherStopped ? 0 : 1, 'sessions let go');
        assert.equal(worker.mayOwn, otherStopped, 'may own nodes');
      } finally {
        stopping.abort();
        await worker.stop();
      }
    });
  }
});
