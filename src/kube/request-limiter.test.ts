import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestLimiter, edgeRequestClass, requestClasses } from './request-limiter.js';
import type { RequestClass } from './request-limiter.js';

const roomy = { qps: 1000, burst: 1000, maxInFlight: 1000 };

describe('RequestLimiter: token bucket', () => {
  it('starts full: the first `burst` requests go at once, the next waits for a token', () => {
    const limiter = new RequestLimiter<string>({ qps: 5, burst: 3, maxInFlight: 64 }, 0);
    for (const id of ['a', 'b', 'c', 'd']) limiter.enqueue(id, 'bulk');
    const first = limiter.dispatch(0);
    assert.deepEqual(first.start, ['a', 'b', 'c']);
    // 5 tokens a second: the next one in 200 ms.
    assert.equal(first.retryInMs, 200);
    assert.deepEqual(limiter.waiting().bulk, 1);
  });

  it('refills at qps: 100 ms at 5 qps is half a token, 200 ms is one', () => {
    const limiter = new RequestLimiter<string>({ qps: 5, burst: 1, maxInFlight: 64 }, 0);
    limiter.enqueue('a', 'bulk');
    limiter.enqueue('b', 'bulk');
    assert.deepEqual(limiter.dispatch(0).start, ['a']);
    const half = limiter.dispatch(100);
    assert.deepEqual(half.start, []);
    assert.equal(half.retryInMs, 100);
    assert.deepEqual(limiter.dispatch(200).start, ['b']);
  });

  it('never holds more than `burst` tokens however long it was idle', () => {
    const limiter = new RequestLimiter<number>({ qps: 10, burst: 2, maxInFlight: 64 }, 0);
    for (let i = 0; i < 5; i += 1) limiter.enqueue(i, 'bulk');
    const later = limiter.dispatch(3_600_000);
    assert.deepEqual(later.start, [0, 1]);
    assert.equal(later.retryInMs, 100);
  });

  it('a time that goes backwards adds no tokens', () => {
    const limiter = new RequestLimiter<string>({ qps: 1, burst: 1, maxInFlight: 64 }, 1000);
    limiter.enqueue('a', 'bulk');
    limiter.enqueue('b', 'bulk');
    assert.deepEqual(limiter.dispatch(1000).start, ['a']);
    assert.deepEqual(limiter.dispatch(0).start, []);
  });

  it('refuses limits it cannot work with', () => {
    assert.throws(() => new RequestLimiter({ qps: 0, burst: 1, maxInFlight: 1 }, 0), RangeError);
    assert.throws(() => new RequestLimiter({ qps: 1, burst: 0, maxInFlight: 1 }, 0), RangeError);
    assert.throws(() => new RequestLimiter({ qps: 1, burst: 1, maxInFlight: 0 }, 0), RangeError);
    assert.throws(() => new RequestLimiter({ qps: Number.NaN, burst: 1, maxInFlight: 1 }, 0), RangeError);
  });
});

describe('RequestLimiter: classes', () => {
  it('a node-class request waiting behind many bulk ones goes first', () => {
    const limiter = new RequestLimiter<string>({ qps: 5, burst: 5, maxInFlight: 64 }, 0);
    for (let i = 0; i < 50; i += 1) limiter.enqueue(`bulk-${String(i)}`, 'bulk');
    limiter.enqueue('lease', 'node');
    assert.deepEqual(limiter.dispatch(0).start, ['lease', 'bulk-0', 'bulk-1', 'bulk-2', 'bulk-3']);
  });

  it('serves node, pod, records, bulk in that order whatever the order of arrival', () => {
    const limiter = new RequestLimiter<string>(roomy, 0);
    const arrivals: [string, RequestClass][] = [
      ['b1', 'bulk'],
      ['r1', 'records'],
      ['p1', 'pod'],
      ['n1', 'node'],
      ['b2', 'bulk'],
      ['p2', 'pod'],
      ['r2', 'records'],
      ['n2', 'node'],
    ];
    for (const [id, cls] of arrivals) limiter.enqueue(id, cls);
    assert.deepEqual(limiter.dispatch(0).start, ['n1', 'n2', 'p1', 'p2', 'r1', 'r2', 'b1', 'b2']);
  });

  it('is first come first served within a class', () => {
    const limiter = new RequestLimiter<number>({ qps: 1, burst: 1, maxInFlight: 64 }, 0);
    for (let i = 0; i < 5; i += 1) limiter.enqueue(i, 'pod');
    const order: number[] = [];
    for (let t = 0; order.length < 5; t += 1000) order.push(...limiter.dispatch(t).start);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('a token that comes goes to the highest class waiting, not to the oldest request', () => {
    const limiter = new RequestLimiter<string>({ qps: 1, burst: 1, maxInFlight: 64 }, 0);
    limiter.enqueue('bulk-0', 'bulk');
    limiter.enqueue('bulk-1', 'bulk');
    assert.deepEqual(limiter.dispatch(0).start, ['bulk-0']);
    limiter.enqueue('status', 'pod');
    assert.deepEqual(limiter.dispatch(1000).start, ['status']);
    assert.deepEqual(limiter.dispatch(2000).start, ['bulk-1']);
  });

  it('lists every class in serving order', () => {
    assert.deepEqual(requestClasses, ['node', 'pod', 'records', 'bulk']);
  });
});

describe('RequestLimiter: in-flight cap', () => {
  it('starts at most 64 at once; a release lets the next one start', () => {
    const limiter = new RequestLimiter<number>({ qps: 1000, burst: 1000, maxInFlight: 64 }, 0);
    for (let i = 0; i < 100; i += 1) limiter.enqueue(i, 'bulk');
    assert.equal(limiter.dispatch(0).start.length, 64);
    assert.equal(limiter.inFlight, 64);
    assert.deepEqual(limiter.dispatch(1).start, []);
    limiter.release();
    assert.deepEqual(limiter.dispatch(2).start, [64]);
    assert.equal(limiter.inFlight, 64);
    assert.equal(limiter.waiting().bulk, 35);
  });

  it('the slot that frees goes to the highest class waiting', () => {
    const limiter = new RequestLimiter<string>({ ...roomy, maxInFlight: 1 }, 0);
    limiter.enqueue('bulk-0', 'bulk');
    limiter.enqueue('bulk-1', 'bulk');
    assert.deepEqual(limiter.dispatch(0).start, ['bulk-0']);
    limiter.enqueue('records', 'records');
    limiter.enqueue('node', 'node');
    assert.deepEqual(limiter.dispatch(0).start, []);
    limiter.release();
    assert.deepEqual(limiter.dispatch(0).start, ['node']);
    limiter.release();
    assert.deepEqual(limiter.dispatch(0).start, ['records']);
  });

  it('a long-running request (a watch) takes a token but no slot', () => {
    const limiter = new RequestLimiter<string>({ qps: 1, burst: 2, maxInFlight: 1 }, 0);
    limiter.enqueue('get', 'bulk');
    limiter.enqueue('watch', 'bulk', false);
    assert.deepEqual(limiter.dispatch(0).start, ['get', 'watch']);
    assert.equal(limiter.inFlight, 1);
    // With the only slot taken and no token left, a second watch waits for a token, not for the slot.
    limiter.enqueue('watch-2', 'bulk', false);
    const later = limiter.dispatch(0);
    assert.deepEqual(later.start, []);
    assert.equal(later.retryInMs, 1000);
    assert.deepEqual(limiter.dispatch(1000).start, ['watch-2']);
    assert.equal(limiter.inFlight, 1);
  });

  it('a request that failed or was aborted in flight frees its slot on release', () => {
    const limiter = new RequestLimiter<string>({ ...roomy, maxInFlight: 2 }, 0);
    for (const id of ['a', 'b', 'c']) limiter.enqueue(id, 'bulk');
    assert.deepEqual(limiter.dispatch(0).start, ['a', 'b']);
    limiter.release(); // 'a' rejected
    assert.deepEqual(limiter.dispatch(0).start, ['c']);
    assert.throws(() => {
      limiter.release();
      limiter.release();
      limiter.release();
    }, /release without a request in flight/);
  });
});

describe('RequestLimiter: removal', () => {
  it('a request aborted while waiting leaves its queue, takes no token and no slot', () => {
    const limiter = new RequestLimiter<string>({ qps: 1, burst: 1, maxInFlight: 64 }, 0);
    limiter.enqueue('gone', 'node');
    limiter.enqueue('kept', 'bulk');
    assert.equal(limiter.remove('gone'), true);
    assert.equal(limiter.remove('gone'), false);
    assert.deepEqual(limiter.waiting(), { node: 0, pod: 0, records: 0, bulk: 1 });
    assert.deepEqual(limiter.dispatch(0).start, ['kept']);
    assert.equal(limiter.inFlight, 1);
  });

  it('a started request cannot be removed', () => {
    const limiter = new RequestLimiter<string>(roomy, 0);
    limiter.enqueue('a', 'bulk');
    limiter.dispatch(0);
    assert.equal(limiter.remove('a'), false);
  });

  it('keeps FIFO order across many removals and a compaction', () => {
    const limiter = new RequestLimiter<number>({ ...roomy, maxInFlight: 1 }, 0);
    for (let i = 0; i < 5000; i += 1) limiter.enqueue(i, 'bulk');
    for (let i = 0; i < 5000; i += 2) limiter.remove(i);
    const order: number[] = [];
    for (let t = 0; order.length < 2500; t += 1) {
      order.push(...limiter.dispatch(t).start);
      limiter.release();
    }
    assert.deepEqual(
      order,
      Array.from({ length: 2500 }, (_, i) => 2 * i + 1),
    );
    assert.deepEqual(limiter.waiting().bulk, 0);
  });

  it('refuses the same item twice while it waits', () => {
    const limiter = new RequestLimiter<string>(roomy, 0);
    limiter.enqueue('a', 'bulk');
    assert.throws(() => {
      limiter.enqueue('a', 'pod');
    }, /already waiting/);
  });
});

describe('edgeRequestClass', () => {
  const table: [string, RequestClass][] = [
    ['leases', 'node'],
    ['nodes', 'node'],
    ['pods', 'pod'],
    ['configmaps', 'pod'],
    ['serviceaccounts', 'pod'],
    ['certificatesigningrequests', 'pod'],
    ['events', 'bulk'],
  ];
  for (const [resource, cls] of table) {
    it(`${resource} → ${cls}`, () => {
      assert.equal(edgeRequestClass(resource), cls);
    });
  }
});
