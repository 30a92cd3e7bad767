/**
 * Whether a new edge request may wait for its turn (issue 12 item 3): the pure decisions behind
 * request-scheduler.ts's `add`. One node must not be able to take the slots every node shares: a node
 * flooding 400k status patches made every other node's lease answer "queue is full" while the 10,000
 * waiting slots of its lane were all its own.
 *
 * Rules, in order:
 * 1. The node's own Lease (`kube-node-lease/lease/<node>`) is always admitted: it is what keeps the node
 *    Ready. It cannot grow without bound: the worker first lets a newer lease request of the node take
 *    the place of a waiting one with the same operation (each still gets its own reply), so a node has at
 *    most one waiting lease request per operation.
 * 2. A node may have at most `maxPendingPerNode` requests waiting in a lane.
 * 3. Below the lane's `maxPendingPerLane`, the request is admitted.
 * 4. At the lane's cap, the node with the most waiting requests gives up its newest one, if it has at
 *    least two more than the requesting node: so a full lane is shared out evenly, and a flood from a
 *    few identities (the join token mints any number) cannot lock quiet nodes out.
 * 5. Otherwise the request is refused (`lane-full`); the edge retries.
 * @module
 */
import type { NodeName, UpstreamResourceType } from '../protocol/index.js';

/** The namespace of node leases (authorize.ts holds the same constant; this file imports nothing of ours). */
const leaseNamespace = 'kube-node-lease';

/** What {@link decideAdmission} needs to know about the lane and the node, at the time of the request. */
export interface AdmissionInput {
  /** Whether the request is the node's own Lease (see {@link isOwnLease}). */
  readonly isOwnLease: boolean;
  /** Requests of this node waiting in the request's lane. */
  readonly nodePending: number;
  /** Requests waiting in the lane, over all nodes. */
  readonly lanePending: number;
  readonly maxPendingPerNode: number;
  readonly maxPendingPerLane: number;
  /** The node with the most requests waiting in the lane that it could give up, if any. */
  readonly heaviest: { readonly node: NodeName; readonly pending: number } | undefined;
}

/** The verdict. `evict`: admit, and refuse the newest waiting request of `victim` in the same lane. */
export type Admission =
  | { readonly action: 'admit' }
  | { readonly action: 'evict'; readonly victim: NodeName }
  | { readonly action: 'refuse'; readonly reason: AdmissionRefusal };

/** Why a request was not admitted. Closed: a metric label. */
export type AdmissionRefusal = 'node-full' | 'lane-full';

const admit: Admission = Object.freeze({ action: 'admit' });

/** Decides one admission (rules in the module header). Pure. */
export function decideAdmission(input: AdmissionInput): Admission {
  if (input.isOwnLease) return admit;
  if (input.nodePending >= input.maxPendingPerNode) return { action: 'refuse', reason: 'node-full' };
  if (input.lanePending < input.maxPendingPerLane) return admit;
  const { heaviest } = input;
  if (heaviest !== undefined && heaviest.pending > input.nodePending + 1)
    return { action: 'evict', victim: heaviest.node };
  return { action: 'refuse', reason: 'lane-full' };
}

/** Whether a request is `node`'s own Lease, which is always admitted. */
export function isOwnLease(
  node: NodeName,
  request: {
    readonly resourceType: UpstreamResourceType;
    readonly namespace: string | null;
    readonly name?: string | undefined;
  },
): boolean {
  return request.resourceType === 'lease' && request.namespace === leaseNamespace && request.name === node;
}
