/**
 * The Node annotation that says "this node's full resync has not finished". A resync marks each of the
 * node's records unknown one write at a time; a controller that crashes halfway leaves records that still
 * claim the edge holds what its wiped store lost, and the restarted edge sends no second start signal (it
 * only reconnects). So the resync first writes this annotation, and clears it once every record is
 * marked; a controller that finds it on a connecting node resyncs it again. Pure: keys and patch bodies.
 * The annotation is ours (KubeEdge ignores it); the ObjectSync format is unchanged.
 * @module
 */

/** Set (to the time the resync began, RFC 3339) while a node's full resync is unfinished. */
export const resyncPendingAnnotation = 'edgecontroller.kubeedge.io/resync-pending';

/** A merge patch of the Node that sets the annotation. */
export function markResyncPending(now: Date): Readonly<Record<string, unknown>> {
  return { metadata: { annotations: { [resyncPendingAnnotation]: now.toISOString() } } };
}

/** A merge patch of the Node that removes the annotation. */
export function clearResyncPending(): Readonly<Record<string, unknown>> {
  return { metadata: { annotations: { [resyncPendingAnnotation]: null } } };
}

/** Whether a Node (as the informer holds it) carries the annotation. */
export function isResyncPending(node: { readonly metadata?: object } | undefined): boolean {
  const annotations = (node?.metadata as { readonly annotations?: unknown } | undefined)?.annotations;
  return typeof annotations === 'object' && annotations !== null && resyncPendingAnnotation in annotations;
}
