/**
 * A replica's own Lease (one per replica, in the controller's namespace), renewed while the process lives,
 * deleted on a clean stop; and the Lease informer every replica runs, which says which replicas are live
 * (lease.ts `LeaseLiveness`). Also the leader Lease (leader-step in lease.ts) for cluster-wide work.
 *
 * Writes: one PUT per renewal (default every 3 s: 0.33/s), plus one per 3 s while this replica leads; the
 * issue's budget is 1 API write per second per replica.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Informer, KubeClient, RequestClass, SharedInformers } from '../kube/index.js';
import { toApiError } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import {
  LeaseLiveness,
  decideLeader,
  leaderLeaseName,
  microTime,
  replicaLeaseBody,
  replicaLeaseLabel,
} from './lease.js';
import type { LeaseObject } from './lease.js';

/** Defaults of {@link ReplicaLeaseWorker}. */
export const replicaLeaseDefaults = Object.freeze({
  namespace: 'kubeedge',
  /** As client-go leader election's usual 15 s/10 s/2 s, shortened: a dead replica is seen within 10 s. */
  leaseDurationSeconds: 10,
  renewIntervalMs: 3_000,
});

/**
 * The API client class of every Lease read and write here: `node`, served before everything else
 * (kube/request-limiter.ts). As `bulk` (the default) a replica busy with a fleet's record writes and lists
 * could wait past its own Lease duration, lapse, and drop every node it holds.
 */
export const leasePriority = 'node' satisfies RequestClass;

/** Constructor options of {@link ReplicaLeaseWorker}. */
export interface ReplicaLeaseWorkerOptions {
  readonly client: KubeClient;
  readonly informers: Pick<SharedInformers, 'informerFor'>;
  readonly identity: string;
  readonly leaseName: string;
  readonly logger: Logger;
  readonly namespace?: string;
  readonly leaseDurationSeconds?: number;
  readonly renewIntervalMs?: number;
  /** Our Lease lapsed (no renewal for a whole duration) while other replicas were live. Must not throw. */
  readonly onLapse?: () => void;
  /** Leadership was taken or lost. Must not throw. */
  readonly onLeadership?: (leading: boolean) => void;
  /** Monotonic clock, ms; default `performance.now`. */
  readonly nowMs?: () => number;
}

/** See the module header. */
export class ReplicaLeaseWorker {
  readonly identity: string;
  readonly #o: Required<Omit<ReplicaLeaseWorkerOptions, 'onLapse' | 'onLeadership'>> &
    Pick<ReplicaLeaseWorkerOptions, 'onLapse' | 'onLeadership'>;
  readonly #liveness = new LeaseLiveness();
  readonly #leases: Informer<LeaseObject>;
  #lastRenewMs: number | undefined;
  /**
   * Other replicas live when we last renewed, less those whose Lease was deleted since (a clean stop): a
   * lapse with nobody else around closes nothing. Counted at the renewal because at the lapse the API
   * server is away and every other Lease looks stale too. A count alone went stale: a replica stopped
   * just after our last renewal still counted, and the lapse of an API server restart then closed every
   * session with nobody left to take them (seen in the downstream tests).
   */
  readonly #othersAtRenew = new Set<string>();
  #lapsed = false;
  #leading = false;
  #acquiredAt: string | undefined;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(options: ReplicaLeaseWorkerOptions) {
    this.identity = options.identity;
    this.#o = { ...replicaLeaseDefaults, nowMs: () => performance.now(), ...options };
    this.#leases = options.informers.informerFor<LeaseObject>({
      path: `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases`,
      name: 'replica-leases',
      labelSelector: replicaLeaseLabel,
    });
    this.#leases.onEvent((event) => {
      if (event.type === 'delete') this.#liveness.forget(event.object.metadata.name);
      else this.#liveness.observe(event.object, this.#o.nowMs(), this.#o.leaseDurationSeconds);
      // A replica whose every Lease is gone (deleted, or released) stopped: it will take over nothing.
      for (const other of this.#othersAtRenew)
        if (!this.#liveness.holds(other)) this.#othersAtRenew.delete(other);
    });
  }

  /** Writes our Lease (awaited: a replica is live before its hub accepts anyone), then renews it. */
  async start(signal: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([signal, this.#stop.signal]);
    for (;;) {
      if (await this.#renew()) break;
      await delay(1_000, undefined, { signal: stop });
    }
    this.#loop = this.#run(stop);
  }

  /** Stops renewing and deletes our Lease (and gives up leadership) so others see us gone at once. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    const path = `${this.#leasesPath()}/${this.#o.leaseName}`;
    await this.#o.client.request({ method: 'DELETE', path, priority: leasePriority }).catch(() => undefined);
    if (this.#leading) {
      const lease = this.#leases.store.list().find((l) => l.metadata.name === leaderLeaseName);
      if (lease?.spec?.holderIdentity === this.identity) {
        await this.#o.client
          .request({
            method: 'PUT',
            path: `${this.#leasesPath()}/${leaderLeaseName}`,
            body: { ...lease, spec: { ...lease.spec, holderIdentity: '' } },
            priority: leasePriority,
          })
          .catch(() => undefined);
      }
    }
  }

  /** Our Lease was renewed less than one duration ago (our clock). */
  get isLive(): boolean {
    const last = this.#lastRenewMs;
    return last !== undefined && this.#o.nowMs() - last < this.#o.leaseDurationSeconds * 1000;
  }

  /**
   * Whether this replica may own nodes: its Lease is live, or it lapsed while no other replica was live
   * (a single replica cut off from the API server keeps its sessions and queues: nobody could take them
   * over, and dropping pushes would lose the events its informers replay once the API server is back).
   */
  get mayOwn(): boolean {
    return this.isLive || (this.#lastRenewMs !== undefined && this.#othersAtRenew.size === 0);
  }

  /** Whether this replica holds the leader Lease. */
  get isLeader(): boolean {
    return this.#leading && this.isLive;
  }

  /** Whether `holder` (a replica identity) has a live Lease; ours counts while {@link isLive}. */
  isReplicaLive(holder: string): boolean {
    if (holder === this.identity) return this.isLive;
    return this.#liveness.isLive(holder, this.#o.nowMs());
  }

  /** Every live replica, this one included when live, sorted. */
  liveReplicas(): string[] {
    const others = this.#liveness.liveHolders(this.#o.nowMs()).filter((h) => h !== this.identity);
    return (this.isLive ? [...others, this.identity] : others).sort();
  }

  #leasesPath(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases`;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await delay(this.#o.renewIntervalMs, undefined, { signal });
      } catch {
        return;
      }
      await this.#renew();
      await this.#lead();
      if (!this.isLive && !this.#lapsed) {
        this.#lapsed = true;
        if (this.#leading) this.#setLeading(false);
        const others = [...this.#othersAtRenew];
        this.#o.logger.warn({ others }, 'This replica could not renew its Lease: it owns no node');
        if (others.length > 0) this.#o.onLapse?.();
      }
    }
  }

  /** One renewal of our Lease (create when absent); true when it is written. */
  async #renew(): Promise<boolean> {
    const { client, leaseName, namespace, identity, leaseDurationSeconds } = this.#o;
    const path = `${this.#leasesPath()}/${leaseName}`;
    const started = this.#o.nowMs();
    const body = (resourceVersion?: string): LeaseObject =>
      replicaLeaseBody({
        name: leaseName,
        namespace,
        identity,
        durationSeconds: leaseDurationSeconds,
        now: new Date(),
        ...(this.#acquiredAt !== undefined ? { acquiredAt: this.#acquiredAt } : {}),
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      });
    try {
      const current = await client
        .request<LeaseObject>({ method: 'GET', path, priority: leasePriority })
        .catch((err: unknown) => {
          if (toApiError(err, { verb: 'GET', resource: path }).action === 'absorb') return undefined;
          throw err;
        });
      const written =
        current === undefined
          ? await client.request<LeaseObject>({
              method: 'POST',
              path: this.#leasesPath(),
              body: body(),
              priority: leasePriority,
            })
          : await client.request<LeaseObject>({
              method: 'PUT',
              path,
              body: body(current.metadata.resourceVersion),
              priority: leasePriority,
            });
      this.#acquiredAt ??= written.spec?.acquireTime;
      // Counted from when the write was sent: the API server may have taken its time.
      this.#lastRenewMs = started;
      this.#othersAtRenew.clear();
      for (const holder of this.#liveness.liveHolders(started))
        if (holder !== identity) this.#othersAtRenew.add(holder);
      if (this.#lapsed) {
        this.#lapsed = false;
        this.#o.logger.info('This replica renewed its Lease again');
      }
      return true;
    } catch (err) {
      this.#o.logger.warn({ err: String(err) }, 'Could not renew this replica’s Lease');
      return false;
    }
  }

  /** One step of the leader election on the leader Lease (one GET-free decision from the informer). */
  async #lead(): Promise<void> {
    if (!this.isLive) return;
    const nowMs = this.#o.nowMs();
    const lease = this.#leases.store.list().find((l) => l.metadata.name === leaderLeaseName);
    const step = decideLeader({
      lease: lease,
      me: this.identity,
      nowMs,
      observedAtMs: this.#liveness.observedAt(leaderLeaseName),
      defaultDurationSeconds: this.#o.leaseDurationSeconds,
    });
    if (step.kind === 'follow') {
      if (this.#leading) this.#setLeading(false);
      return;
    }
    const now = microTime(new Date());
    const spec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.#o.leaseDurationSeconds,
      renewTime: now,
      acquireTime: step.kind === 'acquire' ? now : (lease?.spec?.acquireTime ?? now),
      leaseTransitions: step.kind === 'acquire' ? step.transitions : (lease?.spec?.leaseTransitions ?? 0),
    };
    const metadata = {
      name: leaderLeaseName,
      namespace: this.#o.namespace,
      labels: { [replicaLeaseLabel]: 'leader' },
    };
    try {
      // The resourceVersion from the informer is the precondition: of two replicas taking an expired
      // Lease, one write lands.
      if (lease === undefined)
        await this.#o.client.request({
          method: 'POST',
          path: this.#leasesPath(),
          body: { metadata, spec },
          priority: leasePriority,
        });
      else
        await this.#o.client.request({
          method: 'PUT',
          path: `${this.#leasesPath()}/${leaderLeaseName}`,
          body: { metadata: { ...metadata, resourceVersion: lease.metadata.resourceVersion }, spec },
          priority: leasePriority,
        });
      if (!this.#leading) this.#setLeading(true);
    } catch (err) {
      // A conflict: someone else wrote it first (or our cache is behind); the next step decides again.
      if (this.#leading) this.#setLeading(false);
      this.#o.logger.debug({ err: String(err) }, 'Leader Lease not written');
    }
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#o.logger.info(
      { identity: this.identity },
      leading ? 'This replica leads' : 'This replica no longer leads',
    );
    this.#o.onLeadership?.(leading);
  }

  /** Resolves once the Lease informer has listed (the liveness of the others is known). */
  whenSynced(): Promise<void> {
    return this.#leases.whenSynced();
  }
}
