/**
 * `edge-controller config print`: every setting `run` would use with the same flags, environment and
 * `--config`, and where each value came from (flag, env, file or default), as a table or JSON. It
 * resolves through the same code as `run`. The settings hold paths, never key material, so nothing needs
 * masking; tokens live only in Secrets.
 * @module
 */
import { Option } from 'commander';
import { runSettingNames, runSettingSpecs } from '../config/index.js';
import type { ResolvedRunSettings, ResolvedSetting } from '../config/index.js';
import type { CliContext } from './context.js';
import { EnvCommand } from './env-command.js';
import { addRunOptions, readRunSettings } from './settings.js';
import { renderTable } from './table.js';

export function configCommand(ctx: CliContext): EnvCommand {
  const cmd = new EnvCommand('config').description('the settings of run: values and where they come from');
  const print = cmd
    .command('print')
    .description(
      'print every setting run would use with these flags, variables and --config, and its source (unused cloudcore.yaml keys are logged as warnings)',
    )
    .addOption(new Option('--output <format>', 'table or json').choices(['table', 'json']).default('table'));
  addRunOptions(print);
  print.action(async (flags: { output: 'table' | 'json' }) => {
    const resolved = await readRunSettings(print, ctx.stderrLogger);
    process.stdout.write(
      flags.output === 'json' ? JSON.stringify(resolved, null, 2) + '\n' : formatSettings(resolved),
    );
  });
  return cmd;
}

/** The table `config print` shows: one row per setting, named by its flag (or cloudcore.yaml key). */
export function formatSettings(resolved: ResolvedRunSettings): string {
  const rows = runSettingNames.map((name) => {
    const spec = runSettingSpecs[name];
    const setting = resolved[name] as ResolvedSetting<unknown>;
    const row = spec.flag?.split(' ')[0] ?? spec.fileKey ?? name;
    // The flag or key is named once: in the source only when it differs from the row's name.
    const from = setting.from === undefined || setting.from === row ? '' : ` (${setting.from})`;
    return [row, valueText(setting.value), `${setting.source}${from}`];
  });
  return renderTable([['SETTING', 'VALUE', 'SOURCE'], ...rows]);
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(String).join(',');
  if (value === '') return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
