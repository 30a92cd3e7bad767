/**
 * What every command gets from the program: the root logger built from `--log-level`, and the version
 * (the User-Agent of API calls is `edge-controller/<version>`).
 * @module
 */
import type { Logger } from '../observability/index.js';

export interface CliContext {
  /** The package version, as `--version` prints it. */
  readonly version: string;
  /** The root logger, on stdout (`run`, `local-cluster`, `demo`). */
  readonly logger: Logger;
  /** The same, on stderr, for commands whose stdout is their output (`config print`, `token`). */
  readonly stderrLogger: Logger;
}
