/**
 * What an upstream handler decides, as data the worker carries out (STYLE.md rule 6). A handler turns a
 * request into a {@link Decision}; the worker runs it:
 *
 * ```ts
 * let decision = decideUpstream(input, context);
 * for (;;) {
 *   if (decision.action === 'fan-out') { for (const part of decision.decisions) await run(part); break; }
 *   for (const emission of decision.emit) send(emissionToMessage(request, emission, stamp()));
 *   if (decision.action !== 'call') break; // done | forbid | invalid: count decision.action/reason
 *   const outcome = await execute(decision.call); // API, or an informer store for servedFromCache gets
 *   decision = decision.next(outcome, clock.now());
 * }
 * ```
 *
 * Emissions are sent BEFORE the call they ride on (legacy `podstatus` replies "OK" and then deletes a
 * terminated pod, spec §4.4). `next` is pure: it reads only the outcome, the time and what the handler
 * captured, which includes the node graph: a `podpatch` asks it again whether the pod is still bound, as
 * the pod's delete may have been queued while the call ran (issue 11). The worker emits what `next`
 * returns in the same turn, so such a check holds until the reply is queued. A worker may retry a retryable failure (429, 5xx, network) before calling `next`; `next` must
 * get the final outcome.
 * @module
 */
import type { Message, MessageStamp, PushOperation, ResourcePath } from '../protocol/index.js';
import { newPush, newResponse } from '../protocol/index.js';
import type { ApiCall } from './api-call.js';
import type { ApiFailure, ApiOutcome } from './api-outcome.js';
import type { ForbidReason } from './authorize.js';
import { errStatusContent, objectRespContent } from './replies.js';

/**
 * How a request type answers (spec §4.2, §4.3):
 * - `ok`: `"OK"` on success, `{"ErrStatus"}` on failure (podstatus, pod delete, node update);
 * - `object`: the bare object (RV in the header) or `{"ErrStatus"}` (the node query, answered on the
 *   edge from its own store);
 * - `stored-object`: the bare object (RV in the header) or `{"Object":null,"Err"}` (the queries the edge
 *   answers remotely and stores: configmap, secret, PV, PVC, VolumeAttachment, CSR, serviceaccounttoken).
 *   KubeEdge answers their failures with `{"ErrStatus"}`, which the edge stores under the object's key as
 *   if it were the object (`processRemote`), and its configmap and secret clients read their store before
 *   asking: one NotFound, Forbidden or 503 then reads as an empty object until the object changes, and
 *   the row outlives it. The edge skips storing an `ObjectResp` whose `Err` is set, and its clients decode
 *   both failure shapes into the same empty object, so only the stored row differs;
 * - `object-resp`: `{"Object","Err"}` (podpatch, nodepatch, node/pod/CSR insert, lease);
 * - `text`: `"OK"` or the error as a plain string (legacy nodestatus insert, `nodeMsgResponse`);
 * - `none`: no reply at all (events: the edge sends and forgets).
 */
export type ReplyShape = 'ok' | 'object' | 'stored-object' | 'object-resp' | 'text' | 'none';

/** Something to send to the requesting node. */
export type Emission =
  | {
      /** A reply to the request: operation `response`, parent id = the request's id. */
      readonly kind: 'reply';
      readonly content: unknown;
      /** For `header.resourceversion`. */
      readonly resourceVersion?: string;
      /** A reply resource other than the request's (legacy nodestatus answers on `<ns>/node/<name>`). */
      readonly resource?: ResourcePath;
    }
  | {
      /** A push to the node, e.g. the `delete` of a pod the cloud no longer has (spec §4.4 step 1). */
      readonly kind: 'push';
      readonly operation: PushOperation;
      readonly resource: ResourcePath;
      readonly content: unknown;
      readonly resourceVersion?: string;
    };

/** Why a request was not acted on because of what it contained. Closed: a metric label. */
export type InvalidReason =
  /** The content does not decode into what the type expects, or contradicts the resource. */
  | 'malformed-content'
  /** The resource lacks a name or namespace the type needs. */
  | 'bad-resource'
  /** The type does not serve this operation upstream. */
  | 'unsupported-operation'
  /** A list form carries more entries than allowed (legacy `podstatus`). */
  | 'list-too-long';

/**
 * A handler's decision. Terminal kinds (`done`, `forbid`, `invalid`) carry their last emissions; `call`
 * asks for one API call and says how to go on; `fan-out` is a list form (`<ns>/podstatus`) whose parts
 * run one after another, each with its own result, as KubeEdge answers each element separately.
 */
export type Decision =
  | {
      readonly action: 'call';
      readonly call: ApiCall;
      readonly emit: readonly Emission[];
      readonly next: (outcome: ApiOutcome, now: number) => Decision;
    }
  | { readonly action: 'fan-out'; readonly decisions: readonly Decision[] }
  | {
      readonly action: 'done';
      /** `ok`, or `api-error` when the last call failed (the failure was answered if the type answers). */
      readonly result: 'ok' | 'api-error';
      readonly emit: readonly Emission[];
      readonly failure?: ApiFailure;
    }
  | {
      readonly action: 'forbid';
      readonly reason: ForbidReason;
      readonly message: string;
      readonly emit: readonly Emission[];
    }
  | {
      readonly action: 'invalid';
      readonly reason: InvalidReason;
      readonly message: string;
      readonly emit: readonly Emission[];
    };

/** A reply emission. */
export function reply(
  content: unknown,
  options: { resourceVersion?: string | undefined; resource?: ResourcePath } = {},
): Emission {
  return {
    kind: 'reply',
    content,
    ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  };
}

/** The emissions that answer `failure` in `shape`, on `resource` when given. */
export function failureEmissions(
  shape: ReplyShape,
  failure: ApiFailure,
  resource?: ResourcePath,
): readonly Emission[] {
  const options = resource === undefined ? {} : { resource };
  switch (shape) {
    case 'ok':
    case 'object':
      return [reply(errStatusContent(failure), options)];
    case 'stored-object':
    case 'object-resp':
      return [reply(objectRespContent(null, failure), options)];
    case 'text':
      return [reply(failure.message, options)];
    case 'none':
      return [];
  }
}

/** Ask for `call`; continue with `next`. `emit` goes out first. */
export function callApi(
  call: ApiCall,
  next: (outcome: ApiOutcome, now: number) => Decision,
  emit: readonly Emission[] = [],
): Decision {
  return { action: 'call', call, emit, next };
}

/** Finished successfully. */
export function done(emit: readonly Emission[]): Decision {
  return { action: 'done', result: 'ok', emit };
}

/** Finished with an API failure, answered in `shape`. */
export function apiError(shape: ReplyShape, failure: ApiFailure, resource?: ResourcePath): Decision {
  return { action: 'done', result: 'api-error', emit: failureEmissions(shape, failure, resource), failure };
}

/** Rejected by authorization; `failure` (a 403) is answered in `shape`. */
export function forbid(
  reason: ForbidReason,
  failure: ApiFailure,
  shape: ReplyShape,
  resource?: ResourcePath,
): Decision {
  return {
    action: 'forbid',
    reason,
    message: failure.message,
    emit: failureEmissions(shape, failure, resource),
  };
}

/** Rejected for its content or resource; `failure` (400/405) is answered in `shape`. */
export function invalid(
  reason: InvalidReason,
  failure: ApiFailure,
  shape: ReplyShape,
  resource?: ResourcePath,
): Decision {
  return {
    action: 'invalid',
    reason,
    message: failure.message,
    emit: failureEmissions(shape, failure, resource),
  };
}

/**
 * The message that carries `emission` to the node that sent `request`: a reply via protocol's
 * `newResponse` (operation `response`, group `resource`, source `edgecontroller`, parent id = request id),
 * or a push via `newPush`. `stamp` gives the new message's id and time.
 */
export function emissionToMessage(request: Message, emission: Emission, stamp: MessageStamp): Message {
  switch (emission.kind) {
    case 'reply':
      return newResponse(request, emission.content, {
        ...stamp,
        ...(emission.resourceVersion === undefined ? {} : { resourceVersion: emission.resourceVersion }),
        ...(emission.resource === undefined ? {} : { resource: emission.resource }),
      });
    case 'push':
      return newPush({
        ...stamp,
        resource: emission.resource,
        operation: emission.operation,
        content: emission.content,
        ...(emission.resourceVersion === undefined ? {} : { resourceVersion: emission.resourceVersion }),
      });
  }
}
