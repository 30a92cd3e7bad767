/**
 * The decisions downstream planning returns (STYLE.md rule 6): deliver a push to a node, or forget a
 * node. The downstream worker carries them out in order: `deliver` → `hub.enqueue(node,
 * toMessage(push, { id, now }))`; `forget-node` → `hub.forgetNode(node)` and `location.forgetNode(node)`.
 * @module
 */
import type { NodeName, PushSpec } from '../protocol/index.js';

/** Send `push` to `node`. */
export interface Delivery {
  readonly kind: 'deliver';
  readonly node: NodeName;
  readonly push: PushSpec;
}

/**
 * The node is no longer an edge node: close its session and drop its queue and location entries
 * (KubeEdge closes the session instead of sending a node `delete`, spec §3.4).
 *
 * - `deleted`: the Node object is gone. Its ObjectSync records go too (issue 5; KubeEdge's synccontroller
 *   does the same on every Node delete, spec §3.4).
 * - `not-edge`: the node lost the edge label but exists. Keep its records: they still describe what its
 *   edge database holds, and repair uses them if the label comes back (KubeEdge keeps them too, errata U4).
 */
export interface ForgetNode {
  readonly kind: 'forget-node';
  readonly node: NodeName;
  readonly reason: 'deleted' | 'not-edge';
}

/** One step of a plan. Closed: switch over `kind` exhaustively. */
export type Decision = Delivery | ForgetNode;
