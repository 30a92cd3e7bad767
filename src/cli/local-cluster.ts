/**
 * `edge-controller local-cluster ...`: run, stop and query a local control plane built from local-cluster/.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EnvCommand } from './env-command.js';
import {
  binaryPath,
  ensureLocalClusterBinary,
  projectRoot,
  readRunning,
  startLocalCluster,
  stopRunning,
} from '../local-cluster/index.js';
import type { CliContext } from './context.js';
import { parsePort, parsePositive } from './parsers.js';

/** Data dir used when `--data-dir` is not given. */
export const defaultDataDir = join(projectRoot, '.cache', 'clusters', 'default');

const dataDirOption = (): Option =>
  new Option('--data-dir <dir>', 'data dir of the control plane (PKI, etcd, logs)').default(defaultDataDir);

/** Adds the `local-cluster` command tree to the program. */
export function localClusterCommand(ctx: CliContext): Command {
  const cmd = new EnvCommand('local-cluster').description(
    'a real Kubernetes control plane (etcd, apiserver, controller manager, scheduler) on 127.0.0.1',
  );

  cmd
    .command('up')
    .description('start the control plane and stay in the foreground until SIGINT/SIGTERM')
    .addOption(dataDirOption())
    .option('--kubeconfig-out <file>', 'also write the admin kubeconfig here once ready')
    .option('--apiserver-port <port>', 'kube-apiserver port (0 picks a free one)', parsePort, 0)
    .option(
      '--node-monitor-grace-period <seconds>',
      'NotReady after this long without a lease renewal',
      parsePositive,
      40,
    )
    .action(
      async (opts: {
        dataDir: string;
        kubeconfigOut?: string;
        apiserverPort: number;
        nodeMonitorGracePeriod: number;
      }) => {
        const log = ctx.logger.child({ component: 'local-cluster' });
        const cluster = await startLocalCluster({
          dataDir: opts.dataDir,
          apiServerPort: opts.apiserverPort,
          nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriod,
          ...(opts.kubeconfigOut !== undefined ? { kubeconfigOut: opts.kubeconfigOut } : {}),
          onLog: (line) => {
            process.stderr.write(line + '\n');
          },
        });
        log.info(
          {
            server: cluster.ready.server,
            kubeconfig: opts.kubeconfigOut ?? cluster.kubeconfigPath,
            startToReadyMs: cluster.ready.startToReadyMs,
          },
          'Local control plane ready',
        );
        await Promise.race([waitForSignal(), cluster.exited]);
        await cluster.stop();
        log.info('Local control plane stopped');
      },
    );

  cmd
    .command('down')
    .description('stop the control plane running in a data dir')
    .addOption(dataDirOption())
    .action(async (opts: { dataDir: string }) => {
      const pid = await stopRunning(resolve(opts.dataDir));
      ctx.logger.info({ supervisorPid: pid, dataDir: opts.dataDir }, 'Local control plane stopped');
    });

  cmd
    .command('kubeconfig')
    .description('print the admin kubeconfig of the control plane running in a data dir')
    .addOption(dataDirOption())
    .action(async (opts: { dataDir: string }) => {
      const ready = await readRunning(resolve(opts.dataDir));
      process.stdout.write(await readFile(ready.kubeconfig, 'utf8'));
    });

  cmd
    .command('build')
    .description('build the control-plane binary if it is missing or stale')
    .action(async () => {
      const result = await ensureLocalClusterBinary({ onLog: (line) => process.stderr.write(line + '\n') });
      ctx.logger.info(
        { binary: result.binaryPath, built: result.built, durationMs: Math.round(result.durationMs) },
        'Control-plane binary ready',
      );
    });

  cmd
    .command('kubectl')
    .description('run the kubectl built with the control plane against it (arguments after --)')
    .addOption(dataDirOption())
    .allowUnknownOption()
    .argument('[args...]')
    .action(async (args: string[], opts: { dataDir: string }) => {
      const ready = await readRunning(resolve(opts.dataDir));
      const code = await new Promise<number>((done) => {
        spawn(binaryPath, ['kubectl', `--kubeconfig=${ready.kubeconfig}`, ...args], { stdio: 'inherit' }).on(
          'exit',
          (c) => {
            done(c ?? 1);
          },
        );
      });
      process.exitCode = code;
    });

  return cmd;
}

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => {
      done();
    });
    process.once('SIGTERM', () => {
      done();
    });
  });
}
