#!/usr/bin/env node
/**
 * Composition root and process entry: parse the command line, run the command, turn a failure into one
 * last line (`edge-controller: <code>: <cause>`) and exit code 1.
 * @module
 */
import { readFileSync } from 'node:fs';
import { errorLine } from './cli/error-line.js';
import { buildProgram } from './cli/program.js';
import { isEdgeControllerError } from './errors/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

try {
  await buildProgram(pkg.version).parseAsync(process.argv);
} catch (err) {
  // A failure without a code of ours is a bug: its stack goes first, for the report.
  if (!isEdgeControllerError(err) && err instanceof Error && err.stack !== undefined) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.stderr.write(`${errorLine(err)}\n`);
  // Exit now, as Kubernetes components do: whatever a failed command left behind (a socket, a timer)
  // must not keep the process alive. Writes to stderr and pino's stdout are synchronous, so the line is out.
  process.exit(1);
}
