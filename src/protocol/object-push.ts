/**
 * What an object push looks like on the wire: the resource string, the operation per kind and change,
 * the content (apiVersion/kind set, `managedFields` stripped by default) and `header.resourceversion`.
 * The result is a {@link PushSpec}: everything but the message id and time, which the worker adds with
 * {@link toMessage} right before `hub.enqueue(node, message)`. The one push encoding: downstream/ (pushes
 * on informer events) and sync/ (repair pushes) both build their pushes here.
 *
 * Source: kubeedge-wire.md §3.1, §3.5, §6 and errata W2, U1/O4, omissions 1, 2, 10, 11; `kubeedge/kubeedge`
 * v1.23.1 `cloud/pkg/edgecontroller/controller/downstream.go`, `cloud/pkg/synccontroller/objectsync.go`.
 *
 * Stripping `metadata.managedFields`: nothing on the edge reads them (metamanager stores the JSON, edged
 * and the MetaServer decode Pods/Nodes/ConfigMaps/Secrets and never look at managed fields), they are
 * about a third of a typical Pod's JSON (object-message.test.ts measures it), and KubeEdge pushes them only
 * because it pushes informer objects as they are (errata omission 10). The one observable difference: a
 * MetaServer client on the edge that lists with `managedFields` sees none, as with any server-side
 * `metadata.managedFields` strip. Option {@link PushContentOptions.stripManagedFields}, default on.
 * @module
 */
import { newPush } from './message.js';
import type { Message, MessageStamp } from './message.js';
import type { KubeObjectShape, ObjectMetaShape } from './object-shape.js';
import type { PushOperation } from './operations.js';
import { buildResource } from './resource.js';
import { sharedContent } from './shared-content.js';
import type { ResourcePath } from './resource.js';

/** The kinds the cloud pushes. Closed: switch over it exhaustively. */
export const pushKinds = ['Pod', 'ConfigMap', 'Secret', 'Node'] as const;

/** A kind the cloud pushes. */
export type PushKind = (typeof pushKinds)[number];

/** Per kind: the apiVersion set on content, the resource type token, and whether it is cluster-scoped. */
export const pushKindInfo: Readonly<
  Record<
    PushKind,
    { readonly apiVersion: string; readonly resourceType: string; readonly isClusterScoped: boolean }
  >
> = Object.freeze({
  Pod: Object.freeze({ apiVersion: 'v1', resourceType: 'pod', isClusterScoped: false }),
  ConfigMap: Object.freeze({ apiVersion: 'v1', resourceType: 'configmap', isClusterScoped: false }),
  Secret: Object.freeze({ apiVersion: 'v1', resourceType: 'secret', isClusterScoped: false }),
  Node: Object.freeze({ apiVersion: 'v1', resourceType: 'node', isClusterScoped: true }),
});

/** Whether `value` is one of {@link pushKinds}. */
export function isPushKind(value: unknown): value is PushKind {
  return typeof value === 'string' && Object.hasOwn(pushKindInfo, value);
}

/** How pushed content is shaped. */
export interface PushContentOptions {
  /** Remove `metadata.managedFields` from pushed content. Default `true` (see the module comment). */
  readonly stripManagedFields: boolean;
}

/** Defaults of {@link PushContentOptions}. */
export const pushContentDefaults: PushContentOptions = Object.freeze({ stripManagedFields: true });

/**
 * One push, minus the message id and time. Plain data: log `kind`, `resource`, `operation`, never
 * `content`.
 */
export interface PushSpec {
  readonly kind: PushKind;
  /** Wire form, e.g. `default/pod/nginx`, `null/node/edge-1`. */
  readonly resource: ResourcePath;
  readonly operation: PushOperation;
  /** The object with apiVersion/kind set, or a minimal `{apiVersion, kind, metadata}` for some deletes. */
  readonly content: Readonly<Record<string, unknown>>;
  /** `header.resourceversion`: the object's resourceVersion. Absent on deletes of minimal objects. */
  readonly resourceVersion?: string;
}

/** An informer change, before it is mapped to a wire operation. */
export type ObjectChange = 'add' | 'update' | 'delete';

/**
 * The wire operation KubeEdge uses for a change of `kind` (spec §3.1): `add` → `insert`, except Secrets
 * and Nodes, which go as `update` for add and modify alike (KubeEdge: "rollback when all edge upgrade");
 * `delete` → `delete`. Never push a Node `delete`: the session is closed instead (spec §3.4), so
 * {@link objectPush} rejects it.
 */
export function changeOperation(kind: PushKind, change: ObjectChange): PushOperation {
  switch (change) {
    case 'add':
      return kind === 'Secret' || kind === 'Node' ? 'update' : 'insert';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
  }
}

/**
 * The push of `object` (kind `kind`) with `operation`: resource `<ns>/<type>/<name>` (`null/node/<name>` for
 * Nodes), content = the object with apiVersion/kind set and, by default, without `managedFields`,
 * `resourceversion` = its resourceVersion.
 *
 * For a `delete`: Pods keep their full last-known content (edged needs the spec to REMOVE the pod; with an
 * empty spec it only relists, errata omission 1); ConfigMaps and Secrets get {@link minimalContent},
 * because the edge deletes them by key (errata omission 11) and a Secret's data has no business travelling
 * again. The object is not changed. Throws a `RangeError` for a Node `delete` or an object without a name
 * (or, namespaced, without a namespace): broken invariants, never so for informer objects.
 */
export function objectPush(
  kind: PushKind,
  operation: PushOperation,
  object: KubeObjectShape,
  options: PushContentOptions,
): PushSpec {
  if (kind === 'Node' && operation === 'delete') {
    throw new RangeError('a Node delete is never pushed: forget the node (spec §3.4)');
  }
  const metadata = object.metadata ?? {};
  const content =
    operation === 'delete' && kind !== 'Pod'
      ? minimalContent(kind, metadata)
      : sharedContent(kind, object, options, () => preparedContent(kind, object, options));
  const resourceVersion = metadata.resourceVersion;
  return {
    kind,
    resource: resourceOf(kind, metadata.namespace, metadata.name),
    operation,
    content,
    ...(resourceVersion !== undefined && resourceVersion !== '' ? { resourceVersion } : {}),
  };
}

/** What identifies an object that no longer exists (or that we do not hold): an ObjectSync record's view. */
export interface ObjectIdentity {
  /** Ignored for cluster-scoped kinds. */
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly uid: string;
}

/**
 * A `delete` for an object known only by identity (reliable sync's orphan delete, spec §6 step 2):
 * minimal content, no `resourceversion`. Unlike KubeEdge's orphan delete we set apiVersion/kind, so the
 * edge's MetaServer store can decode it (errata W2). A Pod delete with an empty spec makes edged relist
 * its pods from the edge database instead of removing one (errata omission 1), which converges the same.
 * Throws like {@link objectPush}.
 */
export function identityDelete(kind: PushKind, identity: ObjectIdentity): PushSpec {
  if (kind === 'Node') throw new RangeError('a Node delete is never pushed: forget the node (spec §3.4)');
  return {
    kind,
    resource: resourceOf(kind, identity.namespace, identity.name),
    operation: 'delete',
    content: minimalContent(kind, identity),
  };
}

/**
 * The object as pushed: `apiVersion`/`kind` from the kind table first (informer objects may lack them;
 * the edge's MetaServer needs `kind`, spec §1.2), then `metadata` (without `managedFields` when
 * stripping), then every other field unchanged. A shallow copy: the store's object is never changed.
 */
export function preparedContent(
  kind: PushKind,
  object: KubeObjectShape,
  options: PushContentOptions,
): Readonly<Record<string, unknown>> {
  const metadata = object.metadata;
  const content: Record<string, unknown> = { apiVersion: pushKindInfo[kind].apiVersion, kind };
  if (metadata !== undefined) {
    content['metadata'] =
      options.stripManagedFields && Object.hasOwn(metadata, 'managedFields')
        ? withoutField(metadata, 'managedFields')
        : metadata;
  }
  for (const [field, value] of Object.entries(object)) {
    if (field !== 'apiVersion' && field !== 'kind' && field !== 'metadata') content[field] = value;
  }
  return content;
}

/** A shallow copy of `object` without `field`. */
function withoutField(object: object, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => key !== field));
}

/**
 * `{apiVersion, kind, metadata: {name, namespace, uid, resourceVersion}}`, each metadata field only when
 * set; no namespace for cluster-scoped kinds (as KubeEdge's ClusterObjectSync orphan delete, errata W5).
 */
export function minimalContent(
  kind: PushKind,
  metadata: Pick<ObjectMetaShape, 'name' | 'namespace' | 'uid' | 'resourceVersion'>,
): Readonly<Record<string, unknown>> {
  const info = pushKindInfo[kind];
  const meta: Record<string, string> = {};
  if (metadata.name !== undefined) meta['name'] = metadata.name;
  if (!info.isClusterScoped && metadata.namespace !== undefined) meta['namespace'] = metadata.namespace;
  if (metadata.uid !== undefined && metadata.uid !== '') meta['uid'] = metadata.uid;
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '') {
    meta['resourceVersion'] = metadata.resourceVersion;
  }
  return { apiVersion: info.apiVersion, kind, metadata: meta };
}

/** The message for `push`, stamped with the worker's id and time (protocol `newPush`). */
export function toMessage(push: PushSpec, stamp: MessageStamp): Message {
  return newPush({
    id: stamp.id,
    now: stamp.now,
    resource: push.resource,
    operation: push.operation,
    content: push.content,
    ...(push.resourceVersion === undefined ? {} : { resourceVersion: push.resourceVersion }),
  });
}

function resourceOf(kind: PushKind, namespace: string | undefined, name: string | undefined): ResourcePath {
  const info = pushKindInfo[kind];
  if (name === undefined || name === '') throw new RangeError(`${kind} without metadata.name`);
  if (!info.isClusterScoped && (namespace === undefined || namespace === '')) {
    throw new RangeError(`${kind} ${name} without metadata.namespace`);
  }
  return buildResource({
    namespace: info.isClusterScoped ? null : (namespace ?? null),
    resourceType: info.resourceType,
    name,
  });
}
