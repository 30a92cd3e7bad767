/**
 * The root logger. main.ts makes exactly one; stages take `child({ component })`. Redaction is a
 * backstop only: code never logs payloads, tokens or keys in the first place (STYLE.md B7).
 * @module
 */
import { pino } from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted by `--log-level`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Paths whose values never reach a log line, whatever a caller passes by mistake. */
export const redactedPaths = [
  '*.token',
  '*.data',
  '*.stringData',
  '*.authorization',
  '*.password',
  '*.key',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
] as const;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  readonly level?: LogLevel;
  /** Where lines go. Default: stdout. Tests pass a stream to capture them. */
  readonly destination?: DestinationStream;
}

/** Makes the process's root logger (JSON lines, redacted). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: (options.level ?? 'info') satisfies LevelWithSilent,
    base: { pid: process.pid },
    redact: { paths: [...redactedPaths], censor: '[redacted]' },
  };
  return options.destination === undefined ? pino(opts) : pino(opts, options.destination);
}
