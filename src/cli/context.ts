/**
 * What every command gets from the program: the root logger built from `--log-level`.
 * @module
 */
import type { Logger } from '../observability/index.js';

export interface CliContext {
  /** The root logger, on stdout (`run`, `local-cluster`, `demo`). */
  readonly logger: Logger;
  /** The same, on stderr, for commands whose stdout is their output (`config print`, `token`). */
  readonly stderrLogger: Logger;
}
