/**
 * `edge-controller run`: resolve every setting (flag > environment variable `EDGE_CONTROLLER_<FLAG>` >
 * KubeEdge's cloudcore.yaml from `--config` > default; config/run-settings.ts), start the controller,
 * stop it on SIGINT/SIGTERM. Like a Kubernetes component: a failed start rejects (main.ts prints one line
 * and exits 1); a signal during the start stops what had started and exits 0; a signal once running
 * drains within `--shutdown-timeout-seconds` and exits 0, or exits 1 with `EC_RUN_SHUTDOWN_TIMEOUT` if
 * the drain overruns; a second signal exits 1 at once.
 * @module
 */
import { settingValues, splitHostPort } from '../config/index.js';
import type { RunSettings } from '../config/index.js';
import { startController } from '../controller.js';
import type { ControllerOptions } from '../controller.js';
import { EdgeControllerError } from '../errors/index.js';
import { userAgentOf } from '../kube/index.js';
import type { Logger } from '../observability/index.js';
import type { CliContext } from './context.js';
import { EnvCommand } from './env-command.js';
import { addRunOptions, readRunSettings } from './settings.js';

export function runCommand(ctx: CliContext): EnvCommand {
  const cmd = new EnvCommand('run').description(
    'run the controller: hub (10000), certificate server (10002), metrics (127.0.0.1:9091)',
  );
  addRunOptions(cmd);
  return cmd.action(async () => {
    const values = settingValues(await readRunSettings(cmd, ctx.logger));
    const options = controllerOptions(values, ctx.logger, userAgentOf(ctx.version));
    await runUntilSignalled(options, ctx.logger, {
      startupTimeoutMs: values.startupTimeoutSeconds * 1000,
      shutdownTimeoutMs: values.shutdownTimeoutSeconds * 1000,
    });
  });
}

/** The controller's options from resolved settings (units converted; unset paths left out). */
export function controllerOptions(s: RunSettings, logger: Logger, userAgent: string): ControllerOptions {
  const [metricsHost, metricsPort] = splitHostPort(s.metricsAddress);
  const tls = [s.tlsCAFile, s.tlsCAKeyFile, s.tlsCertFile, s.tlsPrivateKeyFile];
  return {
    logger,
    userAgent,
    ...(s.kubeconfig !== '' ? { kubeconfig: s.kubeconfig } : {}),
    hub: {
      host: s.hubAddress,
      port: s.hubPort,
      nodeLimit: s.nodeLimit,
      keepaliveTimeoutMs: s.keepaliveTimeoutSeconds * 1000,
      windowSize: s.windowSize,
      allowLegacyEdgeCert: s.allowLegacyEdgeCert,
      nodeMemoryBudgetBytes: Math.round(s.nodeMemoryBudgetMib * 1024 * 1024),
      globalMemoryBudgetBytes: Math.round(s.globalMemoryBudgetMib * 1024 * 1024),
    },
    httpsHost: s.httpsAddress,
    httpsPort: s.httpsPort,
    metricsHost,
    metricsPort,
    upstream: { impersonateNodes: s.impersonateNodes },
    kubeApi: { qps: s.kubeApiQps, burst: s.kubeApiBurst },
    ...(s.advertiseAddress.length > 0 ? { advertiseAddress: s.advertiseAddress } : {}),
    ...(s.dnsName.length > 0 ? { dnsNames: s.dnsName } : {}),
    tokenRefreshDurationMs: s.tokenRefreshDurationHours * 3_600_000,
    edgeCertSigningDurationDays: s.edgeCertSigningDurationDays,
    repairIntervalMs: s.repairIntervalSeconds * 1000,
    // Files only when a cloudcore.yaml named them (or KubeEdge's default paths); else the Secrets alone.
    ...(tls.some((path) => path !== '')
      ? {
          tlsFiles: {
            caCert: s.tlsCAFile,
            caKey: s.tlsCAKeyFile,
            serverCert: s.tlsCertFile,
            serverKey: s.tlsPrivateKeyFile,
          },
        }
      : {}),
  };
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
