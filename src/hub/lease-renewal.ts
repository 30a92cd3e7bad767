/**
 * Which node leases the cloud renews on an edge's behalf, and when (issue 16 item 2). A real EdgeCore
 * redials a fixed 30 s after losing its link and renews its `kube-node-lease` Lease every 10 s against the
 * node lifecycle controller's 40 s grace (`kubeedge/kubeedge` v1.23.1 `edge/pkg/edgehub/edgehub.go`;
 * kubelet `nodeLeaseDurationSeconds`): a planned controller restart can leave its lease unrenewed for
 * 30 s + up to 10 s, and the node blips NotReady. So the hub renews the lease of each node whose session it
 * is about to close on shutdown (the node was alive a moment ago), and once more when a session opens
 * (the edge's own next renewal may be 10 s away). Pure: the hub gives the sessions and `now`; the
 * decision is data, carried out by a worker through the `renewLeases` hook (hooks.ts).
 *
 * Not promised: that the edge is still alive after `now`; the renewal only restates what the session
 * showed. Never renewed: a node without an open session, or one whose keepalive deadline has passed (the
 * hub would close it as dead). A renewal never creates a lease (the worker patches; a missing lease
 * stays missing).
 * @module
 */
import type { NodeName } from '../protocol/index.js';

/** What the plan needs to know about one session. */
export interface SessionSnapshot {
  readonly node: NodeName;
  /** False once the session has closed (or is closing). */
  readonly isOpen: boolean;
  /** When the session expires without a keepalive, ms (session-state.ts). */
  readonly keepaliveDeadline: number;
}

/** Why a renewal is made: metric label and log field. */
export type LeaseRenewalReason = 'shutdown' | 'session_opened';

/** Renew this node's lease: `spec.renewTime` = `renewTimeMs`. */
export interface LeaseRenewal {
  readonly node: NodeName;
  /** The instant to write as `spec.renewTime`, ms since the epoch. */
  readonly renewTimeMs: number;
}

/**
 * One renewal per node whose session is open and alive at `now` (its keepalive deadline not passed),
 * sorted by node name; nothing for any other node. `now` is both the liveness check and the renewal time.
 */
export function planLeaseRenewals(sessions: readonly SessionSnapshot[], now: number): LeaseRenewal[] {
  const alive = new Set<NodeName>();
  for (const session of sessions) {
    if (session.isOpen && now < session.keepaliveDeadline) alive.add(session.node);
  }
  return [...alive].sort().map((node) => ({ node, renewTimeMs: now }));
}
