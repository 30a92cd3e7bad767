/**
 * Logging (pino) and, with the hub, metrics (prom-client).
 * @module
 */
export { createLogger, logLevels, redactedPaths } from './logger.js';
export type { Logger, LogLevel, LoggerOptions } from './logger.js';
