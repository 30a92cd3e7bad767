/**
 * The byte ledger of what edge nodes' own input makes the controller hold (issue 12 item 1): replies
 * waiting to be written, partial inbound frames, and upstream requests waiting for the API. Each node
 * has a budget, and all nodes together have one; the ledger only counts and decides, the hub server
 * disconnects. Pure: no timers, no I/O.
 *
 * Not counted, on purpose: the push queue (downstream's ACK path). Pushes are backpressure on a slow
 * node, never a reason to disconnect it: a large resync to a slow but draining node must finish.
 * @module
 */

/** What a node's bytes are held for. */
export type MemoryKind = 'replies' | 'partialFrames' | 'upstream';

/** The two budgets, in bytes. */
export interface MemoryBudgetLimits {
  /** Most bytes one node may make us hold, over all kinds. */
  readonly nodeBudgetBytes: number;
  /** Most bytes all nodes together may make us hold. */
  readonly globalBudgetBytes: number;
}

/** The outcome of a charge. */
export type BudgetVerdict =
  /** Within both budgets. */
  | { readonly kind: 'within' }
  /** The charged node is over its own budget: disconnect it. */
  | { readonly kind: 'over-node'; readonly node: string; readonly usedBytes: number }
  /**
   * All nodes together are over the global budget: disconnect `evict`, the largest consumers first, until
   * the rest fits. It may include the charged node.
   */
  | { readonly kind: 'over-global'; readonly evict: readonly string[]; readonly totalBytes: number };

/** One node's account. */
interface Account {
  replies: number;
  partialFrames: number;
  upstream: number;
  total: number;
}

const within: BudgetVerdict = Object.freeze({ kind: 'within' });

/**
 * The ledger. Promised: `totalBytes` is the sum of every node's charges; a node whose charges fall to 0
 * is dropped from the ledger (idle nodes cost nothing); {@link writeOff} bumps the node's generation so
 * that a holder of an older charge (an upstream reservation) can tell its release is void.
 *
 * Not promised: that a verdict is acted on. The caller disconnects and then calls {@link writeOff}; until
 * then every further charge of the same node reports the same verdict again.
 */
export class MemoryBudget {
  readonly #limits: MemoryBudgetLimits;
  readonly #accounts = new Map<string, Account>();
  /** Per node, how many times it was written off; only nodes written off at least once are kept. */
  readonly #generations = new Map<string, number>();
  #total = 0;

  constructor(limits: MemoryBudgetLimits) {
    this.#limits = limits;
  }

  /** Sets the bytes `node` holds for `kind` (replies, partial frames: the holder knows the current size). */
  set(node: string, kind: MemoryKind, bytes: number): BudgetVerdict {
    const account = this.#accounts.get(node);
    const current = account?.[kind] ?? 0;
    return this.add(node, kind, Math.max(0, bytes) - current);
  }

  /** Adds `deltaBytes` (negative to release) to what `node` holds for `kind`; never below 0. */
  add(node: string, kind: MemoryKind, deltaBytes: number): BudgetVerdict {
    if (deltaBytes === 0 || !Number.isFinite(deltaBytes)) return this.#verdict(node, 0);
    let account = this.#accounts.get(node);
    if (account === undefined) {
      if (deltaBytes < 0) return within;
      account = { replies: 0, partialFrames: 0, upstream: 0, total: 0 };
      this.#accounts.set(node, account);
    }
    const next = Math.max(0, account[kind] + deltaBytes);
    const applied = next - account[kind];
    account[kind] = next;
    account.total += applied;
    this.#total += applied;
    if (account.total <= 0) this.#accounts.delete(node);
    return this.#verdict(node, applied);
  }

  /** Forgets every charge of `node` (it was disconnected and its holdings released). */
  writeOff(node: string): void {
    const account = this.#accounts.get(node);
    if (account !== undefined) {
      this.#total -= account.total;
      this.#accounts.delete(node);
    }
    this.#generations.set(node, this.generation(node) + 1);
  }

  /** How many times `node` was written off; a charge made in an older generation must not be released. */
  generation(node: string): number {
    return this.#generations.get(node) ?? 0;
  }

  /** Forgets the node entirely (it was deleted): charges and generation. */
  forget(node: string): void {
    this.writeOff(node);
    this.#generations.delete(node);
  }

  /** Bytes `node` holds, per kind and in total. */
  usage(node: string): { readonly [K in MemoryKind | 'total']: number } {
    const a = this.#accounts.get(node);
    return {
      replies: a?.replies ?? 0,
      partialFrames: a?.partialFrames ?? 0,
      upstream: a?.upstream ?? 0,
      total: a?.total ?? 0,
    };
  }

  /** Bytes all nodes hold. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes all nodes hold for `kind`. O(nodes holding anything). */
  totalOf(kind: MemoryKind): number {
    let sum = 0;
    for (const account of this.#accounts.values()) sum += account[kind];
    return sum;
  }

  /** Nodes holding anything. */
  get nodeCount(): number {
    return this.#accounts.size;
  }

  #verdict(node: string, applied: number): BudgetVerdict {
    // Releasing never makes things worse, so it never disconnects anyone.
    if (applied <= 0) return within;
    const used = this.#accounts.get(node)?.total ?? 0;
    if (used > this.#limits.nodeBudgetBytes) return { kind: 'over-node', node, usedBytes: used };
    if (this.#total <= this.#limits.globalBudgetBytes) return within;
    return { kind: 'over-global', evict: this.#largestUntilWithin(), totalBytes: this.#total };
  }

  /** The largest consumers, largest first, whose removal brings the total within the global budget. */
  #largestUntilWithin(): string[] {
    const byUsage = [...this.#accounts.entries()].sort((a, b) => b[1].total - a[1].total);
    const evict: string[] = [];
    let remaining = this.#total;
    for (const [node, account] of byUsage) {
      if (remaining <= this.#limits.globalBudgetBytes) break;
      evict.push(node);
      remaining -= account.total;
    }
    return evict;
  }
}
