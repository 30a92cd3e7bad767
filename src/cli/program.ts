/**
 * The command-line program: global options, then one subcommand per file in this folder.
 * @module
 */
import { Command, Option } from 'commander';
import { createLogger, logLevels } from '../observability/index.js';
import type { Logger, LogLevel } from '../observability/index.js';
import type { CliContext } from './context.js';
import { configCommand } from './config.js';
import { demoCommand } from './demo.js';
import { localClusterCommand } from './local-cluster.js';
import { nodesCommand } from './nodes.js';
import { runCommand } from './run.js';
import { simulateCommand } from './simulate.js';
import { tokenCommand } from './token.js';

/** Builds the program. `version` is the package version shown by `--version`. */
export function buildProgram(version: string): Command {
  const program = new Command('edge-controller')
    .description("KubeEdge's cloud side, rebuilt in TypeScript")
    .version(version)
    .addOption(new Option('--log-level <level>', 'minimum log level').choices(logLevels).default('info'))
    .showHelpAfterError();
  let logger: Logger | undefined;
  let stderrLogger: Logger | undefined;
  const level = (): LogLevel => program.opts<{ logLevel: LogLevel }>().logLevel;
  const ctx: CliContext = {
    get logger() {
      logger ??= createLogger({ level: level() });
      return logger;
    },
    get stderrLogger() {
      stderrLogger ??= createLogger({ level: level(), destination: process.stderr });
      return stderrLogger;
    },
  };
  program.addCommand(runCommand(ctx));
  program.addCommand(tokenCommand(ctx));
  program.addCommand(configCommand(ctx));
  program.addCommand(nodesCommand(ctx));
  program.addCommand(localClusterCommand(ctx));
  program.addCommand(demoCommand(ctx));
  program.addCommand(simulateCommand(ctx));
  return program;
}
