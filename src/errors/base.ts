/**
 * The base error of the project. Every error we throw carries a stable `code` from the catalogue and,
 * where it wraps another failure, that failure as `cause`. Whether a failure is worth retrying is part of
 * the type: {@link TerminalError} means "do not retry; log and count" (controller-runtime TerminalError).
 * @module
 */
import type { ErrorCode } from './codes.js';

/** Options of {@link EdgeControllerError}. */
export interface EdgeControllerErrorOptions {
  /** The failure this error wraps, if any. */
  readonly cause?: unknown;
}

/** An error with a stable code. Retryable unless it is a {@link TerminalError}. */
export class EdgeControllerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: EdgeControllerErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
  }

  /** Whether a worker should requeue the work that failed with this error. */
  get isRetryable(): boolean {
    return true;
  }
}

/** A failure that retrying cannot fix: the worker forgets the item, warns once and counts it. */
export class TerminalError extends EdgeControllerError {
  override get isRetryable(): boolean {
    return false;
  }
}

/** Narrows an unknown thrown value to one of ours, optionally with a given code. */
export function isEdgeControllerError(err: unknown, code?: ErrorCode): err is EdgeControllerError {
  return err instanceof EdgeControllerError && (code === undefined || err.code === code);
}
