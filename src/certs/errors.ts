/**
 * The error certs/ throws for its own failures (bad CA or server certificate material, a port we cannot
 * bind). Codes are in src/errors/codes/certs.ts. Terminal unless built with `isRetryable: true`.
 * @module
 */
import { EdgeControllerError } from '../errors/index.js';
import type { certsErrorCodes } from '../errors/index.js';

/** A stable certs error code (`EC_CERTS_*`). */
export type CertsErrorCode = keyof typeof certsErrorCodes;

/** Options of {@link CertsError}. */
export interface CertsErrorOptions {
  /** The failure this error wraps, if any. */
  readonly cause?: unknown;
  /** Whether retrying may help; default false (bad material stays bad). */
  readonly isRetryable?: boolean;
}

/** A certs failure with a stable code. */
export class CertsError extends EdgeControllerError {
  readonly #isRetryable: boolean;

  constructor(code: CertsErrorCode, message: string, options: CertsErrorOptions = {}) {
    super(code, message, 'cause' in options ? { cause: options.cause } : {});
    this.#isRetryable = options.isRetryable ?? false;
  }

  override get isRetryable(): boolean {
    return this.#isRetryable;
  }
}
