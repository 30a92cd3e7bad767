/**
 * Errors: the base class, terminal errors and the code catalogue.
 * @module
 */
export { EdgeControllerError, TerminalError, isEdgeControllerError } from './base.js';
export type { EdgeControllerErrorOptions } from './base.js';
export {
  errorCatalogue,
  certsErrorCodes,
  configErrorCodes,
  informerErrorCodes,
  kubeErrorCodes,
  localClusterErrorCodes,
  runErrorCodes,
} from './codes.js';
export type { ErrorCode } from './codes.js';
