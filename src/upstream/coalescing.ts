/**
 * Which waiting edge requests one API call may answer together, and which are no longer worth running.
 * Pure: the worker (upstream-worker.ts) asks these when a request arrives and when it would start one.
 *
 * Why (issue 15): at 10,000 nodes on two cores the API server only just keeps up with leases and node
 * statuses, so a registration or query can wait past the edge's 60 s `remoteQueryTimeout`. The edge then
 * asks again (the kubelet retries its Node insert, metaManager re-queries), and each copy used to queue
 * and run: registration stalled at 6,429 of 10,000 nodes with the general lane 4,500 deep, its API calls
 * answering requests whose edges had given up. Now a repeat takes the waiting copy's place (both are
 * answered by one call), and a read that waited past the edge's timeout is not run at all.
 * @module
 */
import type { UpstreamRequest } from '../hub/index.js';
import type { UpstreamResourceType } from '../protocol/index.js';

/**
 * Queries whose answer depends on the resource path alone (object-query.ts ignores their content), so one
 * read answers every copy. Not `serviceaccounttoken`: its content is the TokenRequest (audiences, expiry),
 * and two requests for one account may want different tokens.
 */
const plainQueryTypes: ReadonlySet<UpstreamResourceType> = new Set<UpstreamResourceType>([
  'configmap',
  'secret',
  'persistentvolume',
  'persistentvolumeclaim',
  'volumeattachment',
  'node',
  'lease',
  'certificatesigningrequest',
]);

/**
 * The key under which a newer request from the same node may take a waiting one's place, with one call
 * answering both; `undefined`: never replaced.
 * - Status writes that carry the whole state (a lease `update` is the full Lease; legacy `podstatus` and
 *   `nodestatus` carry the whole status): the newest makes the older ones moot, so a node's backlog after
 *   a reconnect costs one write per object, not one per report (#3567, #5557). `podpatch`/`nodepatch`
 *   are NOT coalesced: the edge computes each as a diff from its last known status, so dropping one could
 *   lose a change; the edge waits for each reply before it sends the next for the same object anyway.
 * - The node's own Lease, per operation (a query answers a query, an insert an insert): it is always
 *   admitted, and this keeps its waiting requests to one per operation.
 * - Registration (`node` or legacy `nodestatus` insert): a repeat is the kubelet retrying the same
 *   create; the newest body is the one written, and the first to finish makes the rest `AlreadyExists`.
 * - Plain queries ({@link plainQueryTypes}): the same read.
 */
export function coalesceKeyOf(request: UpstreamRequest, isOwnLeaseRequest: boolean): string | undefined {
  const { operation, resource, resourceType } = request;
  if (isOwnLeaseRequest) return `${operation}\0${resource}`;
  if (request.name === undefined) return undefined;
  switch (operation) {
    case 'update':
      return resourceType === 'lease' || resourceType === 'podstatus' || resourceType === 'nodestatus'
        ? `update\0${resource}`
        : undefined;
    case 'insert':
      return resourceType === 'node' || resourceType === 'nodestatus' ? `insert\0${resource}` : undefined;
    case 'query':
      return plainQueryTypes.has(resourceType) ? `query\0${resource}` : undefined;
    case 'delete':
    case 'patch':
      return undefined;
  }
}

/**
 * Whether a request is a read whose reply the edge drops once it has stopped waiting: metaManager's
 * remote query gives up after `remoteQueryTimeout` and a late reply finds no waiter (beehive `SendResp`
 * logs and drops it; spec §4.3), so running it only spends an API call. Writes are run however late: the
 * write itself is the point (and a registration's late success turns the retry into `AlreadyExists`).
 */
function isDroppedWhenLate(request: UpstreamRequest): boolean {
  return request.operation === 'query';
}

/**
 * Whether a request that arrived at `receivedAt` is past the edge's reply deadline at `now` and may be
 * given up unrun. `deadlineMs` 0 turns this off.
 */
export function isPastReplyDeadline(
  request: UpstreamRequest,
  receivedAt: number,
  now: number,
  deadlineMs: number,
): boolean {
  return deadlineMs > 0 && isDroppedWhenLate(request) && now - receivedAt > deadlineMs;
}
