/**
 * `edge-controller demo`: the local demo (see README).
 * @module
 */
import type { Command } from 'commander';
import { EnvCommand } from './env-command.js';
import { runDemo } from '../demo/demo-worker.js';
import type { CliContext } from './context.js';
import { parsePositive } from './parsers.js';

export function demoCommand(ctx: CliContext): Command {
  return new EnvCommand('demo')
    .description('local control plane + controller + simulated edge nodes + a Deployment, until Ctrl-C')
    .option('--nodes <n>', 'simulated edge nodes', parsePositive, 50)
    .option('--pods <n>', 'replicas of the demo Deployment', parsePositive, 200)
    .action(async (opts: { nodes: number; pods: number }) => {
      const untilStopped = new Promise<void>((done) => {
        process.once('SIGINT', () => {
          done();
        });
        process.once('SIGTERM', () => {
          done();
        });
      });
      await runDemo({ logger: ctx.stderrLogger, nodes: opts.nodes, pods: opts.pods, untilStopped });
    });
}
