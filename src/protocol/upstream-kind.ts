/**
 * Classifies a message from an edge (edge → cloud) into a closed union, in the order of cloudhub's
 * first-level dispatch, so the hub can `switch` exhaustively: reset the keepalive timer, settle an ACK,
 * answer the CA query, hand a request to upstream/, or reply with an error and count it.
 *
 * Source: kubeedge-wire.md §4.1, §4.2, §1.3 and errata W9; `kubeedge/kubeedge` v1.23.1
 * `cloud/pkg/cloudhub/dispatcher/message_dispatcher.go` DispatchUpstream/PubToController/Publish,
 * `cloud/pkg/edgecontroller/controller/upstream.go` dispatchMessage, `pkg/viaduct/pkg/conn/ws.go`.
 * @module
 */
import type { Message } from './message.js';
import type { MessageId } from './message-id.js';
import { parseMessageId } from './message-id.js';
import { groups, isCloudModuleSource, sources } from './modules.js';
import type { ReservedOperation, UpstreamOperation } from './operations.js';
import { isReservedOperation, isTaskManagerOperation, isUpstreamOperation } from './operations.js';
import type { ResourcePath } from './resource.js';
import { parseResource } from './resource.js';
import type { UpstreamResourceType } from './resource-types.js';
import { isUpstreamResourceType, k8sCaResource } from './resource-types.js';

/**
 * Why a well-formed edge message is not served. A closed set, so it can label a metric. The hub answers
 * each with an error reply (never a disconnect: a stock EdgeCore sends twin and upload messages we do not
 * serve, STYLE.md rule 21).
 */
export type UnsupportedReason =
  /** Resource matches KubeEdge's CSI volume pattern (spec §4.1 step 2); we run no CSI driver. */
  | 'csi'
  /** `response` without `parent_msg_id`: an ACK for nothing. */
  | 'missing-parent-id'
  /** `upload` in group `user`, for the cloud router (step 5). */
  | 'router-upload'
  /** Task-manager operation (step 6). */
  | 'task-manager'
  /** Source names a cloud module; KubeEdge drops these silently (step 8, `IsFromEdge`). */
  | 'cloud-source'
  /** Source `metaserver`: a DynamicController application (step 8). */
  | 'metaserver'
  /** Source `twin`: device twin for devicecontroller (step 8). */
  | 'twin'
  /** Resource is not `<ns>/<type>[/<name>]` with non-empty segments. */
  | 'malformed-resource'
  /** A type edgecontroller does not route upstream (spec §4.2 "Other resource types"). */
  | 'unknown-resource-type'
  /** An operation outside insert/update/delete/query/patch. */
  | 'unknown-operation';

/**
 * What an edge message is. Variants, in the order they are decided:
 * - `control`: op `config`/`ping`/`pong`. KubeEdge's WebSocket layer answers these itself with
 *   `NewRespByMessage(msg, "ack")` and never dispatches them (spec §1.3); decided before §4.1.
 * - `keepalive`: op `keepalive`, any resource. Reset the session timer; no reply.
 * - `unsupported` with reason `csi`: checked BEFORE `response`, as KubeEdge does (errata W9).
 * - `ack`: op `response`. Every upstream response is an ACK of `parentId`; nothing else in it is used.
 * - `error-report`: op `error` (the edge failed to store a push). Log and count; the push stays un-ACKed
 *   and is resent. `parentId` is absent if the edge sent none. No reply.
 * - `ca-query`: resource `k8s/ca.crt`. Answer with the cluster CA PEM, source `cloudhub`, no ACK.
 * - `request`: a request for edgecontroller (spec §4.2), its resource parsed. Whether the (type, op)
 *   pair is served is the upstream handler's decision (for example `pod` + `query` is not).
 * - `unsupported`: everything else, with a reason.
 */
export type UpstreamKind =
  | { readonly kind: 'control'; readonly operation: ReservedOperation }
  | { readonly kind: 'keepalive' }
  | { readonly kind: 'ack'; readonly parentId: MessageId }
  | { readonly kind: 'error-report'; readonly parentId?: MessageId }
  | { readonly kind: 'ca-query' }
  | {
      readonly kind: 'request';
      readonly resourceType: UpstreamResourceType;
      readonly operation: UpstreamOperation;
      /** `null` for the wire token `null` (cluster-scoped). */
      readonly namespace: string | null;
      /** Absent in list forms such as `<ns>/podstatus`. */
      readonly name?: string;
      /** The request's wire resource, for the reply. */
      readonly resource: ResourcePath;
    }
  | { readonly kind: 'unsupported'; readonly reason: UnsupportedReason; readonly detail: string };

// KubeEdge `VolumePattern` (`cloud/pkg/cloudhub/common/helper.go`). Go's `\w` is ASCII, as is JS's
// without the `u`+`i` flags.
const volumePattern = /^\w[-\w.+]*\/volume\/\w[-\w.+]*/;

/**
 * Classifies a decoded edge message. Pure and total: every message gets exactly one kind. Reads the
 * route and header only, never `content`. Does not check that the request concerns the sending node;
 * that is authorization, done by the upstream handlers with the node of the session.
 */
export function classifyUpstream(message: Message): UpstreamKind {
  const { operation = '', resource = '', group = '', source = '' } = message.route;
  if (isReservedOperation(operation)) return { kind: 'control', operation };
  if (operation === 'keepalive') return { kind: 'keepalive' };
  if (volumePattern.test(resource))
    return unsupported('csi', `CSI volume resource, operation ${truncate(operation)}`);
  if (operation === 'response') {
    const parentId = parseMessageId(message.header.parent_msg_id);
    return parentId === undefined
      ? unsupported('missing-parent-id', 'response without parent_msg_id')
      : { kind: 'ack', parentId };
  }
  if (operation === 'error') {
    const parentId = parseMessageId(message.header.parent_msg_id);
    return parentId === undefined ? { kind: 'error-report' } : { kind: 'error-report', parentId };
  }
  if (operation === 'upload' && group === groups.user) {
    return unsupported('router-upload', 'upload for the cloud router');
  }
  if (isTaskManagerOperation(operation)) return unsupported('task-manager', `operation ${operation}`);
  if (resource === k8sCaResource) return { kind: 'ca-query' };
  if (isCloudModuleSource(source)) return unsupported('cloud-source', `source ${source} is a cloud module`);
  if (source === sources.metaServer) return unsupported('metaserver', 'DynamicController is not served');
  if (source === sources.twin) return unsupported('twin', 'device twin is not served');
  return classifyRequest(operation, resource);
}

function classifyRequest(operation: string, resource: string): UpstreamKind {
  const parsed = parseResource(resource);
  if (parsed === undefined) {
    return unsupported('malformed-resource', `resource of ${resource.length} characters`);
  }
  const { resourceType } = parsed;
  if (!isUpstreamResourceType(resourceType)) {
    return unsupported('unknown-resource-type', `resource type ${truncate(resourceType)}`);
  }
  if (!isUpstreamOperation(operation)) {
    return unsupported('unknown-operation', `operation ${truncate(operation)} on ${resourceType}`);
  }
  return {
    kind: 'request',
    resourceType,
    operation,
    namespace: parsed.namespace,
    ...(parsed.name === undefined ? {} : { name: parsed.name }),
    resource: parsed.path,
  };
}

function unsupported(reason: UnsupportedReason, detail: string): UpstreamKind {
  return { kind: 'unsupported', reason, detail };
}

// Edge-chosen strings go into `detail` (logged by the hub); keep them short.
function truncate(value: string): string {
  return value.length <= 64 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 64))}…`;
}
