/**
 * bench/fleet (issue 15 item 5): every fleet scenario from one command, on one local control plane and
 * one pod set where scenarios can share them, each writing bench/results/<scenario>.json, a summary and
 * SVG plots.
 *
 *   node --import tsx bench/fleet/fleet.bench.ts [--scenario all|fleet,fan-out,storm,first-sync,churn,memory,peer]
 *     [--nodes 10000] [--pods-per-node 10] [--ramp 100] [--sim-processes 2] [--rate 20] [--measure-seconds 120]
 *     [--memory-seconds 60] [--fanout-bytes <n>] [--churn-deletes 100] [--churn-objects-per-node 30] [--churn-record-status]
 *     [--memory-nodes 1000,10000] [--peer-nodes 1000] [--create-concurrency 32] [--timeout-seconds 1800]
 *     [--max-controller-rss-mib 10240] ["--controller-exec-argv=--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *
 * Load model of every scenario (the issue's): lease 60 s, status 120 s, `--node-monitor-grace-period 240s`,
 * pods bound by `spec.nodeName`, memory = median RSS over 60 s once the fleet is up, no forced GC. The
 * controller is its own process (bench/lib/controller-process.ts), the simulator runs in
 * `--sim-processes` others (bench/fleet/sim-worker.ts). Scenarios run in this order, each bringing up
 * what it needs when run alone: fleet, fan-out, storm, first-sync (restarts the controller under the
 * connected fleet), churn (deletes nodes: last of the shared ones), then memory (helper module
 * bench/fleet/memory/, its own control plane) and peer (bench/fleet/peer/, KubeEdge CloudCore, its own
 * control plane), each loaded with a dynamic import: when a module is missing the run says so and goes on.
 * A scenario that fails is reported and the run goes on to the next. The machine is shared: a controller
 * above `--max-controller-rss-mib` is killed and its scenario fails (a controller that stops answering is
 * killed 30 s after its SIGTERM).
 * @module
 */
import { parseArgs } from 'node:util';
import { FleetContext, progress } from './context.js';
import type { FleetSettings } from './context.js';
import { runChurn } from './scenario-churn.js';
import { runFanOut } from './scenario-fan-out.js';
import { runFirstSync } from './scenario-first-sync.js';
import { runFleet } from './scenario-fleet.js';
import { runStorm } from './scenario-storm.js';

const shared = ['fleet', 'fan-out', 'storm', 'first-sync', 'churn'] as const;
const separate = ['memory', 'peer'] as const;
type Scenario = (typeof shared)[number] | (typeof separate)[number];
const all: readonly Scenario[] = [...shared, ...separate];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    nodes: { type: 'string', default: '10000' },
    'pods-per-node': { type: 'string', default: '10' },
    ramp: { type: 'string', default: '100' },
    'sim-processes': { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    'measure-seconds': { type: 'string', default: '120' },
    'memory-seconds': { type: 'string', default: '60' },
    'fanout-bytes': { type: 'string' },
    'probe-interval-ms': { type: 'string', default: '100' },
    'churn-deletes': { type: 'string', default: '100' },
    'churn-objects-per-node': { type: 'string', default: '30' },
    'churn-record-status': { type: 'boolean', default: false },
    'memory-nodes': { type: 'string', default: '1000,10000' },
    'peer-nodes': { type: 'string', default: '1000' },
    'create-concurrency': { type: 'string', default: '32' },
    'timeout-seconds': { type: 'string', default: '1800' },
    'max-controller-rss-mib': { type: 'string', default: '10240' },
    'controller-exec-argv': { type: 'string', default: '' },
  },
});

const wanted: Scenario[] =
  values.scenario === 'all'
    ? [...all]
    : values.scenario.split(',').map((s) => {
        if (!(all as readonly string[]).includes(s))
          throw new Error(`unknown scenario ${s}; one of ${all.join(', ')}`);
        return s as Scenario;
      });
const nodes = Number(values.nodes);
const settings: FleetSettings = {
  nodes,
  podsPerNode: Number(values['pods-per-node']),
  rampNodesPerSecond: Number(values.ramp),
  simProcesses: Number(values['sim-processes']),
  leasePeriodSeconds: 60,
  statusPeriodSeconds: 120,
  gracePeriodSeconds: 240,
  createConcurrency: Number(values['create-concurrency']),
  timeoutSeconds: Number(values['timeout-seconds']),
  // Room for the fan-out probe node, and a start that lists 100,000 pods on a busy machine.
  controllerArgs: [`--node-limit=${String(nodes + 100)}`, '--startup-timeout-seconds=600'],
  maxControllerRssMiB: Number(values['max-controller-rss-mib']),
  controllerExecArgv: values['controller-exec-argv'].split(' ').filter((flag) => flag !== ''),
};

const outcomes: { scenario: Scenario; seconds: number; result: string }[] = [];
const began = performance.now();

async function step(scenario: Scenario, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  progress(`=== ${scenario}`);
  try {
    await run();
    outcomes.push({ scenario, seconds: (performance.now() - t0) / 1000, result: 'done' });
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    progress(`${scenario} failed: ${message}`);
    outcomes.push({ scenario, seconds: (performance.now() - t0) / 1000, result: `failed: ${String(err)}` });
  }
}

// A helper module found by path at run time: missing is said, not fatal.
async function helper(
  path: string,
  exportName: string,
): Promise<((options: object) => Promise<unknown>) | undefined> {
  const url = new URL(path, import.meta.url).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    progress(`${path} could not be loaded (${String(err)}): skipped`);
    return undefined;
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    progress(`${path} exports no ${exportName}: skipped`);
    return undefined;
  }
  return fn as (options: object) => Promise<unknown>;
}

// Ctrl-C or a kill still stops the simulators, the controller and the control plane.
let current: FleetContext | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const needsShared = wanted.some((s) => (shared as readonly string[]).includes(s));
if (needsShared) {
  const ctx = await FleetContext.create(settings);
  current = ctx;
  try {
    for (const scenario of shared) {
      if (!wanted.includes(scenario)) continue;
      switch (scenario) {
        case 'fleet':
          await step(scenario, () =>
            runFleet(ctx, {
              rate: Number(values.rate),
              measureSeconds: Number(values['measure-seconds']),
              memorySeconds: Number(values['memory-seconds']),
            }),
          );
          break;
        case 'fan-out':
          await step(scenario, () =>
            runFanOut(ctx, {
              ...(values['fanout-bytes'] !== undefined ? { bytes: Number(values['fanout-bytes']) } : {}),
              probeIntervalMs: Number(values['probe-interval-ms']),
            }),
          );
          break;
        case 'storm':
          await step(scenario, () => runStorm(ctx));
          break;
        case 'first-sync':
          await step(scenario, () => runFirstSync(ctx));
          break;
        case 'churn':
          await step(scenario, () =>
            runChurn(ctx, {
              deletes: Number(values['churn-deletes']),
              objectsPerNode: Number(values['churn-objects-per-node']),
              recordStatus: values['churn-record-status'],
            }),
          );
          break;
        default: {
          const unreachable: never = scenario;
          throw new Error(String(unreachable));
        }
      }
    }
  } finally {
    current = undefined;
    await ctx.close();
  }
}

if (wanted.includes('memory')) {
  const run = await helper('./memory/idle-node-memory.bench.ts', 'runIdleNodeMemory');
  if (run === undefined) outcomes.push({ scenario: 'memory', seconds: 0, result: 'skipped: module missing' });
  else
    for (const n of values['memory-nodes'].split(',').map(Number)) {
      await step('memory', async () => {
        await run({ nodes: n, sampleSeconds: Number(values['memory-seconds']) });
      });
    }
}
if (wanted.includes('peer')) {
  const run = await helper('./peer/peer.bench.ts', 'runPeer');
  if (run === undefined) outcomes.push({ scenario: 'peer', seconds: 0, result: 'skipped: module missing' });
  else
    await step('peer', async () => {
      await run({ nodes: Number(values['peer-nodes']) });
    });
}

process.stdout.write(
  `\nbench/fleet: ${((performance.now() - began) / 60_000).toFixed(1)} min\n` +
    outcomes
      .map((o) => `  ${o.scenario.padEnd(12)} ${(o.seconds / 60).toFixed(1).padStart(6)} min  ${o.result}`)
      .join('\n') +
    '\n',
);
if (outcomes.some((o) => o.result.startsWith('failed'))) process.exitCode = 1;
