/**
 * A logger whose output a test reads back: every line (JSON text) goes to `lines`, for assertions on what
 * was logged (and on what never may be, such as Secret data).
 * @module
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/index.js';
import type { LogLevel, Logger } from '../../src/observability/index.js';

/** The logger and the lines it wrote so far. */
export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: string[];
}

/** A logger at `level` (default debug) writing into `lines`. */
export function capturedLogger(level: LogLevel = 'debug'): CapturedLogger {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
