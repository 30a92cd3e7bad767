/**
 * How much of a burst of pushes reliable sync hands on in one turn of the event loop (issue 15): a
 * ConfigMap used by every node updated makes one push per node in one informer event (10,000 at once);
 * put through the record gate and into the hub back to back, they held the loop for tens of ms, and an
 * independent node's reply waited behind them. The outbox lets `perTurn` pushes through in a turn; the
 * rest wait in order and go on in the following turns (`setImmediate`, so sockets are served between).
 *
 * Promised: per node, pushes leave in the order they were offered: a push for a node that has any push
 * waiting waits behind it, whatever the budget, and one for a node with nothing waiting goes at once
 * while the turn's budget lasts (a reply to another node is not held behind a fan-out). Not promised:
 * order across nodes (the per-node queues and the edge never relied on it).
 * @module
 */
import type { NodeName } from '../protocol/index.js';

/** Options of {@link Outbox}. */
export interface OutboxOptions<T> {
  /** Hands one item on (the record gate, then the hub). */
  readonly send: (node: NodeName, item: T) => void;
  /** Items handed on per turn of the event loop, all nodes together; default {@link outboxDefaults}. */
  readonly perTurn?: number;
  /** Runs `fn` in a later turn; default `setImmediate` (after the turn's I/O). */
  readonly later?: (fn: () => void) => void;
  /** `send` threw for an item handed on in a later turn (in the offering turn, the offerer gets it). */
  readonly onError?: (err: unknown, node: NodeName) => void;
}

/** Defaults of {@link Outbox}. */
export const outboxDefaults = Object.freeze({
  /** About 1-2 ms of record gate and hub work on this machine (10,000 pushes took 50-70 ms). */
  perTurn: 256,
});

/** Per-turn budget of pushes, with per-node order kept across turns. */
export class Outbox<T> {
  readonly #send: (node: NodeName, item: T) => void;
  readonly #perTurn: number;
  readonly #later: (fn: () => void) => void;
  readonly #onError: ((err: unknown, node: NodeName) => void) | undefined;
  #items: { node: NodeName; item: T | undefined }[] = [];
  #head = 0;
  /** Entries dropped (their item cleared) but not yet passed by the drain. */
  #dropped = 0;
  /** Items waiting per node; a node without any is absent. */
  readonly #waiting = new Map<NodeName, number>();
  /** Items handed on in this turn. */
  #spent = 0;
  #isScheduled = false;

  constructor(options: OutboxOptions<T>) {
    this.#send = options.send;
    this.#perTurn = Math.max(1, options.perTurn ?? outboxDefaults.perTurn);
    this.#later = options.later ?? ((fn) => setImmediate(fn));
    this.#onError = options.onError;
  }

  /** Items waiting for a later turn, all nodes. */
  get waiting(): number {
    return this.#items.length - this.#head - this.#dropped;
  }

  /** Hands the item on now, or keeps it for a later turn (see the module comment). */
  offer(node: NodeName, item: T): void {
    if (!this.#waiting.has(node) && this.#spent < this.#perTurn) {
      this.#spend();
      this.#send(node, item);
      return;
    }
    this.#items.push({ node, item });
    this.#waiting.set(node, (this.#waiting.get(node) ?? 0) + 1);
    this.#schedule();
  }

  /** Drops what waits for a node (deleted, released to another replica, no longer an edge node). */
  dropNode(node: NodeName): void {
    if (!this.#waiting.has(node)) return;
    for (let i = this.#head; i < this.#items.length; i += 1) {
      const entry = this.#items[i];
      if (entry?.node === node && entry.item !== undefined) {
        entry.item = undefined;
        this.#dropped += 1;
      }
    }
    this.#waiting.delete(node);
  }

  /** Drops everything waiting (stop). */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#dropped = 0;
    this.#waiting.clear();
  }

  #spend(): void {
    this.#spent += 1;
    // The budget is per turn: the next turn starts it again.
    this.#schedule();
  }

  #schedule(): void {
    if (this.#isScheduled) return;
    this.#isScheduled = true;
    this.#later(() => {
      this.#isScheduled = false;
      this.#spent = 0;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#head < this.#items.length && this.#spent < this.#perTurn) {
      const entry = this.#items[this.#head];
      this.#head += 1;
      if (entry === undefined) continue;
      if (entry.item === undefined) {
        this.#dropped -= 1;
        continue;
      }
      const left = (this.#waiting.get(entry.node) ?? 1) - 1;
      if (left === 0) this.#waiting.delete(entry.node);
      else this.#waiting.set(entry.node, left);
      this.#spent += 1;
      try {
        this.#send(entry.node, entry.item);
      } catch (err) {
        this.#onError?.(err, entry.node);
      }
    }
    if (this.#head >= this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      // Give the array's dead prefix back, so a long backlog does not keep what already left.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    // Either more waits, or the budget this turn spent must start again next turn.
    if (this.#spent > 0) this.#schedule();
  }
}
