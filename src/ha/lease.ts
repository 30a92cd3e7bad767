/**
 * Lease logic (coordination.k8s.io/v1), pure: the body of a replica's own Lease and of the leader Lease,
 * who is live as seen from here, and what the leader elector should do next.
 *
 * Liveness is judged by when *we* saw a Lease change, never by comparing its `renewTime` with our clock
 * (client-go leaderelection does the same, `observedTime`): replicas' clocks may disagree, our own
 * monotonic clock does not. The price: a Lease first seen at our start looks live for one duration.
 * @module
 */

/** The Lease fields we read and write. */
export interface LeaseObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/** Label on every replica Lease: the Lease informer lists only these. */
export const replicaLeaseLabel = 'edgecontroller.kubeedge.io/replica';

/** Name of the one leader Lease (cluster-wide work, see README "Running several replicas"). */
export const leaderLeaseName = 'edge-controller-leader';

/** `metav1.MicroTime` as the API server wants it: RFC 3339 with exactly six fractional digits. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The body of a replica's own Lease, for a create (no resourceVersion) or an update. */
export function replicaLeaseBody(o: {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly durationSeconds: number;
  readonly now: Date;
  readonly acquiredAt?: string;
  readonly resourceVersion?: string;
}): LeaseObject {
  return {
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { [replicaLeaseLabel]: 'true' },
      ...(o.resourceVersion !== undefined ? { resourceVersion: o.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: o.identity,
      leaseDurationSeconds: o.durationSeconds,
      acquireTime: o.acquiredAt ?? microTime(o.now),
      renewTime: microTime(o.now),
    },
  };
}

/** What {@link decideLeader} returns. */
export type LeaderStep =
  /** Nobody holds it (absent, or its holder stopped renewing): take it (create or update with precondition). */
  | { readonly kind: 'acquire'; readonly transitions: number }
  /** We hold it: renew (update with precondition). */
  | { readonly kind: 'renew' }
  /** Someone else holds it and is live: wait. */
  | { readonly kind: 'follow'; readonly holder: string };

/**
 * The leader elector's next step. `observedAtMs` is when we last saw the Lease change (our clock), or
 * undefined when we have not seen it at all.
 */
export function decideLeader(o: {
  readonly lease: LeaseObject | undefined;
  readonly me: string;
  readonly nowMs: number;
  readonly observedAtMs: number | undefined;
  readonly defaultDurationSeconds: number;
}): LeaderStep {
  const holder = o.lease?.spec?.holderIdentity;
  const transitions = o.lease?.spec?.leaseTransitions ?? 0;
  if (o.lease === undefined || holder === undefined || holder === '') return { kind: 'acquire', transitions };
  if (holder === o.me) return { kind: 'renew' };
  const durationMs = (o.lease.spec?.leaseDurationSeconds ?? o.defaultDurationSeconds) * 1000;
  const seen = o.observedAtMs ?? o.nowMs;
  return o.nowMs - seen < durationMs
    ? { kind: 'follow', holder }
    : { kind: 'acquire', transitions: transitions + 1 };
}

/**
 * Who is live, from the Leases seen: a holder is live while less than its Lease duration has passed since
 * we saw its Lease change (a new `renewTime` or resourceVersion). Pure; time comes in as `nowMs`.
 */
export class LeaseLiveness {
  /** Lease name → what we last saw and when. */
  readonly #seen = new Map<string, { holder: string; stamp: string; durationMs: number; atMs: number }>();

  /** Records a Lease as seen now (an add or update from the Lease informer). */
  observe(lease: LeaseObject, nowMs: number, defaultDurationSeconds: number): void {
    const holder = lease.spec?.holderIdentity;
    if (holder === undefined || holder === '') {
      this.#seen.delete(lease.metadata.name);
      return;
    }
    const stamp = `${lease.spec?.renewTime ?? ''}/${lease.metadata.resourceVersion ?? ''}`;
    const before = this.#seen.get(lease.metadata.name);
    if (before?.stamp === stamp && before.holder === holder) return;
    this.#seen.set(lease.metadata.name, {
      holder,
      stamp,
      durationMs: (lease.spec?.leaseDurationSeconds ?? defaultDurationSeconds) * 1000,
      atMs: nowMs,
    });
  }

  /** The Lease was deleted (a replica that stopped cleanly deletes its own). */
  forget(name: string): void {
    this.#seen.delete(name);
  }

  /** Whether `holder` has a live Lease. */
  isLive(holder: string, nowMs: number): boolean {
    for (const s of this.#seen.values())
      if (s.holder === holder && nowMs - s.atMs < s.durationMs) return true;
    return false;
  }

  /** Whether any Lease seen and not deleted names `holder`, live or not. */
  holds(holder: string): boolean {
    for (const s of this.#seen.values()) if (s.holder === holder) return true;
    return false;
  }

  /** Every live holder, sorted. */
  liveHolders(nowMs: number): string[] {
    const live = new Set<string>();
    for (const s of this.#seen.values()) if (nowMs - s.atMs < s.durationMs) live.add(s.holder);
    return [...live].sort();
  }

  /** When we last saw this Lease change (our clock), if we have seen it. */
  observedAt(name: string): number | undefined {
    return this.#seen.get(name)?.atMs;
  }
}
