/**
 * What the hub offers the upstream worker for its waiting requests (issue 12 item 1): a per-node byte
 * charge in the hub's memory budget (memory-budget.ts). The upstream worker reserves a request's bytes
 * when it starts waiting and releases them when it is answered or dropped; a node over its budget is
 * disconnected by the hub, and the reservation refused.
 * @module
 */
import type { NodeName } from '../protocol/index.js';

/** Bytes held for one waiting request. */
export interface MemoryReservation {
  /** Returns the bytes. Idempotent; void (a no-op) once the node was disconnected for cause. */
  release(): void;
}

/** The upstream side of the hub's memory budget. */
export interface UpstreamMemory {
  /**
   * Charges `bytes` (e.g. `UpstreamRequestInfo.frameBytes`) to `node` for a request about to wait.
   * Returns the reservation, or `undefined` when the charge put the node over its budget (or made it one
   * of the largest consumers when all nodes are over the global one): the hub has then disconnected it
   * (`over_budget`), and the request should be dropped without an API call.
   */
  reserve(node: NodeName, bytes: number): MemoryReservation | undefined;
}
