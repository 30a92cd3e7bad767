/**
 * The fields of Kubernetes objects that the push encoding (object-push.ts), downstream/ and sync/ read,
 * as small structural types. Declared here instead of taking `V1Pod` & co. from `@kubernetes/client-node`
 * so the pure stages stay free of that package (STYLE.md B2) and take any JSON-shaped object: the
 * informer's plain parsed objects (`kube/informer`, deep-readonly) and client-node model objects both
 * fit. Everything not named here passes through untouched into the pushed content.
 * @module
 */

/** `metadata`, as far as the cloud reads it. */
export interface ObjectMetaShape {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly generation?: number | undefined;
  /** RFC 3339 string in JSON (a `Date` in client-node models); any non-null value counts as set. */
  readonly deletionTimestamp?: unknown;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Server-side-apply bookkeeping; read by nothing on the edge (see object-push.ts). */
  readonly managedFields?: readonly unknown[] | undefined;
}

/** Any Kubernetes object. `apiVersion`/`kind` are often absent on informer objects (list items, watch). */
export interface KubeObjectShape {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?: ObjectMetaShape | undefined;
}

/** A Pod, as far as downstream and sync read it. The location cache reads more (location/pod-shape.ts). */
export interface PodObject extends KubeObjectShape {
  readonly spec?: { readonly nodeName?: string | undefined } | undefined;
}

/** A Node, as far as downstream reads it (`metadata.labels` for the edge role). */
export type NodeObject = KubeObjectShape;

/** Whether `metadata.deletionTimestamp` is set (graceful deletion has started). */
export function isTerminating(object: KubeObjectShape): boolean {
  const timestamp = object.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null;
}

/** `metadata.uid`, or `''` when absent. */
export function uidOf(object: KubeObjectShape): string {
  return object.metadata?.uid ?? '';
}

/**
 * `metadata.uid` of a message's content, or `''` when the content is not an object with a string UID.
 * For content of unknown shape (what an outbound message carries); {@link uidOf} is for typed objects.
 */
export function uidOfContent(content: unknown): string {
  if (typeof content !== 'object' || content === null) return '';
  const metadata = (content as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return '';
  const uid = (metadata as { uid?: unknown }).uid;
  return typeof uid === 'string' ? uid : '';
}
