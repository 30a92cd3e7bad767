/**
 * `edge-controller run`: read KubeEdge's cloudcore.yaml if given, let flags and their environment
 * variables (`EDGE_CONTROLLER_<FLAG>`) override it, start the controller, stop it on SIGINT/SIGTERM.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseCloudCoreConfig } from '../config/index.js';
import type { CloudCoreSettings } from '../config/index.js';
import { startController } from '../controller.js';
import type { ControllerOptions } from '../controller.js';
import type { Logger } from '../observability/index.js';
import type { CliContext } from './context.js';
import { parsePort, parsePositive } from './parsers.js';

interface RunFlags {
  config?: string;
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
  impersonateNodes: boolean;
}

export function runCommand(ctx: CliContext): Command {
  const cmd = new Command('run')
    .description('run the controller: hub (10000), certificate server (10002), metrics (127.0.0.1:9091)')
    .option('--config <file>', "KubeEdge's cloudcore.yaml (v1alpha1 or v1alpha2); flags given override it")
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
    .option(
      '--impersonate-nodes',
      'make API calls for an edge as system:node:<name>, so the Node authorizer and NodeRestriction apply too (needs deploy/rbac-impersonation.yaml)',
      false,
    );
  // Every flag can also come from the environment: --hub-port is EDGE_CONTROLLER_HUB_PORT, and so on.
  for (const option of cmd.options) option.env(envName(option.attributeName()));
  return cmd.action(async (flags: RunFlags) => {
    const settings = flags.config === undefined ? undefined : await loadConfig(flags.config, ctx.logger);
    const given = (name: string): boolean => {
      const source = cmd.getOptionValueSource(name);
      return source === 'cli' || source === 'env';
    };
    const pick = <T>(name: string, flag: T, fromConfig: T | undefined): T =>
      given(name) || fromConfig === undefined ? flag : fromConfig;
    const [metricsHost, metricsPort] = given('metricsAddress')
      ? splitHostPort(flags.metricsAddress)
      : settings !== undefined
        ? [settings.metrics.host, settings.metrics.port]
        : splitHostPort(flags.metricsAddress);
    const advertiseAddress = given('advertiseAddress')
      ? flags.advertiseAddress
      : (settings?.advertiseAddress ?? []);
    const dnsNames = given('dnsName') ? flags.dnsName : (settings?.dnsNames ?? []);
    const kubeconfig = flags.kubeconfig ?? (settings?.kubeconfig !== '' ? settings?.kubeconfig : undefined);
    const options: ControllerOptions = {
      logger: ctx.logger,
      ...(kubeconfig !== undefined ? { kubeconfig } : {}),
      hub: {
        host: pick('hubAddress', flags.hubAddress, settings?.hub.host),
        port: pick('hubPort', flags.hubPort, settings?.hub.port),
        nodeLimit: pick('nodeLimit', flags.nodeLimit, settings?.hub.nodeLimit),
        keepaliveTimeoutMs: given('keepaliveTimeoutSeconds')
          ? flags.keepaliveTimeoutSeconds * 1000
          : (settings?.hub.keepaliveTimeoutMs ?? flags.keepaliveTimeoutSeconds * 1000),
        windowSize: pick('windowSize', flags.windowSize, settings?.hub.windowSize),
        allowLegacyEdgeCert: pick(
          'allowLegacyEdgeCert',
          flags.allowLegacyEdgeCert,
          settings?.hub.allowLegacyEdgeCert,
        ),
      },
      httpsHost: pick('httpsAddress', flags.httpsAddress, settings?.https.host),
      httpsPort: pick('httpsPort', flags.httpsPort, settings?.https.port),
      metricsHost,
      metricsPort,
      upstream: { impersonateNodes: flags.impersonateNodes },
      ...(advertiseAddress.length > 0 ? { advertiseAddress } : {}),
      ...(dnsNames.length > 0 ? { dnsNames } : {}),
      ...(settings !== undefined
        ? {
            tokenRefreshDurationMs: settings.tokenRefreshDurationMs,
            edgeCertSigningDurationDays: settings.edgeCertSigningDurationDays,
            repairIntervalMs: settings.repairIntervalMs,
            tlsFiles: settings.tlsFiles,
          }
        : {}),
    };
    const controller = await startController(options);
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

/** Reads and validates the file; each key we do not use is one warning. */
export async function loadConfig(path: string, log: Logger): Promise<CloudCoreSettings> {
  const { settings, ignored } = parseCloudCoreConfig(await readFile(path, 'utf8'), path);
  for (const key of ignored)
    log.warn({ key, config: path }, 'Ignored a cloudcore.yaml key edge-controller does not use');
  return settings;
}

/** The environment variable of a flag: `hubPort` → `EDGE_CONTROLLER_HUB_PORT`. */
export function envName(attribute: string): string {
  return `EDGE_CONTROLLER_${attribute.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  if (i <= 0) throw new Error(`--metrics-address must be host:port, got ${value}`);
  return [value.slice(0, i), parsePort(value.slice(i + 1))];
}
