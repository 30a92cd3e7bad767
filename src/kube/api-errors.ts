/**
 * The one place that interprets Kubernetes API failures (STYLE.md B6, rule 26). Every API call site
 * passes what it caught through {@link toApiError} and acts on the returned `action`:
 *
 * | status                  | action     |
 * |-------------------------|------------|
 * | 404                     | `absorb`   |
 * | 409                     | `reread`   |
 * | 410 on a watch or list  | `relist`   |
 * | 429, 5xx, network error | `retry`    |
 * | 401                     | `retry` (credentials may be rotated under us; counted and logged) |
 * | 400, 403, 422, other 4xx| `terminal` |
 * @module
 */
import { EdgeControllerError, TerminalError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

/** What the caller should do about a failed API call. */
export type ApiErrorAction = 'absorb' | 'reread' | 'relist' | 'retry' | 'terminal';

/** The `Status` object the API server returns with an error, as far as we read it. */
export interface ApiStatus {
  readonly reason?: string;
  readonly message?: string;
  readonly code?: number;
}

/** A classified API failure. `status` is 0 for network failures that got no HTTP response. */
export interface ApiErrorDetails {
  readonly status: number;
  readonly reason: string;
  readonly action: ApiErrorAction;
  /** Server-suggested wait before retrying (`Retry-After`), if any. */
  readonly retryAfterMs?: number;
}

/** Decides the action for an HTTP status. Pure; exported for table tests. */
export function actionForStatus(status: number): ApiErrorAction {
  if (status === 404) return 'absorb';
  if (status === 409) return 'reread';
  if (status === 410) return 'relist';
  if (status === 0 || status === 401 || status === 429 || status >= 500) return 'retry';
  return 'terminal';
}

function codeForStatus(status: number): ErrorCode {
  switch (actionForStatus(status)) {
    case 'absorb':
      return 'EC_KUBE_NOT_FOUND';
    case 'reread':
      return 'EC_KUBE_CONFLICT';
    case 'relist':
      return 'EC_KUBE_GONE';
    case 'retry':
      return status === 401 ? 'EC_KUBE_UNAUTHORIZED' : 'EC_KUBE_UNAVAILABLE';
    case 'terminal':
      return 'EC_KUBE_REJECTED';
  }
}

/** A retryable (or absorbable) API failure. */
export class ApiError extends EdgeControllerError implements ApiErrorDetails {
  readonly status: number;
  readonly reason: string;
  readonly action: ApiErrorAction;
  readonly retryAfterMs?: number;

  constructor(details: ApiErrorDetails, message: string, cause: unknown) {
    super(codeForStatus(details.status), message, { cause });
    this.status = details.status;
    this.reason = details.reason;
    this.action = details.action;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** An API failure that retrying cannot fix (400, 403, 422, ...). */
export class TerminalApiError extends TerminalError implements ApiErrorDetails {
  readonly status: number;
  readonly reason: string;
  readonly action = 'terminal' as const;
  readonly retryAfterMs?: never;

  constructor(details: ApiErrorDetails, message: string, cause: unknown) {
    super(codeForStatus(details.status), message, { cause });
    this.status = details.status;
    this.reason = details.reason;
  }
}

/** What one failed call was, for the error message. */
export interface ApiCallContext {
  readonly verb: string;
  readonly resource: string;
}

/**
 * Classifies anything an API call threw: client-node's `ApiException` (HTTP status + Status body), a
 * response we made ourselves ({@link httpFailure}), or a network error with no response at all.
 */
export function toApiError(err: unknown, call: ApiCallContext): ApiError | TerminalApiError {
  if (err instanceof ApiError || err instanceof TerminalApiError) return err;
  const status = statusOf(err);
  const body = statusBodyOf(err);
  const reason = body.reason ?? (status === 0 ? networkReason(err) : `HTTP ${status}`);
  const retryAfterMs = retryAfterOf(err);
  const details: ApiErrorDetails = {
    status,
    reason,
    action: actionForStatus(status),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  const text = body.message ?? (err instanceof Error ? err.message : String(err));
  const message = `${call.verb} ${call.resource}: ${status === 0 ? 'no response' : String(status)} ${reason}: ${text}`;
  return details.action === 'terminal'
    ? new TerminalApiError(details, message, err)
    : new ApiError(details, message, err);
}

/** Makes a throwable carrying an HTTP status and body, for raw requests that did get a response. */
export function httpFailure(status: number, body: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`HTTP ${status}`), { code: status, body, headers });
}

function statusOf(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code < 600) return code;
    const statusCode = (err as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return 0;
}

function statusBodyOf(err: unknown): ApiStatus {
  if (typeof err !== 'object' || err === null) return {};
  const body = (err as { body?: unknown }).body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { reason, message, code } = parsed as Record<string, unknown>;
  return {
    ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof code === 'number' ? { code } : {}),
  };
}

function retryAfterOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const headers = (err as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)['retry-after'];
  const seconds = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'NetworkError';
}
