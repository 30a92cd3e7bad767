/**
 * The API call of a lease renewal the hub decided (hub/lease-renewal.ts, issue 16 item 2): a JSON merge
 * patch of the node's `kube-node-lease` Lease that sets `spec.renewTime` and nothing else. A merge patch,
 * not an update, so that no resourceVersion has to be read first (shutdown stays short) and the edge's
 * own holder, duration and owner reference are left as it wrote them; a PATCH of a missing object is a
 * 404, never a create, so a node that never had a lease does not get one from us. The edge's next update
 * carries the resourceVersion it read before ours and gets a 409, which the kubelet's lease controller
 * answers by reading the lease again (component-helpers `apimachinery/lease/controller.go`
 * retryUpdateLease). Pure.
 * @module
 */
import type { LeaseRenewal } from '../hub/index.js';
import type { ApiCall } from './api-call.js';
import { nodeLeaseNamespace } from './authorize.js';
import { formatMicroTime } from './rfc3339.js';

/** The PATCH that renews `renewal.node`'s lease to `renewal.renewTimeMs`. Made as the controller. */
export function leaseRenewalCall(renewal: LeaseRenewal): ApiCall {
  return {
    verb: 'patch',
    target: { resource: 'leases', namespace: nodeLeaseNamespace, name: renewal.node },
    patchType: 'merge',
    patch: JSON.stringify({ spec: { renewTime: formatMicroTime(renewal.renewTimeMs) } }),
    // Not as the node: the edge is not the one asking (and on shutdown it may be gone a moment later).
    asNode: false,
  };
}
