/**
 * What the upstream worker reports to a decision when an API call threw: the {@link ApiFailure} (code,
 * reason, the API server's own Status message and details) and whether retrying may help. The status and
 * the action come from `kube/api-errors.ts`, the one place that classifies API failures (STYLE.md rule
 * 26); this file only reads them, plus the Status body the error keeps as its cause, because the edge's
 * kubelet branches on `reason` and `code` and shows the message (errata O3). Pure.
 * @module
 */
import type { ApiErrorDetails } from '../kube/index.js';
import type { ApiFailure, StatusDetails } from './api-outcome.js';

/** A thrown API error, read. */
export interface ReadFailure {
  readonly failure: ApiFailure;
  /** `kube/` classified it `retry` (429, 5xx, 401, no response). */
  readonly isRetryable: boolean;
  /** The server's `Retry-After`, if any. */
  readonly retryAfterMs?: number;
  /** `false` when the error was not a classified API error at all (a bug or an unexpected throw). */
  readonly isApiError: boolean;
}

/** Reads anything `KubeClient.request` threw. Total: an unknown throw becomes a 500 InternalError. */
export function apiFailureOf(err: unknown): ReadFailure {
  if (!isClassified(err)) {
    return {
      failure: { code: 500, reason: 'InternalError', message: 'internal error in edge-controller' },
      isRetryable: false,
      isApiError: false,
    };
  }
  const status = statusBodyOf(err);
  const message =
    status.message ??
    (err.status === 0 ? `the API server could not be reached: ${err.reason}` : `${err.status} ${err.reason}`);
  const failure: ApiFailure = {
    code: err.status,
    reason: err.reason,
    message,
    ...(status.details === undefined ? {} : { details: status.details }),
  };
  return {
    failure,
    isRetryable: err.action === 'retry',
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
    isApiError: true,
  };
}

function isClassified(err: unknown): err is ApiErrorDetails & Error {
  if (!(err instanceof Error)) return false;
  const { status, reason, action } = err as Partial<ApiErrorDetails>;
  return typeof status === 'number' && typeof reason === 'string' && typeof action === 'string';
}

/** The API's Status body kept on the error's cause (`httpFailure`), as far as the reply needs it. */
function statusBodyOf(err: Error): { message?: string; details?: StatusDetails } {
  const body = (err.cause as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not a Status (a proxy's HTML page, say): fall back to code and reason.
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { message, details } = parsed as { message?: unknown; details?: unknown };
  return {
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
    ...(detailsOf(details) ?? {}),
  };
}

function detailsOf(value: unknown): { details: StatusDetails } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, group, kind } = value as Record<string, unknown>;
  const details: StatusDetails = {
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof group === 'string' ? { group } : {}),
    ...(typeof kind === 'string' ? { kind } : {}),
  };
  return Object.keys(details).length === 0 ? undefined : { details };
}
