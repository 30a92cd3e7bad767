/**
 * What an edge ACK means for the node's records (spec §5.6 "When the ACK arrives", errata U4): the hub
 * calls its `onAck(node, item)` hook with the ACKed item, and {@link onAck} returns the record action for
 * the sync worker to write (record-write-worker.ts).
 *
 * As KubeEdge `saveSuccessPoint` (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/cloudhub/session/node_session.go`):
 * - operation `delete` → delete the record `<node>.<uid>` (NotFound is success);
 * - anything else, query replies included → create the record if missing, set
 *   `status.objectResourceVersion` to the message's `resourceversion`.
 * An `update` carrying `deletionTimestamp` is not a delete here (errata U4): it records its version.
 * @module
 */
import { parseResource, pushKindInfo, pushKinds } from '../protocol/index.js';
import type { Message, NodeName, PushKind } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';
import { parseResourceVersion } from '../queues/index.js';
import { objectSyncName } from './record-name.js';
import { newSyncRecord } from './record.js';
import type { RecordTarget, SyncRecord } from './record.js';

/** Why an ACK changes no record. Counted, not logged per message. */
export type NoRecordReason =
  /** The resource is not `<ns>/<type>/<name>`. */
  | 'not-an-object'
  /** The content has no `metadata.uid` (KubeEdge's pod-gone delete, errata U7). */
  | 'no-uid'
  /** `<node>.<uid>` is not a valid resource name (record-name.ts). */
  | 'invalid-name'
  /** A non-delete without a decimal uint64 `resourceversion`. */
  | 'invalid-resource-version'
  /** Neither the content's `kind` nor the resource type names a kind. */
  | 'unknown-kind';

/** What to do with the node's records after an ACK. */
export type RecordAction =
  /** Create the record if missing (body: record.ts `recordBody`), then set its status RV. */
  | { readonly kind: 'upsert'; readonly record: SyncRecord }
  /** Delete the record; a missing one is fine. */
  | { readonly kind: 'delete'; readonly target: RecordTarget }
  | { readonly kind: 'none'; readonly reason: NoRecordReason };

const kindByResourceType: ReadonlyMap<string, PushKind> = new Map(
  pushKinds.map((kind) => [pushKindInfo[kind].resourceType, kind]),
);

/** The record action for `node` ACKing `acked` (see the module comment). Pure. */
export function onAck(node: NodeName, acked: AckItem<Message>): RecordAction {
  return recordActionFor(node, acked.payload, acked.uid);
}

/**
 * The record action for `node` holding `message` about the object with `uid`: what the ACK of it writes,
 * and (record-gate.ts) the record a push needs before it is sent. Pure.
 */
export function recordActionFor(node: NodeName, message: Message, uid: string): RecordAction {
  const resource = parseResource(message.route.resource ?? '');
  if (resource?.name === undefined) return { kind: 'none', reason: 'not-an-object' };
  if (uid === '') return { kind: 'none', reason: 'no-uid' };
  const name = objectSyncName(node, uid);
  if (name === undefined) return { kind: 'none', reason: 'invalid-name' };

  if (message.route.operation === 'delete') {
    return {
      kind: 'delete',
      target:
        resource.namespace === null
          ? { recordKind: 'ClusterObjectSync', name }
          : { recordKind: 'ObjectSync', namespace: resource.namespace, name },
    };
  }

  const resourceVersion = message.header.resourceversion ?? '';
  if (parseResourceVersion(resourceVersion) === undefined) {
    return { kind: 'none', reason: 'invalid-resource-version' };
  }
  const type = typeOf(message.content, resource.resourceType);
  if (type === undefined) return { kind: 'none', reason: 'unknown-kind' };
  const record = newSyncRecord({
    node,
    uid,
    namespace: resource.namespace,
    apiVersion: type.apiVersion,
    kind: type.kind,
    name: resource.name,
    resourceVersion,
  });
  return record === undefined ? { kind: 'none', reason: 'invalid-name' } : { kind: 'upsert', record };
}

// The content's apiVersion/kind (we always set them, downstream/object-message.ts); else the kind our
// resource type stands for, as KubeEdge takes the kind from the object (errata W2: it may lack one).
function typeOf(content: unknown, resourceType: string): { apiVersion: string; kind: string } | undefined {
  if (typeof content === 'object' && content !== null) {
    const { apiVersion, kind } = content as { apiVersion?: unknown; kind?: unknown };
    if (typeof kind === 'string' && kind !== '' && typeof apiVersion === 'string' && apiVersion !== '') {
      return { apiVersion, kind };
    }
  }
  const kind = kindByResourceType.get(resourceType);
  return kind === undefined ? undefined : { apiVersion: pushKindInfo[kind].apiVersion, kind };
}
