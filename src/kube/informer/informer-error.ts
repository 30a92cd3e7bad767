/**
 * The informer's own failures (API failures stay {@link ApiError}s from kube/api-errors.ts).
 * @module
 */
import { EdgeControllerError } from '../../errors/index.js';
import type { informerErrorCodes } from '../../errors/index.js';

/** A code from errors/codes/informer.ts. */
export type InformerErrorCode = keyof typeof informerErrorCodes;

/** A failure of the informer itself: a malformed list reply, or a stop before the first sync. */
export class InformerError extends EdgeControllerError {
  constructor(code: InformerErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, options);
  }
}
