/**
 * Builds the hollow EdgeCore (interop/hollow-edge/) into .cache/hollow-edge/ when missing or stale, so that
 * `make test` pays a cold build before the suite starts rather than inside the conformance file.
 * @module
 */
import { ensureHollowEdgeBinary } from '../test/support/hollow-edge/build.js';

const result = await ensureHollowEdgeBinary({ onLog: (line) => process.stderr.write(line + '\n') });
process.stdout.write(`${result.binaryPath}${result.built ? '' : ' (up to date)'}\n`);
