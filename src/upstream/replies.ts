/**
 * The exact reply contents of KubeEdge's upstream controller (spec §4.3 with the errata), one builder per
 * shape:
 * - `"OK"`: the success string;
 * - a bare object with `apiVersion`/`kind` set, its resourceVersion going to `header.resourceversion`;
 * - `{"Object": obj|null, "Err": null|{"ErrStatus": Status}}`: Go's `ObjectResp`, capitalized keys
 *   because the struct has no JSON tags;
 * - `{"ErrStatus": Status}`: a serialized `*errors.StatusError`;
 * - the TokenRequest reply, whose `spec` echoes the request's (errata O8).
 *
 * The message around the content (operation `response`, group `resource`, parent id) is built by
 * protocol's `newResponse` (decision.ts `emissionToMessage`).
 *
 * Source: kubeedge-wire.md §4.3, §4.10, errata O2, O3, O8, U5; `kubeedge/kubeedge` v1.23.1
 * `common/types/types.go` ObjectResp, `cloud/pkg/edgecontroller/controller/upstream.go`.
 * @module
 */
import type { KubeResource } from './api-call.js';
import { withTypeMeta } from './api-call.js';
import type { ApiFailure, StatusDetails } from './api-outcome.js';
import type { JsonObject } from './content.js';
import { isJsonObject } from './content.js';

/** The success content (`constants.MessageSuccessfulContent`). */
export const okContent = 'OK';

/** A `metav1.Status` describing a failure, as the API server serializes it. */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Readonly<Record<string, never>>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** A serialized Go `*errors.StatusError`. */
export interface ErrStatusContent {
  readonly ErrStatus: Status;
}

/** Go's `ObjectResp` (no JSON tags, so the keys are capitalized). */
export interface ObjectRespContent {
  readonly Object: JsonObject | null;
  readonly Err: ErrStatusContent | null;
}

// The reasons `k8s.io/apimachinery` pairs with these codes (`errors.go` NewGenericServerResponse).
const reasonsByCode: Readonly<Record<number, string>> = Object.freeze({
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
});

/**
 * The `metav1.Status` for a failure. A code outside 100–599 (a network failure, code 0) becomes 503
 * `ServiceUnavailable`, so the edge sees a retryable server error. A reason that is not a Status reason
 * word (such as kube/'s `HTTP 500` or `ECONNREFUSED` fallbacks) is replaced by the reason for the code.
 */
export function statusOf(failure: ApiFailure): Status {
  const hasCode = Number.isInteger(failure.code) && failure.code >= 100 && failure.code < 600;
  const code = hasCode ? failure.code : 503;
  const reason =
    hasCode && /^[A-Z][A-Za-z]*$/.test(failure.reason) ? failure.reason : (reasonsByCode[code] ?? '');
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: failure.message,
    reason,
    ...(failure.details === undefined ? {} : { details: failure.details }),
    code,
  };
}

/** `{"ErrStatus": Status}`: the error reply of queries, `podstatus` and pod delete. */
export function errStatusContent(failure: ApiFailure): ErrStatusContent {
  return { ErrStatus: statusOf(failure) };
}

/**
 * `{"Object": …, "Err": …}`. On success pass the full object: the edge stores it and dereferences it
 * (errata O2), so a success must never carry `null`. On failure `Object` is `null` (the edge skips
 * storing whenever `Err` is set), as for the lease query's NotFound that §4.10 requires.
 */
export function objectRespContent(object: JsonObject, failure?: undefined): ObjectRespContent;
export function objectRespContent(object: null, failure: ApiFailure): ObjectRespContent;
export function objectRespContent(object: JsonObject | null, failure?: ApiFailure): ObjectRespContent {
  return { Object: object, Err: failure === undefined ? null : errStatusContent(failure) };
}

/**
 * The `Object` KubeEdge puts in a failed pod ObjectResp: the empty Pod its typed client returns with the
 * error (`&v1.Pod{}` as Go serializes it), since `patchPod`/`createPod` send `ObjectResp{Object:
 * updatedPod, Err: err}` whatever happened (kubeedge/kubeedge v1.23.1
 * `cloud/pkg/edgecontroller/controller/upstream.go`). Not the pod, so the edge cannot store it, and not
 * `null`, so no edge code path can dereference nothing (errata O2).
 */
export const emptyPodObject: JsonObject = Object.freeze({
  metadata: Object.freeze({ creationTimestamp: null }),
  spec: Object.freeze({ containers: null }),
  status: Object.freeze({}),
});

/**
 * `{"Object": <empty Pod>, "Err": {"ErrStatus"}}`: the reply to a pod request whose API call failed, or
 * whose pod is gone for the node (its delete is queued there). The edge stores the Object of a podpatch
 * reply as its pod row only when `Err` is empty (`edge/pkg/metamanager/client/pod.go` handlePodResp), so
 * this reply never re-creates a deleted pod at the edge (issue 11).
 */
export function failedPodRespContent(failure: ApiFailure): ObjectRespContent {
  return { Object: emptyPodObject, Err: errStatusContent(failure) };
}

/** A reply content plus the resourceVersion for `header.resourceversion`, if any. */
export interface ObjectReply {
  readonly content: JsonObject;
  readonly resourceVersion?: string;
}

/**
 * A returned object as reply content: `apiVersion`/`kind` set for `resource`, and its
 * `metadata.resourceVersion` for the header (spec §4.3 `queryInner`). A value that is not an object (an
 * API response without a body) becomes `{}` with type meta, which the edge can still decode.
 */
export function objectReply(resource: KubeResource, object: unknown): ObjectReply {
  const content = withTypeMeta(resource, isJsonObject(object) ? object : {});
  const resourceVersion = resourceVersionOf(content);
  return resourceVersion === undefined ? { content } : { content, resourceVersion };
}

/** `metadata.resourceVersion` of an object, or `undefined` when absent or empty. */
export function resourceVersionOf(object: unknown): string | undefined {
  if (!isJsonObject(object) || !isJsonObject(object.metadata)) return undefined;
  const value = object.metadata.resourceVersion;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The reply to a `serviceaccounttoken` query: the TokenRequest the API returned, with
 * `authentication.k8s.io/v1`/`TokenRequest` set and `spec` replaced by the request's. The edge stores the
 * token under a key computed from the reply's `spec` (audiences, expirationSeconds, boundObjectRef) and
 * looks it up with the key of its own request, so any field the API server defaulted or changed there
 * would make every later lookup miss (errata O8, `edge/pkg/metamanager/client/serviceaccount.go` KeyFunc).
 */
export function tokenRequestContent(returned: unknown, requestSpec: JsonObject): JsonObject {
  const base = isJsonObject(returned) ? returned : {};
  return { ...base, apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: requestSpec };
}
