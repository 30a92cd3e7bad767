/**
 * Randomized check of NodeQueue's promises: many random enqueues, sends, ACKs (some lost, some
 * repeated, some foreign), timeouts and disconnects, with invariants asserted after every step and
 * liveness asserted at the end once ACKs keep coming. Seeds are fixed so a failure is reproducible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeQueue } from './node-queue.js';
import type { AckDelivery, AckItem, SendPlan } from './types.js';
import { prng } from '../../test/support/prng.js';

interface Payload {
  readonly serial: number;
}

const keys = ['ns/configmap/a', 'ns/configmap/b', 'ns/pod/c', 'null/node/n', 'ns/secret/e'];
const uidsPerKey = 2;

class Model {
  readonly random: () => number;
  readonly windowSize: number;
  readonly queue: NodeQueue<Payload>;
  now = 0;
  serial = 0;
  nextRv = 1;
  isConnected = true;
  /** Un-ACKed deliveries as the hub sees them. */
  readonly outstanding = new Map<string, AckDelivery<Payload>>();
  /** Of those, the ones whose last copy reached the edge on the current session, so an ACK can come back. */
  readonly ackable = new Set<string>();
  /** Latest accepted version per object. */
  readonly latest = new Map<string, AckItem<Payload>>();
  /** Objects with an accepted delete not yet ACKed or replaced: they must refuse query responses. */
  readonly deleting = new Set<string>();
  /** Versions retired by resend-limit, by serial. */
  readonly retiredSerials = new Set<number>();
  /** Last ACKed version per object; reset by an ACKed delete. */
  readonly lastAcked = new Map<string, AckItem<Payload>>();
  readonly lastAckedRv = new Map<string, bigint>();
  noAckEnqueued = 0;
  noAckSent = 0;
  reconnects = 0;

  constructor(seed: number) {
    this.random = prng(seed);
    this.windowSize = 1 + Math.floor(this.random() * 4);
    let id = 0;
    this.queue = new NodeQueue<Payload>({
      newId: () => `m${String(++id)}`,
      windowSize: this.windowSize,
      ackTimeoutMs: 100,
      maxAckTimeoutMs: 800,
    });
  }

  pick<T>(values: readonly T[]): T {
    const value = values[Math.floor(this.random() * values.length)];
    assert.ok(value !== undefined);
    return value;
  }

  enqueue(): void {
    const key = this.pick(keys);
    const uid = `${key}#${String(Math.floor(this.random() * uidsPerKey))}`;
    const id = `${key} ${uid}`;
    const roll = this.random();
    const held = this.latest.get(id);
    let item: AckItem<Payload>;
    const payload = { serial: ++this.serial };
    if (roll < 0.12) {
      item = { uid, key, resourceVersion: '', isDelete: true, payload };
    } else if (roll < 0.22 && held !== undefined && !held.isDelete) {
      item = { uid, key, resourceVersion: held.resourceVersion, isDelete: false, isResponse: true, payload };
      if (this.random() < 0.5) item = { ...item, dropAfterResends: 1 };
    } else if (roll < 0.32) {
      const stale = Math.max(1, this.nextRv - 1 - Math.floor(this.random() * 5));
      item = { uid, key, resourceVersion: String(stale), isDelete: false, payload };
    } else {
      item = { uid, key, resourceVersion: String(this.nextRv++), isDelete: false, payload };
    }
    const outcome = this.queue.enqueueAck(item, this.now);
    if (item.isResponse === true && this.deleting.has(id)) {
      assert.equal(outcome.kind, 'dropped-after-delete');
    }
    if (outcome.kind === 'replaced' && outcome.replaced.isDelete) this.deleting.delete(id);
    if (item.isDelete && outcome.kind !== 'queued' && outcome.kind !== 'replaced') {
      assert.equal(outcome.kind, 'dropped-duplicate-delete', 'a delete is dropped only as a duplicate');
      assert.ok(this.deleting.has(id), 'a delete is a duplicate only of an accepted, un-ACKed delete');
    }
    if (outcome.kind === 'queued' || outcome.kind === 'replaced') {
      this.latest.set(id, item);
      if (item.isDelete) this.deleting.add(id);
    }
    assert.notEqual(outcome.kind, 'dropped-invalid');
  }

  take(): void {
    if (!this.isConnected) return;
    this.apply(this.queue.takeSendable(this.now));
  }

  apply(plan: SendPlan<Payload>): void {
    for (const retired of plan.retired) {
      assert.ok(this.outstanding.delete(retired.deliveryId), 'only outstanding deliveries are retired');
      this.ackable.delete(retired.deliveryId);
      if (retired.reason === 'resend-limit') this.retiredSerials.add(retired.item.payload.serial);
      // A delete superseded by the object needed again is no longer going to the edge.
      if (retired.item.isDelete) this.deleting.delete(`${retired.item.key} ${retired.item.uid}`);
    }
    let sawAck = false;
    for (const delivery of plan.deliveries) {
      if (delivery.kind === 'no-ack') {
        assert.equal(sawAck, false, 'no-ACK deliveries come first');
        this.noAckSent += 1;
        assert.equal(delivery.payload.serial, this.noAckSent, 'no-ACK deliveries keep enqueue order');
        continue;
      }
      sawAck = true;
      const isResend = delivery.reason === 'timeout' || delivery.reason === 'reconnect';
      assert.equal(
        this.outstanding.has(delivery.id),
        isResend,
        `resends reuse an outstanding id (${delivery.reason})`,
      );
      this.outstanding.set(delivery.id, delivery);
      // 15% of writes are lost on the way: only a resend can save them.
      if (this.random() < 0.85) this.ackable.add(delivery.id);
    }
    this.checkInvariants();
  }

  ack(): void {
    const ids = [...this.ackable];
    const roll = this.random();
    if (roll < 0.05) {
      assert.equal(this.queue.ack(`foreign-${String(this.serial)}`, this.now).kind, 'unknown');
      return;
    }
    if (ids.length === 0) return;
    const id = this.pick(ids);
    if (roll < 0.15) {
      this.ackable.delete(id); // lost ACK: only a resend can save it
      return;
    }
    const wasResent = (this.outstanding.get(id)?.resends ?? 0) > 0;
    this.settle(id);
    if (roll < 0.2) {
      // The edge ACKs every copy it got: a repeat is recognised after a resend, unknown otherwise.
      const expected = wasResent ? 'recognized' : 'unknown';
      assert.equal(this.queue.ack(id, this.now).kind, expected, 'a repeated ACK');
    }
  }

  settle(id: string): void {
    const outcome = this.queue.ack(id, this.now);
    assert.equal(outcome.kind, 'acked');
    assert.ok(outcome.latencyMs >= 0 && outcome.sinceEnqueueMs >= outcome.latencyMs);
    this.outstanding.delete(id);
    this.ackable.delete(id);
    const { item } = outcome;
    const object = `${item.key} ${item.uid}`;
    if (item.isDelete) {
      this.deleting.delete(object);
      this.lastAckedRv.delete(object);
    } else {
      const rv = BigInt(item.resourceVersion);
      const previous = this.lastAckedRv.get(object);
      if (previous !== undefined) {
        // Equal only for a response, or an object needed again before its delete left.
        assert.ok(rv >= previous, 'the edge never goes back a version');
      }
      this.lastAckedRv.set(object, rv);
    }
    this.lastAcked.set(object, item);
  }

  checkInvariants(): void {
    const perKey = new Map<string, number>();
    for (const delivery of this.outstanding.values()) {
      perKey.set(delivery.item.key, (perKey.get(delivery.item.key) ?? 0) + 1);
    }
    for (const [key, count] of perKey) assert.ok(count <= 1, `two deliveries in flight for ${key}`);
    assert.ok(this.outstanding.size <= this.windowSize, 'window exceeded');
    const stats = this.queue.stats();
    assert.equal(stats.inFlight, this.outstanding.size);
    assert.equal(stats.pendingNoAck, this.noAckEnqueued - this.noAckSent);
  }

  step(): void {
    const roll = this.random();
    if (roll < 0.4) this.enqueue();
    else if (roll < 0.45) {
      this.queue.enqueueNoAck({ serial: ++this.noAckEnqueued });
    } else if (roll < 0.7) this.take();
    else if (roll < 0.93) this.ack();
    else if (roll < 0.97) {
      if (this.isConnected) {
        this.queue.onDisconnect();
        this.ackable.clear(); // whatever was on the old connection is gone
        this.reconnects += 1;
      }
      this.isConnected = false;
    } else this.isConnected = true;
    this.now += Math.floor(this.random() * 60);
    this.checkInvariants();
  }

  drain(): void {
    this.isConnected = true;
    for (let round = 0; round < 10_000; round += 1) {
      this.take();
      for (const id of [...this.ackable]) this.settle(id);
      const stats = this.queue.stats();
      if (stats.pendingAck === 0 && stats.inFlight === 0 && stats.pendingNoAck === 0) return;
      this.now += 1_000;
    }
    assert.fail('the queue did not drain while every delivery was ACKed');
  }

  checkLiveness(): void {
    for (const [object, item] of this.latest) {
      if (this.retiredSerials.has(item.payload.serial)) continue;
      assert.equal(
        this.lastAcked.get(object)?.payload.serial,
        item.payload.serial,
        `the latest accepted version of ${object} reached the edge last`,
      );
    }
    assert.equal(this.noAckSent, this.noAckEnqueued);
  }
}

describe('NodeQueue under random operations', () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);
  it(`keeps its invariants and delivers every latest version (${String(seeds.length)} seeds × 400 steps)`, () => {
    const seen = {
      resends: 0,
      superseded: 0,
      retired: 0,
      stale: 0,
      afterDelete: 0,
      replaced: 0,
      reconnects: 0,
    };
    for (const seed of seeds) {
      const model = new Model(seed);
      try {
        for (let step = 0; step < 400; step += 1) model.step();
        model.drain();
        model.checkLiveness();
      } catch (err) {
        assert.fail(`seed ${String(seed)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const stats = model.queue.stats();
      seen.resends += stats.resendsTotal;
      seen.superseded += stats.supersededTotal;
      seen.retired += stats.retiredResendLimitTotal;
      seen.stale += stats.droppedStaleTotal;
      seen.afterDelete += stats.droppedAfterDeleteTotal;
      seen.replaced += stats.replacedTotal;
      seen.reconnects += model.reconnects;
    }
    // The run is only worth something if it reached every path.
    for (const [path, count] of Object.entries(seen)) assert.ok(count > 0, `no ${path} happened`);
  });
});
