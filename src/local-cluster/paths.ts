/**
 * Where the local control plane's sources, binary and build stamp live, relative to the project root.
 * Works from both `src/` (tsx) and `dist/` (compiled), which sit at the same depth.
 * @module
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: two levels above this file in src/local-cluster or dist/local-cluster. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Go module holding the multi-call binary. */
export const goModuleDir = join(projectRoot, 'local-cluster');

/** The ignored folder the binary is built into. */
export const binaryDir = join(projectRoot, '.cache', 'local-cluster');

/** The multi-call control-plane binary (`localcp`). */
export const binaryPath = join(binaryDir, 'localcp');

