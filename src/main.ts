#!/usr/bin/env node
/**
 * Composition root and process entry: parse the command line, run the command, turn a failure into a
 * clear message and a non-zero exit code.
 * @module
 */
import { readFileSync } from 'node:fs';
import { buildProgram } from './cli/program.js';
import { isEdgeControllerError } from './errors/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

try {
  await buildProgram(pkg.version).parseAsync(process.argv);
} catch (err) {
  if (isEdgeControllerError(err)) {
    process.stderr.write(`edge-controller: ${err.code}: ${err.message}\n`);
  } else {
    process.stderr.write(
      `edge-controller: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exitCode = 1;
}
