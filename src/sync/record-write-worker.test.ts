import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpFailure } from '../kube/index.js';
import type { RawRequest } from '../kube/index.js';
import type { NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { eventually } from '../../test/support/eventually.js';
import { newSyncRecord } from './record.js';
import type { SyncRecord } from './record.js';
import type { RecordOpResult } from './record-ops.js';
import {
  RecordWriter,
  defaultRecordWriteConcurrency,
  defaultUnwaitedConcurrency,
  unwaitedShare,
} from './record-write-worker.js';

function record(node: string, uid: string): SyncRecord {
  return newSyncRecord({
    node: node as NodeName,
    uid,
    namespace: 'default',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: `cm-${uid}`,
    resourceVersion: '5',
  }) as SyncRecord;
}

/** A scripted API: each call is logged; `answer` decides its failure (undefined: success). */
function api(answer: (req: RawRequest, calls: readonly string[]) => Error | undefined) {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  let isHeld = false;
  return {
    calls,
    hold() {
      isHeld = true;
    },
    release() {
      isHeld = false;
      for (const go of gates.splice(0)) go();
    },
    client: {
      async request<T>(req: RawRequest): Promise<T> {
        const created = (req.body as { metadata?: { name?: string } } | undefined)?.metadata?.name;
        const line = `${req.method} ${req.path.split('/').slice(-2).join('/')}${created === undefined ? '' : ` ${created}`}`;
        calls.push(line);
        if (isHeld) await new Promise<void>((resolve) => gates.push(resolve));
        const failure = answer(req, calls);
        if (failure !== undefined) throw failure;
        return {} as T;
      },
    },
  };
}

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

/** Resolves once the writer has nothing waiting. */
async function drained(writer: RecordWriter): Promise<void> {
  await eventually(
    () => {
      assert.equal(writer.pending, 0);
    },
    { intervalMs: 5 },
  );
}

describe('RecordWriter', () => {
  it('writes one record in the order asked, merging what waits', async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger });
    const r = record('edge-1', 'u1');
    const told: RecordOpResult[] = [];
    fake.hold();
    writer.write(r.node, { kind: 'create', record: r }, (result) => told.push(result));
    writer.write(r.node, { kind: 'status', record: r, resourceVersion: '6' });
    writer.write(r.node, { kind: 'status', record: r, resourceVersion: '7' });
    assert.equal(writer.pending, 2, 'the two statuses merged');
    fake.release();
    await drained(writer);
    assert.deepEqual(fake.calls, ['POST default/objectsyncs edge-1.u1', 'PATCH edge-1.u1/status']);
    assert.deepEqual(told, ['written']);
    await writer.stop();
  });

  it('serves nodes in turn, so a node with many writes does not starve another', async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger, concurrency: 1 });
    fake.hold();
    for (let i = 0; i < 5; i += 1) {
      const r = record('busy', `b${String(i)}`);
      writer.write(r.node, { kind: 'create', record: r });
    }
    const quiet = record('quiet', 'q1');
    writer.write(quiet.node, { kind: 'create', record: quiet });
    fake.release();
    await drained(writer);
    assert.equal(fake.calls.length, 6);
    const quietAt = fake.calls.findIndex((c) => c.includes('quiet.q1'));
    assert.ok(quietAt >= 0 && quietAt <= 2, `the quiet node's write came early: ${fake.calls.join(', ')}`);
    await writer.stop();
  });

  it(`keeps ${String(defaultRecordWriteConcurrency)} writes in flight by default, and no more`, async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger });
    fake.hold();
    for (let i = 0; i < 100; i += 1) {
      const r = record(`edge-${String(i % 10)}`, `u${String(i)}`);
      // Waited for, as the record gate's creates are.
      writer.write(r.node, { kind: 'create', record: r }, () => undefined);
    }
    // Each held call is logged when it starts; the rest wait in the writer.
    assert.equal(fake.calls.length, defaultRecordWriteConcurrency);
    fake.release();
    await drained(writer);
    assert.equal(fake.calls.length, 100);
    await writer.stop();
  });

  it(`keeps at most ${String(defaultUnwaitedConcurrency)} writes nobody waits for in flight, and the rest of the slots for creates`, async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger });
    fake.hold();
    // A flood of ACK statuses (bookkeeping: no callback waits for them)...
    for (let i = 0; i < 100; i += 1) {
      const r = record(`edge-${String(i % 10)}`, `s${String(i)}`);
      writer.write(r.node, { kind: 'status', record: r, resourceVersion: '6' });
    }
    assert.equal(fake.calls.length, defaultUnwaitedConcurrency);
    // ...does not keep creates, which hold pushes, from starting at once.
    const waitedFor: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const r = record(`edge-${String(i)}`, `c${String(i)}`);
      writer.write(r.node, { kind: 'create', record: r }, (result) => waitedFor.push(result));
    }
    assert.equal(fake.calls.length, defaultUnwaitedConcurrency + 10);
    assert.equal(fake.calls.slice(defaultUnwaitedConcurrency).filter((c) => c.startsWith('POST')).length, 10);
    fake.release();
    await drained(writer);
    assert.equal(fake.calls.length, 110);
    assert.equal(waitedFor.length, 10);
    await writer.stop();
  });

  it('writes a record someone waits for (a create) before ACK bookkeeping of the same node', async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger, concurrency: 1 });
    fake.hold();
    for (let i = 0; i < 5; i += 1) {
      const r = record('busy', `b${String(i)}`);
      writer.write(r.node, { kind: 'status', record: r, resourceVersion: '6' });
    }
    const fresh = record('busy', 'new');
    let isCreated = false;
    writer.write(fresh.node, { kind: 'create', record: fresh }, () => {
      isCreated = true;
    });
    fake.release();
    await drained(writer);
    assert.ok(isCreated);
    // The first status was already running when the create came; the create goes next.
    assert.equal(fake.calls[1], 'POST default/objectsyncs busy.new', fake.calls.join(', '));
    await writer.stop();
  });

  it('moves a waiting status to the front when a create merges into it, and never starves bookkeeping', async () => {
    const fake = api(() => undefined);
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger, concurrency: 1 });
    fake.hold();
    const first = record('a', 'first');
    writer.write(first.node, { kind: 'create', record: first }, () => undefined); // runs, held
    const acked = record('a', 'acked');
    writer.write(acked.node, { kind: 'status', record: acked, resourceVersion: '6' });
    const bookkeeping = record('b', 'bk');
    writer.write(bookkeeping.node, { kind: 'status', record: bookkeeping, resourceVersion: '6' });
    // A create for the record whose status waits: merged into it (a status creates a missing record),
    // and now someone waits for it.
    writer.write(acked.node, { kind: 'create', record: acked }, () => undefined);
    for (let i = 0; i < 2 * unwaitedShare; i += 1) {
      const r = record('c', `c${String(i)}`);
      writer.write(r.node, { kind: 'create', record: r }, () => undefined);
    }
    fake.release();
    await drained(writer);
    assert.equal(fake.calls[1], 'PATCH a.acked/status', fake.calls.join(', '));
    const bookkeepingAt = fake.calls.indexOf('PATCH b.bk/status');
    assert.ok(
      bookkeepingAt > 1 && bookkeepingAt <= unwaitedShare,
      `one take in ${String(unwaitedShare)} is bookkeeping's: ${fake.calls.join(', ')}`,
    );
    await writer.stop();
  });

  it('retries a 403 until it is allowed, then tells the caller', async () => {
    let allowed = false;
    const fake = api(() => (allowed ? undefined : httpFailure(403, '{"reason":"Forbidden"}')));
    const failures: string[] = [];
    const writer = new RecordWriter({
      client: fake.client,
      logger: capturedLogger().logger,
      retryBackoff: fast,
      observer: { onWrite: (op, result) => failures.push(`${op} ${result}`) },
    });
    const r = record('edge-1', 'u1');
    const told: RecordOpResult[] = [];
    writer.write(r.node, { kind: 'create', record: r }, (result) => told.push(result));
    await eventually(
      () => {
        assert.ok(fake.calls.length >= 3);
      },
      { intervalMs: 5 },
    );
    assert.deepEqual(told, [], 'nobody is told while it is refused');
    allowed = true;
    await eventually(
      () => {
        assert.deepEqual(told, ['written']);
      },
      { intervalMs: 5 },
    );
    assert.ok(failures.includes('create failed') && failures.at(-1) === 'create ok');
    await writer.stop();
  });

  it('drops what cannot succeed, and logs it once however often it happens', async () => {
    const fake = api(() => httpFailure(422, '{"reason":"Invalid"}'));
    const log = capturedLogger();
    const writer = new RecordWriter({ client: fake.client, logger: log.logger });
    const told: RecordOpResult[] = [];
    for (let i = 0; i < 20; i += 1) {
      const r = record('edge-1', `u${String(i)}`);
      writer.write(r.node, { kind: 'create', record: r }, (result) => told.push(result));
    }
    await eventually(
      () => {
        assert.equal(told.length, 20);
      },
      { intervalMs: 5 },
    );
    assert.ok(told.every((t) => t === 'dropped'));
    assert.equal(log.lines.filter((l) => l.includes('Gave up a record write')).length, 1);
    await writer.stop();
  });

  it('creates a record that went missing before writing its status', async () => {
    const fake = api((req, calls) =>
      req.method === 'PATCH' && calls.filter((c) => c.startsWith('PATCH')).length === 1
        ? httpFailure(404, '{"reason":"NotFound"}')
        : undefined,
    );
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger });
    const r = record('edge-1', 'u1');
    writer.write(r.node, { kind: 'status', record: r, resourceVersion: '9' });
    await drained(writer);
    assert.deepEqual(fake.calls, [
      'PATCH edge-1.u1/status',
      'POST default/objectsyncs edge-1.u1',
      'PATCH edge-1.u1/status',
    ]);
    await writer.stop();
  });

  it('pauses every write while the API server does not answer, then drains', async () => {
    let isDown = true;
    const fake = api(() => (isDown ? httpFailure(503, '{"reason":"ServiceUnavailable"}') : undefined));
    const writer = new RecordWriter({
      client: fake.client,
      logger: capturedLogger().logger,
      retryBackoff: fast,
      pauseBackoff: { initialDelayMs: 50, maxDelayMs: 50 },
    });
    const records = 3 * defaultRecordWriteConcurrency;
    for (let i = 0; i < records; i += 1) {
      const r = record(`edge-${String(i)}`, 'u1');
      writer.write(r.node, { kind: 'create', record: r });
    }
    await eventually(
      () => {
        assert.ok(fake.calls.length >= defaultRecordWriteConcurrency);
      },
      { intervalMs: 5 },
    );
    const whileDown = fake.calls.length;
    assert.ok(
      whileDown < records,
      `not every record was tried against a down API server (${String(whileDown)})`,
    );
    isDown = false;
    await drained(writer);
    await writer.stop();
  });
  it('forgets a deleted node by its own records, without walking every node’s', async () => {
    const fake = api(() => undefined);
    fake.hold();
    const done: RecordOpResult[] = [];
    const writer = new RecordWriter({ client: fake.client, logger: capturedLogger().logger, concurrency: 1 });
    // 2,000 nodes with 3 writes waiting each (a resync storm), the first one in flight and held.
    for (let n = 0; n < 2_000; n += 1) {
      for (let u = 0; u < 3; u += 1) {
        const r = record(`edge-${String(n)}`, `u${String(u)}`);
        writer.write(r.node, { kind: 'create', record: r }, (result) => done.push(result));
      }
    }
    assert.equal(writer.recordCount, 6_000);
    // A spy on every Map and Set iterated while the node is forgotten: the largest is what it walked.
    let largest = 0;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below, called with its own `this`
    const mapValues = Map.prototype.values;
    const setIterator = Set.prototype[Symbol.iterator];
    Map.prototype.values = function (this: Map<unknown, unknown>) {
      largest = Math.max(largest, this.size);
      return mapValues.call(this);
    } as typeof Map.prototype.values;
    Set.prototype[Symbol.iterator] = function (this: Set<unknown>) {
      largest = Math.max(largest, this.size);
      return setIterator.call(this);
    } as typeof setIterator;
    try {
      writer.forgetNode('edge-1999' as NodeName);
    } finally {
      Map.prototype.values = mapValues;
      Set.prototype[Symbol.iterator] = setIterator;
    }
    assert.ok(largest <= 3, `walked a collection of ${String(largest)} entries`);
    assert.equal(writer.recordCount, 5_997);
    assert.deepEqual(done, ['dropped', 'dropped', 'dropped']);
    fake.release();
    await writer.stop();
  });
});
