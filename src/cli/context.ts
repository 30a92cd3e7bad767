/**
 * What every command gets from the program: the root logger built from `--log-level`.
 * @module
 */
import type { Logger } from '../observability/index.js';

export interface CliContext {
  readonly logger: Logger;
}
