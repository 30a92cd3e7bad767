/**
 * `edge-controller run`: parse the flags, start the controller, stop it on SIGINT/SIGTERM.
 * @module
 */
import { Command } from 'commander';
import { startController } from '../controller.js';
import type { CliContext } from './context.js';
import { parsePort, parsePositive } from './parsers.js';

interface RunFlags {
  kubeconfig?: string;
  hubAddress: string;
  hubPort: number;
  httpsAddress: string;
  httpsPort: number;
  metricsAddress: string;
  advertiseAddress: string[];
  dnsName: string[];
  nodeLimit: number;
  keepaliveTimeoutSeconds: number;
  windowSize: number;
  allowLegacyEdgeCert: boolean;
}

export function runCommand(ctx: CliContext): Command {
  return new Command('run')
    .description('run the controller: hub (10000), certificate server (10002), metrics (127.0.0.1:9091)')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--hub-address <host>', 'WebSocket hub listen address', '0.0.0.0')
    .option('--hub-port <port>', 'WebSocket hub port (0 picks a free one)', parsePort, 10000)
    .option('--https-address <host>', 'certificate server listen address', '0.0.0.0')
    .option('--https-port <port>', 'certificate server port (0 picks a free one)', parsePort, 10002)
    .option('--metrics-address <host:port>', 'metrics endpoint', '127.0.0.1:9091')
    .option(
      '--advertise-address <ip>',
      'address edges dial (repeatable; server certificate SANs)',
      collect,
      [],
    )
    .option('--dns-name <name>', 'DNS name for the server certificate (repeatable)', collect, [])
    .option('--node-limit <n>', 'most edge sessions at once', parsePositive, 10_000)
    .option(
      '--keepalive-timeout-seconds <s>',
      'close a session without keepalive for this long',
      parsePositive,
      30,
    )
    .option('--window-size <n>', 'un-ACKed messages in flight per node', parsePositive, 64)
    .option('--allow-legacy-edge-cert', "accept KubeEdge's shared CN=kubeedge.io edge certificate", false)
    .action(async (flags: RunFlags) => {
      const [metricsHost, metricsPort] = splitHostPort(flags.metricsAddress);
      const controller = await startController({
        logger: ctx.logger,
        ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
        hub: {
          host: flags.hubAddress,
          port: flags.hubPort,
          nodeLimit: flags.nodeLimit,
          keepaliveTimeoutMs: flags.keepaliveTimeoutSeconds * 1000,
          windowSize: flags.windowSize,
          allowLegacyEdgeCert: flags.allowLegacyEdgeCert,
        },
        httpsHost: flags.httpsAddress,
        httpsPort: flags.httpsPort,
        metricsHost,
        metricsPort,
        ...(flags.advertiseAddress.length > 0 ? { advertiseAddress: flags.advertiseAddress } : {}),
        ...(flags.dnsName.length > 0 ? { dnsNames: flags.dnsName } : {}),
      });
      await new Promise<void>((done) => {
        process.once('SIGINT', () => {
          done();
        });
        process.once('SIGTERM', () => {
          done();
        });
      });
      await controller.stop();
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  if (i <= 0) throw new Error(`--metrics-address must be host:port, got ${value}`);
  return [value.slice(0, i), parsePort(value.slice(i + 1))];
}
