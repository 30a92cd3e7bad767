/**
 * `edge-controller config print --config F`: the effective settings read from a cloudcore.yaml, as JSON.
 * The file holds paths, never key material, so nothing needs masking; tokens live only in Secrets.
 * @module
 */
import { Command } from 'commander';
import type { CliContext } from './context.js';
import { loadConfig } from './run.js';

export function configCommand(ctx: CliContext): Command {
  const cmd = new Command('config').description('KubeEdge cloudcore.yaml as edge-controller reads it');
  cmd
    .command('print')
    .description('print the effective settings of a cloudcore.yaml (unused keys are logged as warnings)')
    .requiredOption('--config <file>', 'the cloudcore.yaml')
    .action(async (flags: { config: string }) => {
      const settings = await loadConfig(flags.config, ctx.stderrLogger);
      process.stdout.write(JSON.stringify(settings, null, 2) + '\n');
    });
  return cmd;
}
