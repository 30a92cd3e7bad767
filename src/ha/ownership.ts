/**
 * Node ownership, pure. The owner of a node is the replica holding its session; it is written on the Node
 * only when a session opens on a replica that is not already the recorded owner (a handover), as two
 * annotations: KubeEdge's `cloudcore` (the address its router and stream features read) and ours, the
 * owner's identity. The write carries the resourceVersion it was decided on, so of two replicas racing
 * for one node exactly one write lands on that version; the loser re-reads and decides again
 * ({@link afterConflict}). Every replica watches every Node and learns from the informer when a node it
 * holds has moved ({@link onNodeSeen}).
 * @module
 */

/** Our annotation: the identity of the replica holding the node's session (its Lease says if it lives). */
export const ownerAnnotation = 'edgecontroller.kubeedge.io/owner';

/** KubeEdge's annotation (kube/node-annotation.ts): the address of the instance holding the session. */
export const cloudcoreAnnotationKey = 'cloudcore';

/** The part of a Node ownership reads. */
export interface NodeMeta {
  readonly metadata: {
    readonly name: string;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

/** The recorded owner of a node, if any. */
export function ownerOf(node: NodeMeta | undefined): string | undefined {
  const owner = node?.metadata.annotations?.[ownerAnnotation];
  return owner === undefined || owner === '' ? undefined : owner;
}

/** What a claim does. */
export type ClaimPlan =
  /** Both annotations already say us: no write (issue 15: no PATCH when it is already right). */
  | { readonly kind: 'none' }
  /** A merge patch with the resourceVersion precondition. `from` is the owner it replaces. */
  | {
      readonly kind: 'patch';
      readonly from: string | undefined;
      readonly body: {
        readonly metadata: {
          readonly resourceVersion: string;
          readonly annotations: Readonly<Record<string, string>>;
        };
      };
    };

/**
 * The claim of `node` by `me` (advertising `address`), decided on the Node as last seen. A Node without a
 * resourceVersion (never the case for one read from the API server) is claimed without a precondition.
 */
export function planClaim(node: NodeMeta, me: string, address: string): ClaimPlan {
  const annotations = node.metadata.annotations ?? {};
  if (annotations[ownerAnnotation] === me && annotations[cloudcoreAnnotationKey] === address) {
    return { kind: 'none' };
  }
  return {
    kind: 'patch',
    from: ownerOf(node),
    body: {
      metadata: {
        resourceVersion: node.metadata.resourceVersion ?? '',
        annotations: { [ownerAnnotation]: me, [cloudcoreAnnotationKey]: address },
      },
    },
  };
}

/**
 * After a claim was refused for a stale resourceVersion, with the Node re-read: if another replica
 * claimed the node since we decided (its owner changed to someone else), it holds a newer session than
 * the one we decided on, or at best an equally new one: we yield, and close ours (the edge redials and
 * lands on one replica). Anything else changed the Node (a status heartbeat, a label): claim again on the
 * new version.
 */
export function afterConflict(o: {
  readonly decidedOnOwner: string | undefined;
  readonly current: NodeMeta | undefined;
  readonly me: string;
}): 'retry' | 'yield' | 'gone' {
  if (o.current === undefined) return 'gone';
  const owner = ownerOf(o.current);
  return owner !== undefined && owner !== o.me && owner !== o.decidedOnOwner ? 'yield' : 'retry';
}

/**
 * What a replica does when the Node informer shows `node` (an add or update): `release` when another
 * replica is now its recorded owner and we still hold something of it (a session, a queue) and no claim
 * of ours is under way. A Node event older than our last successful claim is ignored (`claimedAtVersion`):
 * the informer may still deliver the version our claim replaced.
 */
export function onNodeSeen(o: {
  readonly node: NodeMeta;
  readonly me: string;
  readonly holding: boolean;
  readonly claiming: boolean;
  readonly claimedAtVersion: bigint | undefined;
}): 'keep' | 'release' {
  if (!o.holding || o.claiming) return 'keep';
  const owner = ownerOf(o.node);
  if (owner === undefined || owner === o.me) return 'keep';
  const version = versionOf(o.node.metadata.resourceVersion);
  if (o.claimedAtVersion !== undefined && version !== undefined && version <= o.claimedAtVersion)
    return 'keep';
  return 'release';
}

/**
 * A resourceVersion as a number, for the one comparison above: the API server says to treat them as
 * opaque, but etcd's are its revision and only grow; anything else compares as unknown (never "older").
 */
export function versionOf(resourceVersion: string | undefined): bigint | undefined {
  return resourceVersion !== undefined && /^[0-9]{1,19}$/.test(resourceVersion)
    ? BigInt(resourceVersion)
    : undefined;
}

/**
 * Whether this replica owns `node` now: our own Lease must be live (or have lapsed with no other replica
 * around, replica-lease-worker.ts `mayOwn`), and either a session of ours claimed
 * it (`held`) or the Node records us. Nobody owns a node whose recorded owner is dead until its edge
 * connects somewhere: that replica claims it and repairs it from the delivery records.
 */
export function owns(o: {
  readonly selfLive: boolean;
  readonly held: boolean;
  readonly recordedOwner: string | undefined;
  readonly me: string;
}): boolean {
  return o.selfLive && (o.held || o.recordedOwner === o.me);
}

/**
 * Whether a token join for `node` must be refused because its edge is connected to another replica: the
 * recorded owner is another replica whose Lease is live and the Node is Ready (its edge reports, through
 * that owner). A node owned by a live replica but whose edge is gone turns NotReady within the node
 * monitor grace period (40 s) and may then join again.
 */
export function connectedElsewhere(o: {
  readonly node: (NodeMeta & { readonly status?: { readonly conditions?: readonly unknown[] } }) | undefined;
  readonly me: string;
  readonly isLive: (holder: string) => boolean;
}): boolean {
  const owner = ownerOf(o.node);
  if (owner === undefined || owner === o.me || !o.isLive(owner)) return false;
  const conditions = o.node?.status?.conditions ?? [];
  return conditions.some((c) => {
    const { type, status } = (c ?? {}) as { type?: unknown; status?: unknown };
    return type === 'Ready' && status === 'True';
  });
}
