/**
 * The command-line program: global options, then one subcommand per file in this folder. Every option of
 * every command can also be set by its environment variable (`--log-level` is `EDGE_CONTROLLER_LOG_LEVEL`;
 * env-command.ts); a flag given on the command line wins.
 * @module
 */
import { Option } from 'commander';
import { createLogger, logLevels } from '../observability/index.js';
import type { Logger, LogLevel } from '../observability/index.js';
import type { CliContext } from './context.js';
import { configCommand } from './config.js';
import { demoCommand } from './demo.js';
import { EnvCommand, readBooleanEnv } from './env-command.js';
import { localClusterCommand } from './local-cluster.js';
import { nodesCommand } from './nodes.js';
import { runCommand } from './run.js';
import { simulateCommand } from './simulate.js';
import { tokenCommand } from './token.js';

/** Builds the program. `version` is the package version shown by `--version`. */
export function buildProgram(version: string): EnvCommand {
  const program = new EnvCommand('edge-controller')
    .description("KubeEdge's cloud side, rebuilt in TypeScript")
    .version(version)
    .addOption(new Option('--log-level <level>', 'minimum log level').choices(logLevels).default('info'))
    .addHelpText(
      'after',
      '\nEvery flag can also be set in the environment: --hub-port is EDGE_CONTROLLER_HUB_PORT, and so on.\nA flag on the command line wins over its variable; see docs/configuration.md.',
    )
    .showHelpAfterError()
    .hook('preAction', (_program, action) => {
      readBooleanEnv(action, process.env);
    });
  let logger: Logger | undefined;
  let stderrLogger: Logger | undefined;
  const level = (): LogLevel => program.opts<{ logLevel: LogLevel }>().logLevel;
  const ctx: CliContext = {
    version,
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
