import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { RequestScheduler, laneOf } from './request-scheduler.js';
import type { Lane, SchedulerLimits } from './request-scheduler.js';

interface Req {
  readonly node: NodeName;
  readonly lane: Lane;
  readonly key: string;
  readonly id: string;
}

const limits: SchedulerLimits = {
  maxInFlight: 4,
  maxInFlightPerNode: 2,
  reservedStatusSlots: 1,
  maxPendingPerLane: 100,
};

function req(node: string, lane: Lane, key: string, id = `${node}:${key}`): Req {
  return { node: node as NodeName, lane, key, id };
}

function drain(s: RequestScheduler<Req>): string[] {
  const ids: string[] = [];
  for (let r = s.next(); r !== undefined; r = s.next()) ids.push(r.id);
  return ids;
}

describe('laneOf', () => {
  it('puts status writes in the status lane and everything else in general', () => {
    for (const type of ['podpatch', 'nodepatch', 'podstatus', 'nodestatus', 'lease'] as const) {
      assert.equal(laneOf(type), 'status', type);
    }
    for (const type of ['configmap', 'secret', 'node', 'pod', 'event', 'serviceaccounttoken'] as const) {
      assert.equal(laneOf(type), 'general', type);
    }
  });
});

describe('RequestScheduler', () => {
  it('runs another node’s lease before a flooding node’s queued queries and statuses', () => {
    const s = new RequestScheduler<Req>(limits);
    for (let i = 0; i < 50; i += 1) s.add(req('a', 'general', `ns/configmap/c${String(i)}`));
    for (let i = 0; i < 50; i += 1) s.add(req('a', 'status', `ns/podpatch/p${String(i)}`));
    s.add(req('b', 'status', 'kube-node-lease/lease/b'));
    const first = drain(s);
    // Status first, round-robin: a's first status, then b's lease, then a's second (per-node bound 2),
    // then one query (the reserved slot keeps the 4th for status).
    assert.deepEqual(first, ['a:ns/podpatch/p0', 'b:kube-node-lease/lease/b', 'a:ns/podpatch/p1']);
    assert.equal(s.inFlight, 3);
  });

  it('never gives the reserved status slots to queries', () => {
    const s = new RequestScheduler<Req>(limits);
    for (const node of ['a', 'b', 'c', 'd']) s.add(req(node, 'general', 'x'));
    assert.equal(drain(s).length, 3, 'maxInFlight 4 minus 1 reserved');
    s.add(req('e', 'status', 'lease'));
    assert.deepEqual(drain(s), ['e:lease']);
    assert.equal(s.next(), undefined, 'global bound reached');
  });

  it('keeps requests on the same resource of one node in order, one at a time', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxInFlightPerNode: 4 });
    s.add(req('a', 'status', 'ns/podpatch/p', '1'));
    s.add(req('a', 'status', 'ns/podpatch/p', '2'));
    s.add(req('a', 'status', 'ns/podpatch/q', '3'));
    const first = s.next();
    assert.equal(first?.id, '1');
    assert.equal(s.next()?.id, '3', 'the second write to p waits for the first');
    assert.equal(s.next(), undefined);
    s.finish(first);
    assert.equal(s.next()?.id, '2');
  });

  it('refuses beyond maxPendingPerLane, per lane', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerLane: 2 });
    assert.ok(s.add(req('a', 'general', '1')));
    assert.ok(s.add(req('a', 'general', '2')));
    assert.ok(!s.add(req('a', 'general', '3')));
    assert.ok(s.add(req('a', 'status', '4')), 'the status lane has its own capacity');
    assert.equal(s.pending('general'), 2);
  });

  it('is idle once everything taken has finished; drainPending empties the queues', () => {
    const s = new RequestScheduler<Req>(limits);
    assert.ok(s.isIdle);
    s.add(req('a', 'status', 'x'));
    s.add(req('a', 'general', 'y'));
    const taken = s.next();
    assert.ok(taken !== undefined);
    assert.ok(!s.isIdle);
    assert.equal(s.drainPending().length, 1);
    s.finish(taken);
    assert.ok(s.isIdle);
  });
});

describe('RequestScheduler.replacePending', () => {
  it('puts a newer request in the place of a waiting one and never touches one in flight', () => {
    const s = new RequestScheduler<{ node: NodeName; lane: 'status'; key: string; n: number }>({
      maxInFlight: 4,
      maxInFlightPerNode: 4,
      reservedStatusSlots: 1,
      maxPendingPerLane: 10,
    });
    const node = 'edge-a' as NodeName;
    s.add({ node, lane: 'status', key: 'lease', n: 1 });
    assert.equal(s.next()?.n, 1, 'the first runs');
    s.add({ node, lane: 'status', key: 'lease', n: 2 });
    s.add({ node, lane: 'status', key: 'other', n: 3 });
    const replaced = s.replacePending({ node, lane: 'status', key: 'lease', n: 4 }, (o) => o.key === 'lease');
    assert.equal(replaced?.n, 2);
    assert.equal(s.pending('status'), 2, 'replacing does not add');
    assert.equal(s.next()?.n, 3, 'the lease key is still busy with n=1');
    assert.equal(
      s.replacePending({ node, lane: 'status', key: 'none', n: 5 }, (o) => o.key === 'none'),
      undefined,
    );
  });
});
