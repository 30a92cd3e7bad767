/**
 * `edge-controller run`: read KubeEdge's cloudcore.yaml if given, let flags and their environment
 * variables (`EDGE_CONTROLLER_<FLAG>`) override it, start the controller, stop it on SIGINT/SIGTERM.
 * Like a Kubernetes component: a failed start rejects (main.ts prints one line and exits 1); a signal
 * during the start stops what had started and exits 0; a signal once running drains within
 * `--shutdown-timeout-seconds` and exits 0, or exits 1 with `EC_RUN_SHUTDOWN_TIMEOUT` if the drain
 * overruns; a second signal exits 1 at once.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseCloudCoreConfig } from '../config/index.js';
import type { CloudCoreSettings } from '../config/index.js';
import { controllerDefaults, startController } from '../controller.js';
import type { ControllerOptions } from '../controller.js';
import { EdgeControllerError } from '../errors/index.js';
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
  startupTimeoutSeconds: number;
  shutdownTimeoutSeconds: number;
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
    )
    .option(
      '--startup-timeout-seconds <s>',
      'how long the start may wait for the API server and the first lists before exiting 1',
      parsePositive,
      controllerDefaults.startupTimeoutMs / 1000,
    )
    .option(
      '--shutdown-timeout-seconds <s>',
      'how long a drain on SIGTERM may take (deploy/: terminationGracePeriodSeconds is this + 5)',
      parsePositive,
      controllerDefaults.shutdownTimeoutMs / 1000,
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
    await runUntilSignalled(options, ctx.logger, {
      startupTimeoutMs: flags.startupTimeoutSeconds * 1000,
      shutdownTimeoutMs: flags.shutdownTimeoutSeconds * 1000,
    });
  });
}

/**
 * Starts the controller and stops it on the first SIGTERM or SIGINT, within `shutdownTimeoutMs`.
 * Resolves when stopped (exit 0); rejects with the start error, or `EC_RUN_SHUTDOWN_TIMEOUT`.
 */
async function runUntilSignalled(
  options: ControllerOptions,
  log: Logger,
  bounds: { readonly startupTimeoutMs: number; readonly shutdownTimeoutMs: number },
): Promise<void> {
  const signalled = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!signalled.signal.aborted) {
      log.info({ signal }, 'Received a signal; stopping');
      signalled.abort(signal);
      return;
    }
    // A second signal: the operator does not want to wait for the drain (component-base does the same).
    process.stderr.write(`edge-controller: a second ${signal} arrived while stopping; exiting now\n`);
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    let controller;
    try {
      controller = await startController({
        ...options,
        signal: signalled.signal,
        startupTimeoutMs: bounds.startupTimeoutMs,
        shutdownTimeoutMs: bounds.shutdownTimeoutMs,
      });
    } catch (err) {
      if (signalled.signal.aborted) return; // asked to stop while starting: what started is stopped
      throw err;
    }
    if (!signalled.signal.aborted) {
      await new Promise((resolve) => {
        signalled.signal.addEventListener('abort', resolve, { once: true });
      });
    }
    const drained = controller.stop().then(() => true);
    const overran = new Promise<false>((resolve) =>
      setTimeout(resolve, bounds.shutdownTimeoutMs, false).unref(),
    );
    if (!(await Promise.race([drained, overran]))) {
      throw new EdgeControllerError(
        'EC_RUN_SHUTDOWN_TIMEOUT',
        `the drain did not finish within ${String(bounds.shutdownTimeoutMs / 1000)} s`,
      );
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** Reads and validates the file; each key we do not use is one warning. */
export async function loadConfig(path: string, log: Logger): Promise<CloudCoreSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EdgeControllerError('EC_CONFIG_INVALID', `cannot read --config ${path}`, { cause: err });
  }
  const { settings, ignored } = parseCloudCoreConfig(text, path);
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
