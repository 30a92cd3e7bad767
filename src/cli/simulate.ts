/**
 * `edge-controller simulate`: runs N simulated EdgeCores (src/sim Simulator) against a running
 * controller, with the flags of KubeEdge's edgemark (`--token`, `--http-server`, `--websocket-server`),
 * or reads the token from Secret kubeedge/tokensecret with `--kubeconfig`. Prints a count line to stderr
 * every 2 s until SIGINT/SIGTERM, then stops every node with a close handshake.
 * @module
 */
import type { Command } from 'commander';
import { EnvCommand } from './env-command.js';
import { KubeClient, loadKubeConfig } from '../kube/index.js';
import { Simulator } from '../sim/index.js';
import type { SimulatorCounts } from '../sim/index.js';
import type { CliContext } from './context.js';
import { commanderParser, parsePositive } from './parsers.js';

interface SimulateFlags {
  readonly nodes: number;
  readonly token?: string;
  readonly kubeconfig?: string;
  readonly httpServer: string;
  readonly websocketServer: string;
  readonly prefix: string;
  readonly ramp: number;
  readonly leasePeriodSeconds: number;
  readonly statusPeriodSeconds: number;
  readonly realEdgeReconnect?: boolean;
}

/** Period of the live count line. */
const countLineIntervalMs = 2_000;

export function simulateCommand(ctx: CliContext): Command {
  return new EnvCommand('simulate')
    .description('run simulated EdgeCores against a controller until Ctrl-C (flags as edgemark)')
    .option('--nodes <n>', 'simulated nodes', commanderParser(parseCount), 1)
    .option('--token <token>', 'join token as keadm gettoken prints it')
    .option('--kubeconfig <file>', 'read the token from Secret kubeedge/tokensecret instead of --token')
    .requiredOption('--http-server <url>', 'certificate server, https://<host>:<port>')
    .requiredOption('--websocket-server <host:port>', 'hub address, <host>:<port>')
    .option('--prefix <prefix>', 'node names are <prefix>-<i>', 'sim-edge')
    .option('--ramp <nodes/s>', 'nodes started per second', parsePositive, 100)
    .option('--lease-period-seconds <s>', 'lease renewal period per node', parsePositive, 10)
    .option('--status-period-seconds <s>', 'nodepatch heartbeat period per node', parsePositive, 300)
    .option(
      '--real-edge-reconnect',
      'redial as EdgeCore v1.23.1 does: 30 s after a loss, 5 dials 5 s apart (default: jittered, within 1 s)',
    )
    .action(async (flags: SimulateFlags) => {
      const token = flags.token ?? (await readToken(flags.kubeconfig));
      const log = ctx.stderrLogger.child({ component: 'simulate' });
      const sim = new Simulator({
        nodes: flags.nodes,
        token,
        httpServer: flags.httpServer,
        server: flags.websocketServer,
        prefix: flags.prefix,
        rampNodesPerSecond: flags.ramp,
        leasePeriodMs: flags.leasePeriodSeconds * 1000,
        statusPeriodMs: flags.statusPeriodSeconds * 1000,
        reconnect: { kind: flags.realEdgeReconnect === true ? 'fixed' : 'jittered' },
        // Debug only: a storm of N failures at info would drown the count line; the line counts them.
        onFailure: (node, err) => {
          log.debug({ node, err }, 'Simulated node failed');
        },
      });
      const stopped = new Promise<string>((done) => {
        process.once('SIGINT', () => {
          done('SIGINT');
        });
        process.once('SIGTERM', () => {
          done('SIGTERM');
        });
      });
      log.info({ nodes: flags.nodes, rampNodesPerSecond: flags.ramp }, 'Simulator started');
      let last = sim.counts();
      let lastAt = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        const counts = sim.counts();
        process.stderr.write(countLine(counts, last, (now - lastAt) / 1000) + '\n');
        last = counts;
        lastAt = now;
      }, countLineIntervalMs);
      const starting = sim.start();
      const signal = await stopped;
      clearInterval(ticker);
      log.info({ signal }, 'Simulator stopping');
      await sim.stop();
      await starting;
      log.info(sim.counts(), 'Simulator stopped');
    });
}

/** One live count line: totals and message rates over the last interval. */
export function countLine(counts: SimulatorCounts, previous: SimulatorCounts, seconds: number): string {
  const rate = (now: number, before: number): string =>
    seconds > 0 ? ((now - before) / seconds).toFixed(0) : '0';
  return (
    `nodes=${String(counts.nodes)} connected=${String(counts.connected)} ` +
    `registered=${String(counts.registered)} podsRunning=${String(counts.podsRunning)} ` +
    `in=${rate(counts.messagesIn, previous.messagesIn)}/s ` +
    `out=${rate(counts.messagesOut, previous.messagesOut)}/s failures=${String(counts.failures)}`
  );
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a node count >= 1: ${value}`);
  return n;
}

async function readToken(kubeconfig: string | undefined): Promise<string> {
  if (kubeconfig === undefined) throw new Error('simulate needs --token or --kubeconfig');
  const client = new KubeClient(loadKubeConfig({ path: kubeconfig }));
  const secret = await client.request<{ data?: { tokendata?: string } }>({
    method: 'GET',
    path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
  });
  const data = secret.data?.tokendata;
  if (data === undefined) throw new Error('Secret tokensecret has no tokendata: is the controller running?');
  return Buffer.from(data, 'base64').toString('utf8');
}
