/**
 * The replica set as one stage: this replica's identity and Lease (replica-lease-worker.ts), node
 * ownership (ownership-worker.ts) and the leader Lease. The composition root builds it before the hub,
 * gates every push and record write on {@link HaWorker.owns}, and calls {@link HaWorker.sessionOpened}
 * from the hub's session hook.
 *
 * Cluster-wide work (issue 14 item 4), and why each is safe with N replicas:
 * - CA and server certificate creation: exactly once, by a create that fails on the loser (certs/).
 * - Join-token refresh: idempotent by construction. Every replica signs with the one shared CA, so any
 *   token a replica writes is valid at every replica; N replicas rewrite the Secret every 12 h each.
 * - CRD installation: idempotent by construction (POST, a 409 means installed).
 * - Records of deleted nodes: idempotent by construction. Every replica sees the Node's delete and deletes
 *   its records (a 404 is absorbed). Gating it on the leader would save N-1 deletes per record of a
 *   deleted node (rare), but a delete seen while leadership changes hands would then be missed until the
 *   next start's sweep: not worth it.
 * The leader Lease is elected all the same (`isLeader`, `edgecontroller_ha_leader`) for work that is not
 * idempotent; none is today.
 * @module
 */
import { hostname } from 'node:os';
import type { KubeClient, SharedInformers, StoreReader } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import type { NodeName } from '../protocol/index.js';
import { replicaIdentity, replicaLeaseName } from './identity.js';
import type { NodeMeta } from './ownership.js';
import { OwnershipWorker } from './ownership-worker.js';
import type { ClaimResult, ReleaseReason } from './ownership-worker.js';
import { ReplicaLeaseWorker } from './replica-lease-worker.js';

/** What the HA stage needs from the hub. */
export interface HaHub {
  /** Whether the hub holds anything for the node (a session or a queue). */
  holds(node: NodeName): boolean;
  /** Nodes the hub holds anything for. */
  heldNodes(): readonly NodeName[];
}

/** Constructor options of {@link HaWorker}. */
export interface HaWorkerOptions {
  readonly client: KubeClient;
  readonly informers: Pick<SharedInformers, 'informerFor'>;
  /** Every Node (the downstream Node informer's store). */
  readonly nodes: StoreReader<NodeMeta>;
  /** This replica's advertise address (the `cloudcore` annotation). */
  readonly address: string;
  readonly hub: HaHub;
  /** Close the node's session and drop what this replica keeps for it. Must not throw. */
  readonly release: (node: NodeName, reason: ReleaseReason) => void;
  readonly logger: Logger;
  /** Default: `POD_NAME`, else the host name in a pod, else `<host>-<pid>` (identity.ts). */
  readonly identity?: string;
  readonly namespace?: string;
  readonly leaseDurationSeconds?: number;
  readonly renewIntervalMs?: number;
  readonly onClaim?: (result: ClaimResult) => void;
  readonly onLeadership?: (leading: boolean) => void;
}

/** HA workers made in this process so far. */
let instances = 0;

/** See the module header. */
export class HaWorker {
  readonly identity: string;
  readonly #lease: ReplicaLeaseWorker;
  readonly #ownership: OwnershipWorker;
  readonly #hub: HaHub;

  constructor(o: HaWorkerOptions) {
    // A second controller in one process (in-process tests start several) gets `-2`, `-3`…: two replicas
    // must never share an identity, or both would own the same nodes.
    instances += 1;
    const base = replicaIdentity({
      podName: process.env['POD_NAME'],
      hostname: hostname(),
      pid: process.pid,
      inPod: process.env['KUBERNETES_SERVICE_HOST'] !== undefined,
    });
    this.identity = o.identity ?? (instances === 1 ? base : `${base}-${String(instances)}`);
    this.#hub = o.hub;
    this.#lease = new ReplicaLeaseWorker({
      client: o.client,
      informers: o.informers,
      identity: this.identity,
      leaseName: replicaLeaseName(this.identity),
      logger: o.logger,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      ...(o.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: o.leaseDurationSeconds } : {}),
      ...(o.renewIntervalMs !== undefined ? { renewIntervalMs: o.renewIntervalMs } : {}),
      onLapse: () => {
        this.#ownership.releaseAll(this.#hub.heldNodes());
      },
      ...(o.onLeadership !== undefined ? { onLeadership: o.onLeadership } : {}),
    });
    this.#ownership = new OwnershipWorker({
      client: o.client,
      identity: this.identity,
      address: o.address,
      nodes: o.nodes,
      selfLive: () => this.#lease.mayOwn,
      isReplicaLive: (id) => this.#lease.isReplicaLive(id),
      holds: (node) => this.#hub.holds(node),
      release: o.release,
      logger: o.logger,
      ...(o.onClaim !== undefined ? { onClaim: o.onClaim } : {}),
    });
  }

  /** Writes this replica's Lease and starts renewing it; resolves once the Lease informer has listed. */
  async start(signal: AbortSignal): Promise<void> {
    await this.#lease.whenSynced();
    await this.#lease.start(signal);
  }

  /** Deletes this replica's Lease: the others see it gone at once. */
  stop(): Promise<void> {
    return this.#lease.stop();
  }

  owns(node: NodeName): boolean {
    return this.#ownership.owns(node);
  }

  /** How many of `nodes` {@link owns} is false for. */
  countNotOwned(nodes: Iterable<NodeName>): number {
    return this.#ownership.countNotOwned(nodes);
  }

  /** How many nodes {@link owns} is true for (ownership-worker.ts `ownedCount`). */
  ownedCount(): number {
    return this.#ownership.ownedCount();
  }

  ownerOf(node: NodeName): string | undefined {
    return this.#ownership.ownerOf(node);
  }

  get isLeader(): boolean {
    return this.#lease.isLeader;
  }

  get isLive(): boolean {
    return this.#lease.isLive;
  }

  liveReplicas(): string[] {
    return this.#lease.liveReplicas();
  }

  /** See {@link OwnershipWorker.isConnectedElsewhere}. */
  isConnectedElsewhere(node: string): boolean {
    return this.#ownership.isConnectedElsewhere(node);
  }

  /** See {@link OwnershipWorker.sessionOpened}. */
  sessionOpened(node: NodeName): boolean {
    return this.#ownership.sessionOpened(node);
  }

  /** The Node informer's add/update. */
  nodeSeen(node: NodeName, object: NodeMeta): void {
    this.#ownership.nodeSeen(node, object);
  }

  nodeDeleted(node: NodeName): void {
    this.#ownership.nodeDeleted(node);
  }
}
