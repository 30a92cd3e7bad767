/**
 * Every flag of every command can come from the environment: `--hub-port` is `EDGE_CONTROLLER_HUB_PORT`,
 * `--log-level` is `EDGE_CONTROLLER_LOG_LEVEL`. A flag on the command line wins over its variable.
 *
 * Why a Command subclass: commander reads an option's variable only when `.env()` was set before the
 * option was added (it registers the listener in `addOption`); calling `.env()` afterwards, as `run` once
 * did, is silently ignored. {@link EnvCommand} sets it in `addOption` itself, for options made by
 * `.option()` and `addOption()` alike, and its subcommands are EnvCommands too. Commander also takes a
 * boolean flag's variable as "set means true" (`…=false` would turn it on); {@link readBooleanEnv} reads
 * the value instead.
 * @module
 */
import { Command } from 'commander';
import type { Option } from 'commander';
import { envName, parseBoolean } from '../config/index.js';
import { EdgeControllerError } from '../errors/index.js';

/** A commander Command whose every option has its environment variable. */
export class EnvCommand extends Command {
  override createCommand(name?: string): EnvCommand {
    return new EnvCommand(name);
  }

  override addOption(option: Option): this {
    if (option.envVar === undefined && !option.negate) option.env(envName(option.attributeName()));
    return super.addOption(option);
  }
}

/**
 * For `command` and its parents: a boolean flag whose value came from its variable takes the variable's
 * value (`true`/`false`/`1`/`0`); anything else is `EC_CONFIG_INVALID` naming the variable. Run it as a
 * `preAction` hook, after commander has read the environment.
 */
export function readBooleanEnv(command: Command, env: NodeJS.ProcessEnv): void {
  for (let c: Command | null = command; c !== null; c = c.parent) {
    for (const option of c.options) {
      const key = option.attributeName();
      if (!option.isBoolean() || option.envVar === undefined || c.getOptionValueSource(key) !== 'env')
        continue;
      const text = env[option.envVar] ?? '';
      const value = parseBoolean(text);
      if (value === undefined) {
        throw new EdgeControllerError(
          'EC_CONFIG_INVALID',
          `${option.envVar}=${JSON.stringify(text)}: set it to true or false (it sets ${option.long ?? key})`,
        );
      }
      c.setOptionValueWithSource(key, value, 'env');
    }
  }
}
