/**
 * A small memory of the pods each node recently lost (issue 12 item 2): kubelet records events about a
 * pod while and just after stopping it ("Killing", "FailedKillPod", …), when the location cache no
 * longer binds the pod to the node. Event authorization asks it, so those last events are accepted for
 * five minutes, and events about any other pod stay refused.
 *
 * Fed by the composition root from the pod informer's deletes, never from what a node sends: a node
 * cannot grow it. Bounded per node (oldest forgotten first) and over all nodes, and expired by age on
 * every write, so its size follows the cluster's deletion rate, not time. Pure: time comes in.
 * @module
 */
import type { NodeName } from '../protocol/index.js';

/** Options of {@link RecentPodDeletions}. */
export interface RecentPodDeletionsOptions {
  /** How long a deletion is remembered, ms. Default 300000 (5 minutes). */
  readonly ttlMs?: number;
  /** Deletions remembered per node; the oldest is forgotten first. Default 512. */
  readonly maxPerNode?: number;
  /** Deletions remembered over all nodes; the oldest is forgotten first. Default 100000. */
  readonly maxTotal?: number;
}

/** The defaults of {@link RecentPodDeletionsOptions}. */
export const recentPodDeletionsDefaults = Object.freeze({
  ttlMs: 300_000,
  maxPerNode: 512,
  maxTotal: 100_000,
});

interface Entry {
  readonly node: NodeName;
  readonly key: string;
  readonly atMs: number;
}

/**
 * Which pods were deleted from which node in the last `ttlMs`. Map insertion order is deletion order,
 * so expiry and eviction take from the front.
 */
export class RecentPodDeletions {
  readonly #o: Required<RecentPodDeletionsOptions>;
  /** Per node: `namespace/name` → deletion time, oldest first. */
  readonly #byNode = new Map<NodeName, Map<string, number>>();
  /** Every remembered deletion, oldest first (for the global bound and expiry). */
  #order: Entry[] = [];
  #head = 0;

  constructor(options: RecentPodDeletionsOptions = {}) {
    this.#o = { ...recentPodDeletionsDefaults, ...options };
  }

  /** Deletions remembered now (for tests and a gauge). */
  get size(): number {
    let total = 0;
    for (const pods of this.#byNode.values()) total += pods.size;
    return total;
  }

  /** Records that pod `namespace/name`, bound to `node`, was deleted at `nowMs`. */
  record(node: NodeName, namespace: string, name: string, nowMs: number): void {
    this.#expire(nowMs);
    const key = `${namespace}/${name}`;
    let pods = this.#byNode.get(node);
    if (pods === undefined) {
      pods = new Map();
      this.#byNode.set(node, pods);
    }
    pods.delete(key);
    pods.set(key, nowMs);
    while (pods.size > this.#o.maxPerNode) {
      const oldest = pods.keys().next().value;
      if (oldest === undefined) break;
      pods.delete(oldest);
    }
    this.#order.push({ node, key, atMs: nowMs });
    while (this.#order.length - this.#head > this.#o.maxTotal) this.#forgetFront();
    this.#compact();
  }

  /** Whether pod `namespace/name` was deleted from `node` within `ttlMs` before `nowMs`. */
  has(node: NodeName, namespace: string, name: string, nowMs: number): boolean {
    const atMs = this.#byNode.get(node)?.get(`${namespace}/${name}`);
    return atMs !== undefined && nowMs - atMs < this.#o.ttlMs;
  }

  #expire(nowMs: number): void {
    for (let front = this.#order[this.#head]; front !== undefined; front = this.#order[this.#head]) {
      if (nowMs - front.atMs < this.#o.ttlMs) return;
      this.#forgetFront();
    }
  }

  #forgetFront(): void {
    const front = this.#order[this.#head];
    if (front === undefined) return;
    this.#head += 1;
    const pods = this.#byNode.get(front.node);
    // A later deletion of the same name has its own entry; forget this one only if it is still current.
    if (pods?.get(front.key) === front.atMs) pods.delete(front.key);
    if (pods?.size === 0) this.#byNode.delete(front.node);
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}
