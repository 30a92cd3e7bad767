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
  readonly isAlwaysAdmitted: boolean;
  readonly approxBytes: number;
}

const limits: SchedulerLimits = {
  maxInFlight: 4,
  maxInFlightPerNode: 2,
  reservedStatusSlots: 1,
  maxPendingPerLane: 100,
  maxPendingPerNode: 100,
};

function req(node: string, lane: Lane, key: string, id = `${node}:${key}`): Req {
  return { node: node as NodeName, lane, key, id, isAlwaysAdmitted: false, approxBytes: 100 };
}

function lease(node: string, id = `${node}:lease`): Req {
  return { ...req(node, 'status', `kube-node-lease/lease/${node}`, id), isAlwaysAdmitted: true };
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
  it('gives the general lane one start in four while status waits, so registrations move', () => {
    const wide: SchedulerLimits = { ...limits, maxInFlight: 1_000, maxInFlightPerNode: 1_000 };
    const s = new RequestScheduler<Req>(wide);
    for (let i = 0; i < 100; i += 1)
      s.add(req(`n${String(i)}`, 'status', `kube-node-lease/lease/n${String(i)}`));
    for (let i = 0; i < 100; i += 1) s.add(req(`r${String(i)}`, 'general', `null/node/r${String(i)}`));
    const first = drain(s).slice(0, 40);
    assert.equal(first.filter((id) => id.startsWith('r')).length, 10, first.join(' '));
    assert.ok(
      first.slice(0, 3).every((id) => id.startsWith('n')),
      'status still goes first',
    );
  });

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
    assert.ok(s.add(req('a', 'general', '1')).added);
    assert.ok(s.add(req('a', 'general', '2')).added);
    assert.deepEqual(s.add(req('a', 'general', '3')), { added: false, reason: 'lane-full' });
    assert.ok(s.add(req('a', 'status', '4')).added, 'the status lane has its own capacity');
    assert.equal(s.pending('general'), 2);
  });

  it('refuses a node beyond maxPendingPerNode while other nodes still get in', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerNode: 3 });
    for (let i = 0; i < 3; i += 1) assert.ok(s.add(req('a', 'status', String(i))).added);
    assert.deepEqual(s.add(req('a', 'status', 'x')), { added: false, reason: 'node-full' });
    assert.ok(s.add(req('b', 'status', 'y')).added);
    assert.ok(s.add(req('a', 'general', 'q')).added, 'counted per lane');
  });

  it('makes room in a full lane by refusing the newest request of the node holding the most', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerLane: 4, maxPendingPerNode: 4 });
    for (let i = 0; i < 4; i += 1) s.add(req('a', 'general', String(i), `a${String(i)}`));
    const added = s.add(req('b', 'general', 'sa-token', 'b0'));
    assert.ok(added.added);
    assert.equal(added.evicted?.id, 'a3', "a's newest gives way");
    assert.equal(s.pending('general'), 4);
    // a now holds 3, b 1: b may take one more (3 > 1 + 1), then the lane is shared 2/2 and b is refused.
    assert.equal(s.add(req('b', 'general', 'x', 'b1')).added && 'added', 'added');
    assert.deepEqual(s.add(req('b', 'general', 'y', 'b2')), { added: false, reason: 'lane-full' });
  });

  it("always admits a node's own lease, even into a full lane or past its node cap, and never evicts it", () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerLane: 2, maxPendingPerNode: 1 });
    s.add(lease('a', 'a-lease'));
    s.add(req('b', 'status', 'p', 'b0'));
    assert.ok(s.add(lease('c')).added, 'lane full: the lease is still admitted');
    assert.ok(s.add(lease('b')).added, 'b at its node cap: its lease is still admitted');
    // b holds the most (b0 and its lease): b0 gives way, its lease stays.
    const newcomer = s.add(req('d', 'status', 'p', 'd0'));
    assert.ok(newcomer.added);
    assert.equal(newcomer.evicted?.id, 'b0');
  });

  it("keeps each node's waiting bytes", () => {
    const s = new RequestScheduler<Req>(limits);
    s.add(req('a', 'status', 'p'));
    s.add(req('a', 'general', 'q'));
    assert.equal(s.waitingBytes('a' as NodeName), 200);
    s.next();
    assert.equal(s.waitingBytes('a' as NodeName), 100, 'a request taken to run no longer waits');
    s.drainPending();
    assert.equal(s.waitingBytes('a' as NodeName), 0);
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
    interface R {
      node: NodeName;
      lane: 'status';
      key: string;
      n: number;
      isAlwaysAdmitted: boolean;
      approxBytes: number;
    }
    const s = new RequestScheduler<R>({
      maxInFlight: 4,
      maxInFlightPerNode: 4,
      reservedStatusSlots: 1,
      maxPendingPerLane: 10,
      maxPendingPerNode: 10,
    });
    const node = 'edge-a' as NodeName;
    const r = (key: string, n: number): R => ({
      node,
      lane: 'status',
      key,
      n,
      isAlwaysAdmitted: false,
      approxBytes: n,
    });
    s.add(r('lease', 1));
    assert.equal(s.next()?.n, 1, 'the first runs');
    s.add(r('lease', 2));
    s.add(r('other', 3));
    const replaced = s.replacePending(r('lease', 4), (o) => o.key === 'lease');
    assert.equal(replaced?.n, 2);
    assert.equal(s.pending('status'), 2, 'replacing does not add');
    assert.equal(s.waitingBytes(node), 3 + 4, 'the replaced request no longer counts');
    assert.equal(s.next()?.n, 3, 'the lease key is still busy with n=1');
    assert.equal(
      s.replacePending(r('none', 5), (o) => o.key === 'none'),
      undefined,
    );
  });
});

describe('RequestScheduler admission into a full lane', () => {
  /** Runs `work` with a spy on every Map iterated; returns the size of the largest one. */
  function largestMapWalked(work: () => void): number {
    let largest = 0;
    const iterate = Map.prototype[Symbol.iterator];
    Map.prototype[Symbol.iterator] = function (this: Map<unknown, unknown>) {
      largest = Math.max(largest, this.size);
      return iterate.call(this);
    } as typeof iterate;
    try {
      work();
    } finally {
      Map.prototype[Symbol.iterator] = iterate;
    }
    return largest;
  }

  it('refuses without walking every node when no node has enough waiting to give room', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerLane: 2_000, maxPendingPerNode: 4 });
    for (let i = 0; i < 2_000; i += 1)
      assert.equal(s.add(req(`edge-${String(i)}`, 'status', 'k')).added, true);
    let result: ReturnType<typeof s.add> | undefined;
    const walked = largestMapWalked(() => {
      result = s.add(req('edge-new', 'status', 'k'));
    });
    assert.deepEqual(result, { added: false, reason: 'lane-full' });
    assert.ok(walked < 2_000, `walked a map of ${String(walked)} nodes`);
  });

  it('still takes room from the node with the most waiting, as its queue grows and shrinks', () => {
    const s = new RequestScheduler<Req>({ ...limits, maxPendingPerLane: 6, maxPendingPerNode: 4 });
    for (const id of ['h1', 'h2', 'h3', 'h4']) s.add(req('heavy', 'general', id, id));
    s.add(req('a', 'general', 'k', 'a1'));
    s.add(req('b', 'general', 'k', 'b1'));
    // Full: heavy (4) gives its newest to c.
    assert.deepEqual(s.add(req('c', 'general', 'k', 'c1')), {
      added: true,
      evicted: req('heavy', 'general', 'h4', 'h4'),
    });
    // heavy (3) still has more than d would have + 1.
    assert.equal(s.add(req('d', 'general', 'k', 'd1')).added, true);
    // heavy (2) still more than e's 0 + 1.
    assert.deepEqual(s.add(req('e', 'general', 'k', 'e1')), {
      added: true,
      evicted: req('heavy', 'general', 'h2', 'h2'),
    });
    // heavy (1): nobody has more than f's 0 + 1: refused.
    assert.deepEqual(s.add(req('f', 'general', 'k', 'f1')), { added: false, reason: 'lane-full' });
    s.removeNode('heavy' as NodeName);
    assert.equal(s.add(req('f', 'general', 'k', 'f1')).added, true);
    assert.equal(s.pending('general'), 6);
  });
});
