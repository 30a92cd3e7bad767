/**
 * What an API call gave back, as the worker reports it to a decision's continuation: the object, or a
 * failure with the HTTP status code, the Status `reason` and `message`. Also the failures the upstream
 * makes itself (a cache miss, a rejected request), built exactly as the API server would, because the
 * kubelet on the edge branches on `reason` and `code` (errata O3).
 *
 * Source: kubeedge-wire.md §4.3; `k8s.io/apimachinery/pkg/api/errors/errors.go` (NewNotFound,
 * NewForbidden, NewBadRequest, NewMethodNotSupported).
 * @module
 */
import type { KubeResource } from './api-call.js';
import { kubeResources } from './api-call.js';

/** `metav1.StatusDetails`, as far as we fill it. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource, as the API server writes it here (`pods`, `leases`). */
  readonly kind?: string;
}

/**
 * A failed call. `code` is the HTTP status (0 for a network failure with no response), `reason` the
 * Status reason (`NotFound`, `AlreadyExists`, `Conflict`, …), `message` the Status message. The worker
 * fills these from `kube/`'s classified `ApiError` (`status`, `reason`) and the API's Status body.
 */
export interface ApiFailure {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: StatusDetails;
}

/** The outcome of one API call (`ApiCall`): the returned JSON or a failure. */
export type ApiOutcome =
  { readonly ok: true; readonly object: unknown } | { readonly ok: false; readonly failure: ApiFailure };

/** A successful outcome (for tests and for a worker serving a read from an informer store). */
export function succeeded(object: unknown): ApiOutcome {
  return { ok: true, object };
}

/** A failed outcome. */
export function failed(failure: ApiFailure): ApiOutcome {
  return { ok: false, failure };
}

/** `details` for an object of `resource`. */
export function detailsOf(resource: KubeResource, name: string): StatusDetails {
  const { group } = kubeResources[resource];
  return group === '' ? { name, kind: resource } : { name, group, kind: resource };
}

/** `<resource>[.<group>]`, as the API server names a resource in messages. */
export function qualifiedResource(resource: KubeResource): string {
  const { group } = kubeResources[resource];
  return group === '' ? resource : `${resource}.${group}`;
}

/**
 * The API server's NotFound for `resource`/`name`: code 404, reason `NotFound`, message
 * `pods "x" not found`. A worker serving a `get` from an informer store reports a miss with this.
 */
export function notFoundFailure(resource: KubeResource, name: string): ApiFailure {
  return {
    code: 404,
    reason: 'NotFound',
    message: `${qualifiedResource(resource)} ${JSON.stringify(name)} not found`,
    details: detailsOf(resource, name),
  };
}

/** A Forbidden (403) for `resource`/`name`, with the authorizer's reason in the message. */
export function forbiddenFailure(resource: KubeResource, name: string, reason: string): ApiFailure {
  return {
    code: 403,
    reason: 'Forbidden',
    message: `${qualifiedResource(resource)} ${JSON.stringify(name)} is forbidden: ${reason}`,
    details: detailsOf(resource, name),
  };
}

/** A BadRequest (400): the request content or resource was not usable. */
export function badRequestFailure(message: string): ApiFailure {
  return { code: 400, reason: 'BadRequest', message };
}

/** A MethodNotAllowed (405): an operation the resource type does not serve upstream. */
export function methodNotAllowedFailure(operation: string, resourceType: string): ApiFailure {
  return {
    code: 405,
    reason: 'MethodNotAllowed',
    message: `operation ${JSON.stringify(operation)} is not supported on ${resourceType}`,
  };
}

/** Whether the failure is the API's NotFound. */
export function isNotFound(failure: ApiFailure): boolean {
  return failure.code === 404;
}

/** Whether the failure is a 409 Conflict (a stale resourceVersion, or a failed precondition). */
export function isConflict(failure: ApiFailure): boolean {
  return failure.code === 409 && failure.reason !== 'AlreadyExists';
}

/**
 * Whether a delete failed only because the object was re-created under another UID (a UID precondition
 * failed). KubeEdge's `deletePod` recognizes it by this message text and counts it as success.
 */
export function isRecreatedConflict(failure: ApiFailure): boolean {
  return (
    failure.code === 409 && failure.message.includes('The object might have been deleted and then recreated')
  );
}
