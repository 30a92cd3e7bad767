/**
 * Node ownership I/O (decisions in ownership.ts): claims a node when a session opens on this replica,
 * watches every Node through the shared Node informer and releases a node another replica has claimed
 * (closes our session, drops the node's queue and timers at once), and answers `owns(node)` for the gates
 * in front of the hub and reliable sync.
 *
 * Writes: one PATCH per session open on a replica that is not already the node's recorded owner (a
 * handover, or a first connect); none when a node reconnects to its owner. No periodic per-node write.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient, StoreReader } from '../kube/index.js';
import { objectKey, toApiError } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import type { NodeName } from '../protocol/index.js';
import {
  afterConflict,
  connectedElsewhere,
  onNodeSeen,
  ownerOf,
  owns,
  planClaim,
  versionOf,
} from './ownership.js';
import type { NodeMeta } from './ownership.js';

/** How a claim ended (the `edgecontroller_ha_claims_total` result label). */
export type ClaimResult = 'unchanged' | 'claimed' | 'handover' | 'yielded' | 'failed' | 'no_node';

/** Why this replica let go of a node. */
export type ReleaseReason = 'moved' | 'yielded' | 'lapsed';

/** Sessions closed per turn of the event loop when our Lease lapses ({@link OwnershipWorker.releaseAll}). */
export const releasesPerTurn = 500;

/** Constructor options of {@link OwnershipWorker}. */
export interface OwnershipWorkerOptions {
  readonly client: KubeClient;
  readonly identity: string;
  /** The `cloudcore` annotation's value: this replica's first advertise address (KubeEdge's). */
  readonly address: string;
  /** The Node informer's store (every replica watches every node). */
  readonly nodes: StoreReader<NodeMeta>;
  /** Whether our own Lease is live. */
  readonly selfLive: () => boolean;
  /** Whether a replica's Lease is live. */
  readonly isReplicaLive: (identity: string) => boolean;
  /** Whether this replica holds anything for the node (a session, a queue). */
  readonly holds: (node: NodeName) => boolean;
  /** Close the node's session and drop its queue and timers now. Must not throw. */
  readonly release: (node: NodeName, reason: ReleaseReason) => void;
  readonly logger: Logger;
  readonly onClaim?: (result: ClaimResult) => void;
}

/** See the module header. */
export class OwnershipWorker {
  readonly #o: OwnershipWorkerOptions;
  /** Nodes whose session opened here: owned from that moment (the claim is written behind it). */
  readonly #held = new Set<NodeName>();
  /** Claims being written. */
  readonly #claiming = new Set<NodeName>();
  /** The Node's resourceVersion our last successful claim wrote: older informer events are ignored. */
  readonly #claimedAt = new Map<NodeName, bigint>();
  /** Nodes whose Node, as the informer last showed it, records us as the owner. */
  readonly #recordedOurs = new Set<NodeName>();
  /** How many of {@link #recordedOurs} are not in {@link #held}: see {@link ownedCount}. */
  #recordedNotHeld = 0;

  constructor(options: OwnershipWorkerOptions) {
    this.#o = options;
  }

  /** Whether this replica owns the node now (ownership.ts `owns`). */
  owns(node: NodeName): boolean {
    const held = this.#held.has(node);
    return owns({
      selfLive: this.#o.selfLive(),
      held,
      // Asked for every message of every node: a held node's recorded owner does not change the answer,
      // so its Node is not looked up.
      recordedOwner: held ? undefined : ownerOf(this.#node(node)),
      me: this.#o.identity,
    });
  }

  /**
   * How many nodes {@link owns} answers true for, kept as sessions open and close and Node events come in:
   * the metrics scrape used to walk every Node and ask {@link owns} of each, about 30 ms of blocked event
   * loop per scrape at 10,000 nodes.
   */
  ownedCount(): number {
    return this.#o.selfLive() ? this.#held.size + this.#recordedNotHeld : 0;
  }

  /**
   * How many of `nodes` {@link owns} is false for: the same rule (ownership.ts `owns`), with our Lease read
   * once and the recorded owner from {@link #recordedOurs} instead of a Node lookup per node.
   */
  countNotOwned(nodes: Iterable<NodeName>): number {
    const selfLive = this.#o.selfLive();
    const me = this.#o.identity;
    let count = 0;
    for (const node of nodes) {
      const recordedOwner = this.#recordedOurs.has(node) ? me : undefined;
      if (!owns({ selfLive, held: this.#held.has(node), recordedOwner, me })) count += 1;
    }
    return count;
  }

  /** The recorded owner of a node (for `edge-controller nodes`). */
  ownerOf(node: NodeName): string | undefined {
    return ownerOf(this.#node(node));
  }

  /** Whether a token join for the node must be refused: its edge is connected to another live replica. */
  isConnectedElsewhere(node: string): boolean {
    return connectedElsewhere({
      node: this.#o.nodes.get(objectKey(undefined, node)),
      me: this.#o.identity,
      isLive: (holder) => this.#o.isReplicaLive(holder),
    });
  }

  /**
   * A session opened here: the node is ours from now (the session is the ownership); the claim is written
   * behind it. Returns false when this replica may own nothing (its Lease lapsed): the caller closes it.
   */
  sessionOpened(node: NodeName): boolean {
    if (!this.#o.selfLive()) return false;
    this.#hold(node);
    void this.#claim(node);
    return true;
  }

  /**
   * The Node informer saw `node` (add or update): if another replica now owns it, let it go. A Node added
   * while we hold a session (the edge registers after connecting) is claimed then.
   */
  nodeSeen(node: NodeName, object: NodeMeta): void {
    this.#noteRecordedOwner(node, ownerOf(object) === this.#o.identity);
    if (this.#held.has(node) && ownerOf(object) === undefined && !this.#claiming.has(node)) {
      void this.#claim(node);
      return;
    }
    const decision = onNodeSeen({
      node: object,
      me: this.#o.identity,
      holding: this.#held.has(node) || this.#o.holds(node),
      claiming: this.#claiming.has(node),
      claimedAtVersion: this.#claimedAt.get(node),
    });
    if (decision === 'release') this.#release(node, 'moved');
  }

  /** The node was deleted: nothing to keep. */
  nodeDeleted(node: NodeName): void {
    this.#noteRecordedOwner(node, false);
    this.#unhold(node);
    this.#claimedAt.delete(node);
  }

  /**
   * Our Lease lapsed while others live: we own nothing; close every session, drop every queue. From the
   * lapse on `owns` is false for every node, so the gates stop serving them at once; the sessions are
   * closed {@link releasesPerTurn} per turn of the event loop (issue 15: 10,000 in one turn held the loop
   * for seconds, with a log line each), and the rest stop if our Lease is live again meanwhile (the
   * sessions left then stay, decided node by node as usual).
   */
  releaseAll(nodes: readonly NodeName[], later: (fn: () => void) => void = setImmediate): void {
    const all = [...new Set([...nodes, ...this.#held])];
    if (all.length === 0) return;
    this.#o.logger.warn({ nodes: all.length }, 'Our replica Lease lapsed: letting go of every node');
    let next = 0;
    const step = (): void => {
      if (this.#o.selfLive()) {
        this.#o.logger.info({ left: all.length - next }, 'Our replica Lease is live again: keeping the rest');
        return;
      }
      const end = Math.min(all.length, next + releasesPerTurn);
      for (; next < end; next += 1) this.#release(all[next] as NodeName, 'lapsed', 'debug');
      if (next < all.length) later(step);
    };
    step();
  }

  #release(node: NodeName, reason: ReleaseReason, level: 'info' | 'debug' = 'info'): void {
    this.#unhold(node);
    this.#claimedAt.delete(node);
    this.#o.logger[level]({ node, owner: ownerOf(this.#node(node)), reason }, 'Letting go of a node');
    this.#o.release(node, reason);
  }

  // #held and #recordedOurs change only through these three, which keep #recordedNotHeld right.
  #hold(node: NodeName): void {
    if (this.#held.has(node)) return;
    this.#held.add(node);
    if (this.#recordedOurs.has(node)) this.#recordedNotHeld -= 1;
  }

  #unhold(node: NodeName): void {
    if (!this.#held.delete(node)) return;
    if (this.#recordedOurs.has(node)) this.#recordedNotHeld += 1;
  }

  #noteRecordedOwner(node: NodeName, isOurs: boolean): void {
    if (isOurs === this.#recordedOurs.has(node)) return;
    if (isOurs) this.#recordedOurs.add(node);
    else this.#recordedOurs.delete(node);
    if (!this.#held.has(node)) this.#recordedNotHeld += isOurs ? 1 : -1;
  }

  #node(node: NodeName): NodeMeta | undefined {
    return this.#o.nodes.get(objectKey(undefined, node));
  }

  /** Writes the claim with the resourceVersion precondition; on a conflict decides again on a fresh read. */
  async #claim(node: NodeName): Promise<void> {
    if (this.#claiming.has(node)) return;
    this.#claiming.add(node);
    const path = `/api/v1/nodes/${encodeURIComponent(node)}`;
    let current = this.#node(node);
    let result: ClaimResult = 'failed';
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        // Still ours to claim? The session may have closed and another replica claimed meanwhile.
        if (!this.#held.has(node)) return;
        if (current === undefined) {
          result = 'no_node';
          return;
        }
        const plan = planClaim(current, this.#o.identity, this.#o.address);
        if (plan.kind === 'none') {
          result = 'unchanged';
          this.#noteClaimed(node, current.metadata.resourceVersion);
          return;
        }
        try {
          const written = await this.#o.client.request<NodeMeta>({
            method: 'PATCH',
            path,
            contentType: 'application/merge-patch+json',
            body: plan.body,
            priority: 'records',
          });
          this.#noteClaimed(node, written.metadata.resourceVersion);
          result = plan.from !== undefined && plan.from !== this.#o.identity ? 'handover' : 'claimed';
          this.#o.logger.info({ node, from: plan.from }, 'Claimed a node');
          return;
        } catch (err) {
          const apiErr = toApiError(err, { verb: 'PATCH', resource: `nodes/${node}` });
          if (apiErr.action === 'absorb') {
            result = 'no_node';
            return;
          }
          if (apiErr.action === 'reread') {
            const fresh = await this.#o.client
              .request<NodeMeta>({ method: 'GET', path })
              .catch(() => undefined);
            const next = afterConflict({ decidedOnOwner: plan.from, current: fresh, me: this.#o.identity });
            if (next === 'gone') {
              result = 'no_node';
              return;
            }
            if (next === 'yield') {
              result = 'yielded';
              this.#claiming.delete(node);
              this.#release(node, 'yielded');
              return;
            }
            current = fresh;
            continue;
          }
          if (apiErr.action === 'terminal') throw apiErr;
          await delay(Math.min(500 * 2 ** attempt, 8_000));
          current = this.#node(node);
        }
      }
    } catch (err) {
      this.#o.logger.warn({ node, err: String(err) }, 'Could not record this replica as the node’s owner');
    } finally {
      this.#claiming.delete(node);
      this.#o.onClaim?.(result);
    }
  }

  #noteClaimed(node: NodeName, resourceVersion: string | undefined): void {
    const version = versionOf(resourceVersion);
    if (version !== undefined) this.#claimedAt.set(node, version);
  }
}
