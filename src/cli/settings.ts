/**
 * The settings of `run` on the command line: one commander option per flag of config/run-settings.ts, so
 * `run` and `config print` take the same flags (and, through {@link EnvCommand}, the same variables);
 * and reading them back: which were given and how, the cloudcore.yaml named by `--config`, and the
 * resolution flag > environment > file > default.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  parseCloudCoreConfig,
  resolveRunSettings,
  runSettingNames,
  runSettingSpecs,
} from '../config/index.js';
import type { GivenValue, ParsedCloudCoreConfig, ResolvedRunSettings, SettingSpec } from '../config/index.js';
import { EdgeControllerError } from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import { commanderParser } from './parsers.js';

/** Adds a commander option for every setting that has a flag. */
export function addRunOptions(cmd: Command): Command {
  for (const name of runSettingNames) {
    const spec = runSettingSpecs[name] as SettingSpec<unknown>;
    if (spec.flag === undefined) continue;
    const option = new Option(spec.flag, spec.description).default(spec.default, spec.defaultText);
    if (spec.parse !== undefined) option.argParser(commanderParser(spec.parse));
    // The setting's name is the option's attribute and the root of its variable: they must agree.
    if (option.attributeName() !== name) {
      throw new Error(`setting ${name}: flag ${spec.flag} would be read as ${option.attributeName()}`);
    }
    cmd.addOption(option);
  }
  return cmd;
}

/** What `cmd` was given (flag or variable), the file from `--config`, and every resolved setting. */
export async function readRunSettings(cmd: Command, log: Logger): Promise<ResolvedRunSettings> {
  const given: Partial<Record<string, GivenValue<unknown>>> = {};
  for (const name of runSettingNames) {
    const source = cmd.getOptionValueSource(name);
    if (source === 'cli' || source === 'env') {
      given[name] = { value: cmd.getOptionValue(name), source: source === 'cli' ? 'flag' : 'env' };
    }
  }
  const path = given['config']?.value;
  const file = typeof path === 'string' && path !== '' ? await loadConfig(path, log) : undefined;
  return resolveRunSettings(given, file);
}

/** Reads and validates a cloudcore.yaml; each key we do not use is one warning. */
export async function loadConfig(path: string, log: Logger): Promise<ParsedCloudCoreConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EdgeControllerError('EC_CONFIG_INVALID', `cannot read --config ${path}`, { cause: err });
  }
  const parsed = parseCloudCoreConfig(text, path);
  for (const key of parsed.ignored)
    log.warn({ key, config: path }, 'Ignored a cloudcore.yaml key edge-controller does not use');
  return parsed;
}
