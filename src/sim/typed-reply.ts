/**
 * How the edge's metaclient reads the cloud's reply to a node, pod or lease request: it decodes the
 * content with Go's `encoding/json` into `NodeResp`, `PodResp` or `LeaseResp`, all
 * `{ Object *T; Err apierrors.StatusError }` (`kubeedge/kubeedge` v1.23.1
 * `edge/pkg/metamanager/client/node.go`, `pod.go`, `lease.go`), and treats an `Err` equal to the zero
 * `StatusError` as success. So a bare `{"ErrStatus":…}` (no `Object`/`Err` keys) is success with no
 * object, which the lease controller takes as "no lease and no error" and a node or pod reply as a nil
 * object it dereferences (errata O2, O3, §4.10). And the kubelet decisions that hang on such replies
 * (component-helpers v1.32 `apimachinery/lease/controller.go`, apimachinery `api/errors`). Pure.
 * @module
 */
import type { Message } from '../protocol/index.js';
import type { ReplyError } from './edge-messages.js';

/** A reply as the edge's typed decode sees it. */
export type TypedReply =
  /** `Err` is zero and `Object` is an object. */
  | { readonly kind: 'object'; readonly object: Record<string, unknown> }
  /** `Err` is zero and `Object` is null or absent (also a bare Status, `null`, `{}`). */
  | { readonly kind: 'no-object' }
  /** `Err` is a non-zero Status. */
  | { readonly kind: 'error'; readonly error: ReplyError }
  /** Not JSON of that struct (a plain string such as `"OK"`, an array, a mistyped field): a Go error. */
  | { readonly kind: 'undecodable'; readonly message: string };

/**
 * Decodes `reply.content` the way `json.Unmarshal(resp.GetContentData(), &XxxResp)` does: a string
 * content is taken as raw JSON text, keys match case-insensitively, unknown keys are ignored.
 */
export function decodeTypedReply(reply: Message): TypedReply {
  let content = reply.content;
  if (typeof content === 'string') {
    try {
      content = JSON.parse(content) as unknown;
    } catch {
      return { kind: 'undecodable', message: reply.content as string };
    }
  }
  if (content === null || content === undefined) return { kind: 'no-object' };
  if (!isObject(content)) return { kind: 'undecodable', message: 'content is not a JSON object' };
  const object = field(content, 'Object');
  const err = field(content, 'Err');
  if (object !== null && object !== undefined && !isObject(object)) {
    return { kind: 'undecodable', message: 'Object is not a JSON object' };
  }
  if (err !== null && err !== undefined) {
    if (!isObject(err)) return { kind: 'undecodable', message: 'Err is not a JSON object' };
    const status = field(err, 'ErrStatus');
    if (status !== null && status !== undefined) {
      if (!isObject(status)) return { kind: 'undecodable', message: 'Err.ErrStatus is not a JSON object' };
      if (!isZeroStatus(status)) return { kind: 'error', error: replyError(status) };
    }
  }
  return isObject(object) ? { kind: 'object', object } : { kind: 'no-object' };
}

// Status reasons apimachinery knows (`api/errors/errors.go` knownReasons; "" is not among them).
const knownReasons: ReadonlySet<string> = new Set([
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'StoreReadError',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
]);

/** `apierrors.IsNotFound`: reason `NotFound`, or code 404 with a reason apimachinery does not know. */
export function isNotFound(error: ReplyError): boolean {
  return error.reason === 'NotFound' || (!knownReasons.has(error.reason) && error.code === 404);
}

/** `apierrors.IsConflict`: reason `Conflict`, or code 409 with a reason apimachinery does not know. */
export function isConflict(error: ReplyError): boolean {
  return error.reason === 'Conflict' || (!knownReasons.has(error.reason) && error.code === 409);
}

/** `apierrors.IsAlreadyExists`: the reason only. */
export function isAlreadyExists(error: ReplyError): boolean {
  return error.reason === 'AlreadyExists';
}

/**
 * What the kubelet's node lease controller does after its GET (`ensureLease`, then `sync`):
 * - `update`: the lease exists; update it now with `base` as the previous lease;
 * - `create`: NotFound; create it;
 * - `wait`: no lease and no error (a `no-object` reply); nothing until the next period, which GETs again;
 * - `retry`: any other error; KubeEdge retries the GET with backoff, the simulator at the next period.
 */
export type LeaseQueryStep =
  | { readonly kind: 'update'; readonly base: Record<string, unknown> }
  | { readonly kind: 'create' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'retry'; readonly message: string };

/** Decides the lease controller's next step from the reply to its lease query. */
export function afterLeaseQuery(reply: TypedReply): LeaseQueryStep {
  switch (reply.kind) {
    case 'object':
      return { kind: 'update', base: reply.object };
    case 'no-object':
      return { kind: 'wait' };
    case 'error':
      return isNotFound(reply.error) ? { kind: 'create' } : { kind: 'retry', message: reply.error.message };
    case 'undecodable':
      return { kind: 'retry', message: reply.message };
    default: {
      const unreachable: never = reply;
      return unreachable;
    }
  }
}

/**
 * The lease the controller holds after a create or update reply (`latestLease`), and the error if any.
 * A success without an object leaves none (next period GETs again). A Conflict drops the held lease so
 * that the next period GETs the newer one; another error keeps it to retry the update.
 */
export function afterLeaseWrite(
  reply: TypedReply,
  held: Record<string, unknown> | undefined,
): { readonly lease: Record<string, unknown> | undefined; readonly error?: string } {
  switch (reply.kind) {
    case 'object':
      return { lease: reply.object };
    case 'no-object':
      return { lease: undefined };
    case 'error':
      return { lease: isConflict(reply.error) ? undefined : held, error: reply.error.message };
    case 'undecodable':
      return { lease: held, error: reply.message };
    default: {
      const unreachable: never = reply;
      return unreachable;
    }
  }
}

// A Status equal to Go's zero value: every field empty (TypeMeta, ListMeta, status, message, reason,
// details, code).
function isZeroStatus(status: Record<string, unknown>): boolean {
  return Object.entries(status).every(([key, value]) => {
    if (value === null || value === undefined || value === '' || value === 0) return true;
    if (key.toLowerCase() === 'metadata' && isObject(value)) {
      return Object.values(value).every((v) => v === null || v === undefined || v === '');
    }
    return false;
  });
}

function replyError(status: Record<string, unknown>): ReplyError {
  const reason = field(status, 'reason');
  const code = field(status, 'code');
  const message = field(status, 'message');
  return {
    reason: typeof reason === 'string' ? reason : '',
    code: typeof code === 'number' ? code : 0,
    message: typeof message === 'string' ? message : '',
  };
}

// encoding/json: an exact key match wins, else the first case-insensitive one.
function field(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
