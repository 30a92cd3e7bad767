/**
 * The upstream requests a real EdgeCore's edged sends through metamanager (kubeedge-wire.md §2.4, §4.9,
 * §8; `kubeedge/kubeedge` v1.23.1 `edge/pkg/metamanager/client/*.go`): source `edged`, group `meta`, wire
 * resource `<ns>/<type>[/<name>]`, and the readers of the cloud's replies (`ObjectResp`, Status errors).
 * Pure: the message id and the time come in as a {@link MessageStamp}.
 * @module
 */
import { buildResource, groups, nullNamespace, sources } from '../protocol/index.js';
import type { Message, MessageStamp } from '../protocol/index.js';
import { nodeLeaseNamespace } from './node-status.js';

/** The operations edged uses upstream. */
export type EdgeOperation = 'insert' | 'update' | 'delete' | 'query' | 'patch';

function edged(
  stamp: MessageStamp,
  operation: EdgeOperation,
  ref: { namespace: string | null; resourceType: string; name: string },
  content: unknown,
): Message {
  return {
    header: { msg_id: stamp.id, timestamp: stamp.now },
    route: {
      source: sources.edged,
      group: groups.meta,
      operation,
      resource: buildResource(ref),
    },
    content,
  };
}

/** `insert null/node/<n>` with the Node (§4.5); answered by an ObjectResp the edge stores and ACKs. */
export function nodeInsert(stamp: MessageStamp, nodeName: string, node: unknown): Message {
  return edged(stamp, 'insert', { namespace: null, resourceType: 'node', name: nodeName }, node);
}

/** `patch null/nodepatch/<n>` with a strategic-merge patch string; reply not ACKed (§8). */
export function nodePatch(stamp: MessageStamp, nodeName: string, patch: string): Message {
  return edged(stamp, 'patch', { namespace: null, resourceType: 'nodepatch', name: nodeName }, patch);
}

/** `query kube-node-lease/lease/<n>` (content null); answered by an ObjectResp, `Object:null` on 404. */
export function leaseQuery(stamp: MessageStamp, nodeName: string): Message {
  return edged(
    stamp,
    'query',
    { namespace: nodeLeaseNamespace, resourceType: 'lease', name: nodeName },
    null,
  );
}

/** `insert` (create) or `update` (renew) of `kube-node-lease/lease/<n>` with the Lease. */
export function leaseWrite(
  stamp: MessageStamp,
  operation: 'insert' | 'update',
  nodeName: string,
  lease: unknown,
): Message {
  return edged(
    stamp,
    operation,
    { namespace: nodeLeaseNamespace, resourceType: 'lease', name: nodeName },
    lease,
  );
}

/** `patch <ns>/podpatch/<name>` with the status patch string (§4.7); reply not ACKed. */
export function podPatch(stamp: MessageStamp, namespace: string, name: string, patch: string): Message {
  return edged(stamp, 'patch', { namespace, resourceType: 'podpatch', name }, patch);
}

/**
 * The kubelet status manager's final delete (`pkg/kubelet/status/status_manager.go` deletePod): grace
 * period 0 with a UID precondition, so a re-created pod of the same name survives.
 */
export function deleteOptions(uid: string): Record<string, unknown> {
  return { gracePeriodSeconds: 0, preconditions: { uid } };
}

/** `delete <ns>/pod/<name>` with DeleteOptions content (§4.9); the cloud answers `"OK"`. */
export function podDelete(stamp: MessageStamp, namespace: string, name: string, uid: string): Message {
  return edged(stamp, 'delete', { namespace, resourceType: 'pod', name }, deleteOptions(uid));
}

/** `query <ns>/configmap/<name>` or `<ns>/secret/<name>` (content null, §4.8). */
export function objectQuery(
  stamp: MessageStamp,
  kind: 'configmap' | 'secret',
  namespace: string,
  name: string,
): Message {
  return edged(stamp, 'query', { namespace, resourceType: kind, name }, null);
}

/** What {@link tokenRequest} binds the token to. */
export interface TokenRequestOptions {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly podName: string;
  readonly podUid: string;
}

/** The `authentication.k8s.io/v1` TokenRequest the kubelet's token manager sends, bound to the pod. */
export function tokenRequest(options: TokenRequestOptions): Record<string, unknown> {
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name: options.serviceAccountName, namespace: options.namespace },
    spec: {
      audiences: [...options.audiences],
      expirationSeconds: options.expirationSeconds,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: options.podName, uid: options.podUid },
    },
  };
}

/** `query <ns>/serviceaccounttoken/<sa>` with the TokenRequest (§4.9); the reply echoes the spec (O8). */
export function serviceAccountTokenQuery(stamp: MessageStamp, options: TokenRequestOptions): Message {
  return edged(
    stamp,
    'query',
    { namespace: options.namespace, resourceType: 'serviceaccounttoken', name: options.serviceAccountName },
    tokenRequest(options),
  );
}

/** The object an event is about. */
export interface EventSubject {
  readonly kind: 'Pod' | 'Node';
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly fieldPath?: string;
}

/** What {@link podEvent} needs. */
export interface EventOptions {
  readonly nodeName: string;
  readonly subject: EventSubject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly now: number;
}

/**
 * A kubelet core/v1 Event (`client-go/tools/record` makeEvent): named `<object>.<unix nanos in hex>`,
 * source `kubelet` on the node, count 1. Namespace is the object's, or `default` for the Node.
 */
export function kubeletEvent(options: EventOptions): Record<string, unknown> {
  const namespace = options.subject.namespace ?? 'default';
  const time = new Date(options.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    metadata: {
      name: `${options.subject.name}.${(BigInt(options.now) * 1_000_000n).toString(16)}`,
      namespace,
    },
    involvedObject: { apiVersion: 'v1', ...options.subject },
    reason: options.reason,
    message: options.message,
    source: { component: 'kubelet', host: options.nodeName },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: options.type,
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: options.nodeName,
  };
}

/** `insert <ns>/event/<name>` with the Event; the cloud sends no reply (§4.2). */
export function eventInsert(stamp: MessageStamp, event: Record<string, unknown>): Message {
  const metadata = event.metadata as { name: string; namespace?: string };
  return edged(
    stamp,
    'insert',
    { namespace: metadata.namespace ?? nullNamespace, resourceType: 'event', name: metadata.name },
    event,
  );
}

/** A Status error read from a reply: its reason and code. */
export interface ReplyError {
  readonly reason: string;
  readonly code: number;
  readonly message: string;
}

/** A decoded reply: the object on success, the error otherwise. */
export type ReplyOutcome =
  | { readonly ok: true; readonly object: Record<string, unknown> | null }
  | { readonly ok: false; readonly error: ReplyError };

/**
 * Reads a cloud reply's content the way the edge's metaclient does (§4.3, errata O3, U5): an
 * `{"Object","Err"}` ObjectResp (an `Err` that is null or an all-empty map means success), a bare
 * `{"ErrStatus":…}`, the `"OK"` string, an error string (operation `error` or a plain error text), or a
 * bare object (query replies).
 */
export function readReply(reply: Message): ReplyOutcome {
  const content = reply.content;
  if (reply.route.operation === 'error') return failure(content);
  if (typeof content === 'string') return content === 'OK' ? { ok: true, object: null } : failure(content);
  if (!isObject(content)) return { ok: true, object: null };
  if ('Object' in content && 'Err' in content) {
    const err = content.Err;
    if (err !== null && isObject(err) && Object.keys(err).length > 0) return failure(err);
    return { ok: true, object: isObject(content.Object) ? content.Object : null };
  }
  if ('ErrStatus' in content) return failure(content);
  return { ok: true, object: content };
}

function failure(content: unknown): ReplyOutcome {
  if (typeof content === 'string') return { ok: false, error: { reason: '', code: 0, message: content } };
  const status = isObject(content) && isObject(content.ErrStatus) ? content.ErrStatus : {};
  return {
    ok: false,
    error: {
      reason: typeof status.reason === 'string' ? status.reason : '',
      code: typeof status.code === 'number' ? status.code : 0,
      message: typeof status.message === 'string' ? status.message : '',
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
