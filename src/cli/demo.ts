/**
 * `edge-controller demo`: the local demo (see README).
 * @module
 */
import { Command } from 'commander';
import { runFoundationDemo } from '../demo/foundation-demo.js';
import type { CliContext } from './context.js';

export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .description('run a local control plane with stand-in nodes and a sample Deployment until Ctrl-C')
    .option('--nodes <n>', 'stand-in nodes', (v) => Number(v), 2)
    .option('--replicas <n>', 'replicas of the sample Deployment', (v) => Number(v), 4)
    .action(async (opts: { nodes: number; replicas: number }) => {
      const untilStopped = new Promise<void>((done) => {
        process.once('SIGINT', () => {
          done();
        });
        process.once('SIGTERM', () => {
          done();
        });
      });
      await runFoundationDemo({
        logger: ctx.logger,
        nodes: opts.nodes,
        replicas: opts.replicas,
        untilStopped,
      });
    });
}
