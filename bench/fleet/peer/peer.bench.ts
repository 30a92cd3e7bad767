/**
 * peer: our controller against KubeEdge CloudCore v1.23.1 (built from its Go module, cloudcore-build.ts),
 * on the same machine, the same local control plane (`--node-monitor-grace-period 240s`) and the same
 * simulated edges (lease 60 s, status 120 s, fixed 30 s redial), each system alone in turn, alternated:
 *
 * 1. memory + storm, once per system (ours, then CloudCore): memory per connected idle node at `nodes`
 *    ((median RSS over 60 s after the last node connected − RSS before any node) / nodes, no forced GC),
 *    then a storm of `stormNodes` dropping at once and redialling after 30 s (memory-storm.ts);
 * 2. timing, `rounds` times alternated (ours, CloudCore, ours, CloudCore…): `timingNodes` × `podsPerNode`
 *    pods, `rate` changes/s for `seconds` (p50/p99 API write → edge), then `burstPods` pods to one node
 *    (first write → edge has all, last write → edge has all) (timing.ts).
 *
 * Between two systems every edge Node, Lease, pod, ObjectSync and kubeedge Secret/ConfigMap is removed
 * (systems.ts cleanUp), so each starts from the same state. The edges run in this process (their store
 * hook gives exact receive times); both systems share that cost alike.
 *
 * Results: bench/results/fleet-peer-{memory,storm,steady,burst}.json, each with CloudCore as the baseline
 * so the printed ratio is ours ÷ CloudCore, and fleet-peer-memory.svg / fleet-peer-steady.svg.
 *
 *   node --import tsx bench/fleet/peer/peer.bench.ts [--nodes 1000] [--storm-nodes 1000] [--rounds 2] \
 *     [--timing-nodes 100] [--pods-per-node 10] [--rate 20] [--seconds 30] [--burst-pods 500] \
 *     [--systems ours,cloudcore] [--max-rss-mib 6144] [--no-write]
 *
 * The storm defaults to 1,000 nodes, not the fleet scenario's 10,000: CloudCore holds ~280 KiB per node
 * (issue 15), and both systems and 10,000 in-process edges would not fit beside the others on 2 cores in
 * the run's time; `--storm-nodes` (≤ `--nodes`) takes more. Needs root (CloudCore).
 * @module
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../../src/kube/index.js';
import { startLocalCluster } from '../../../src/local-cluster/index.js';
import { report, resultsPath } from '../../lib/runner.js';
import type { VariantResult } from '../../lib/runner.js';
import { writeLineChart } from '../../lib/svg-plot.js';
import { ensureCloudCoreBinary } from './cloudcore-build.js';
import { installKubeEdgeCrds } from './cloudcore-process.js';
import { runMemoryAndStorm } from './memory-storm.js';
import type { MemoryStormResult } from './memory-storm.js';
import { ratio } from './stats.js';
import { cleanUp, startSystem } from './systems.js';
import type { SystemName } from './systems.js';
import { runTiming } from './timing.js';
import type { TimingResult } from './timing.js';

/** Options of {@link runPeer}; every field has a default (see {@link peerDefaults}). */
export interface PeerOptions {
  readonly nodes?: number;
  readonly stormNodes?: number;
  readonly rounds?: number;
  readonly timingNodes?: number;
  readonly podsPerNode?: number;
  readonly rate?: number;
  readonly seconds?: number;
  readonly burstPods?: number;
  /** Which systems run, in this order within each round; default both, ours first. */
  readonly systems?: readonly SystemName[];
  /** The RSS guard of each system (systems.ts), MiB; default 6,144. */
  readonly maxRssMiB?: number;
  /** Progress lines; default stderr. */
  readonly log?: (line: string) => void;
  /** Write the JSON results, summaries and plots; default true. */
  readonly write?: boolean;
}

/** Defaults of {@link PeerOptions}. */
export const peerDefaults = Object.freeze({
  nodes: 1000,
  stormNodes: 1000,
  rounds: 2,
  timingNodes: 100,
  podsPerNode: 10,
  rate: 20,
  seconds: 30,
  burstPods: 500,
});

/** One system's figures from every phase it ran. */
export interface PeerSystemResults {
  readonly memory: MemoryStormResult[];
  readonly timing: TimingResult[];
}

/** What {@link runPeer} returns: settings, each system's raw figures, and ours ÷ CloudCore. */
export interface PeerReport {
  readonly parameters: Required<Omit<PeerOptions, 'log' | 'write' | 'systems'>> & {
    readonly systems: string;
  };
  readonly ours: PeerSystemResults;
  readonly cloudcore: PeerSystemResults;
  /** ours ÷ CloudCore of the mean of each figure over the phases run (below 1: ours is smaller). */
  readonly ratios: Record<string, number>;
  readonly durationSeconds: number;
  readonly files: readonly string[];
}

/** Runs the whole peer comparison on a fresh local control plane; see the module header. */
export async function runPeer(options: PeerOptions = {}): Promise<PeerReport> {
  const p = {
    nodes: options.nodes ?? peerDefaults.nodes,
    stormNodes: Math.min(options.stormNodes ?? peerDefaults.stormNodes, options.nodes ?? peerDefaults.nodes),
    rounds: options.rounds ?? peerDefaults.rounds,
    timingNodes: options.timingNodes ?? peerDefaults.timingNodes,
    podsPerNode: options.podsPerNode ?? peerDefaults.podsPerNode,
    rate: options.rate ?? peerDefaults.rate,
    seconds: options.seconds ?? peerDefaults.seconds,
    burstPods: options.burstPods ?? peerDefaults.burstPods,
    maxRssMiB: options.maxRssMiB ?? 6144,
    systems: (options.systems ?? ['ours', 'cloudcore']).join(','),
  };
  const systems = options.systems ?? (['ours', 'cloudcore'] as const);
  const log = options.log ?? ((line: string) => process.stderr.write(`[peer] ${line}\n`));
  const started = performance.now();
  const built = await ensureCloudCoreBinary({ onLog: log });
  log(
    `cloudcore: ${built.binaryPath}${built.built ? ` (built in ${(built.durationMs / 1000).toFixed(0)} s)` : ''}`,
  );
  const cluster = await startLocalCluster({ nodeMonitorGracePeriodSeconds: 240 });
  const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
  const workDir = await mkdtemp(join(tmpdir(), 'fleet-peer-'));
  const results: Record<SystemName, PeerSystemResults> = {
    ours: { memory: [], timing: [] },
    cloudcore: { memory: [], timing: [] },
  };
  let phase = 0;
  // One system alone: start it, run the scenario, stop it, remove what it left.
  const inTurn = async <T>(
    name: SystemName,
    run: (ns: string, prefix: string, sys: Awaited<ReturnType<typeof startSystem>>) => Promise<T>,
  ): Promise<T> => {
    phase += 1;
    const label = `${name}-${String(phase)}`;
    const ns = `peer-${label}`;
    log(`phase ${String(phase)}: ${name}`);
    const system = await startSystem(name, {
      admin,
      kubeconfig: cluster.kubeconfigPath,
      workDir,
      nodeLimit: Math.max(p.nodes, p.timingNodes) + 100,
      label,
      maxRssMiB: p.maxRssMiB,
    });
    try {
      return await run(ns, `peer${String(phase)}`, system);
    } finally {
      await system.stop();
      await cleanUp(admin, [ns]);
    }
  };
  try {
    // Both systems find KubeEdge's CRDs installed (ours creates only the two reliable-sync ones itself).
    await installKubeEdgeCrds(admin);
    for (const name of systems) {
      const memory = await inTurn(name, (namespace, prefix, system) =>
        runMemoryAndStorm({
          admin,
          system,
          namespace,
          prefix,
          nodes: p.nodes,
          stormNodes: p.stormNodes,
          log,
        }),
      );
      results[name].memory.push(memory);
    }
    for (let round = 0; round < p.rounds; round++) {
      for (const name of systems) {
        const timing = await inTurn(name, (namespace, prefix, system) =>
          runTiming({
            admin,
            system,
            namespace,
            prefix,
            nodes: p.timingNodes,
            podsPerNode: p.podsPerNode,
            rate: p.rate,
            seconds: p.seconds,
            burstPods: p.burstPods,
            log,
          }),
        );
        results[name].timing.push(timing);
      }
    }
  } finally {
    await cluster.stop();
  }
  const ratios = peerRatios(results);
  const files = options.write === false ? [] : await writeResults(p, results);
  return {
    parameters: p,
    ours: results.ours,
    cloudcore: results.cloudcore,
    ratios,
    durationSeconds: (performance.now() - started) / 1000,
    files,
  };
}

type Figure = (r: PeerSystemResults) => number[];

/** The figures compared, each as the list of its values over the phases run. */
const figures: Record<string, Figure> = {
  memoryPerNodeKiB: (r) => r.memory.map((m) => m.perNodeKiB),
  rssBeforeMiB: (r) => r.memory.map((m) => m.rssBeforeMiB),
  idleCpuSeconds: (r) => r.memory.map((m) => m.idleCpuSeconds),
  stormResyncSeconds: (r) => r.memory.map((m) => m.storm?.resyncSeconds ?? NaN),
  stormPeakRssMiB: (r) => r.memory.map((m) => m.storm?.peakRssMiB ?? NaN),
  steadyP50Ms: (r) => r.timing.map((t) => t.steady.p50Ms),
  steadyP99Ms: (r) => r.timing.map((t) => t.steady.p99Ms),
  steadySettledP99Ms: (r) => r.timing.map((t) => t.steady.settledP99Ms),
  steadyRssMiB: (r) => r.timing.map((t) => t.steady.rssMiB),
  burstFirstWriteToAllMs: (r) => r.timing.map((t) => t.burst?.firstWriteToAllMs ?? NaN),
  burstLastWriteToAllMs: (r) => r.timing.map((t) => t.burst?.lastWriteToAllMs ?? NaN),
};

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** ours ÷ CloudCore of each figure's mean. */
export function peerRatios(results: Record<SystemName, PeerSystemResults>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(figures).map(([key, f]) => [
      key,
      ratio(mean(f(results.ours)), mean(f(results.cloudcore))),
    ]),
  );
}

// One result file per scenario, CloudCore first so the runner's ratio is ours ÷ CloudCore.
async function writeResults(
  p: PeerReport['parameters'],
  results: Record<SystemName, PeerSystemResults>,
): Promise<string[]> {
  const parameters = { ...p, leasePeriodSeconds: 60, statusPeriodSeconds: 120, gracePeriodSeconds: 240 };
  const pair = (
    figure: string,
    unit: string,
    details: (r: PeerSystemResults) => Record<string, number | string>,
  ): VariantResult[] => {
    const f = figures[figure];
    if (f === undefined) throw new Error(`no figure ${figure}`);
    return (['cloudcore', 'ours'] as const).map((name) => ({
      name: name === 'ours' ? 'ours' : 'CloudCore v1.23.1',
      value: mean(f(results[name])),
      unit,
      details: {
        ...details(results[name]),
        each: f(results[name])
          .map((v) => v.toFixed(1))
          .join(' '),
      },
    }));
  };
  const ratiosOf = (keys: string[]): Record<string, number> => {
    const all = peerRatios(results);
    return Object.fromEntries(
      keys.map((k) => [`oursOverCloudcore_${k}`, Number((all[k] ?? NaN).toFixed(3))]),
    );
  };
  const files: string[] = [];
  const memoryPlot = await writeLineChart(resultsPath('fleet-peer-memory.svg'), {
    title: `RSS during memory + storm (${String(p.nodes)} nodes connect, then ${String(p.stormNodes)} drop at once)`,
    xLabel: 'seconds since the system was up',
    yLabel: 'RSS (MiB)',
    series: (['ours', 'cloudcore'] as const).flatMap((name) =>
      results[name].memory.map((m) => ({
        name: name === 'ours' ? 'ours' : 'CloudCore',
        points: m.rssTimeline,
      })),
    ),
  });
  const steadyPlot = await writeLineChart(resultsPath('fleet-peer-steady.svg'), {
    title: `API write → edge, ${String(p.rate)} changes/s, ${String(p.timingNodes)} nodes × ${String(p.podsPerNode)} pods`,
    xLabel: 'seconds since the first change',
    yLabel: 'latency (ms)',
    series: (['ours', 'cloudcore'] as const).flatMap((name) =>
      results[name].timing.map((t, i) => ({
        name: `${name === 'ours' ? 'ours' : 'CloudCore'} #${String(i + 1)}`,
        points: t.steady.points,
        dots: true,
      })),
    ),
  });
  files.push(memoryPlot, steadyPlot);
  const fixed = (v: number | undefined): number => Number((v ?? NaN).toFixed(2));
  files.push(
    await report({
      name: 'fleet-peer-memory',
      description: `memory per connected idle node at ${String(p.nodes)} nodes: (median RSS over 60 s after the last connected − RSS before any node) / nodes; ours vs KubeEdge CloudCore v1.23.1`,
      parameters: { ...parameters, ...ratiosOf(['memoryPerNodeKiB', 'rssBeforeMiB', 'idleCpuSeconds']) },
      variants: pair('memoryPerNodeKiB', 'KiB/node', (r) => ({
        rssBeforeMiB: fixed(r.memory[0]?.rssBeforeMiB),
        rssAtNodesMiB: fixed(r.memory[0]?.rssAtNodesMiB),
        connectSeconds: fixed(r.memory[0]?.connectSeconds),
        idleCpuSeconds: fixed(r.memory[0]?.idleCpuSeconds),
        idleWindowSeconds: fixed(r.memory[0]?.idleWindowSeconds),
        simFailures: r.memory[0]?.simFailures ?? NaN,
        simFailureSample: r.memory[0]?.simFailureSamples[0] ?? '',
      })),
      files: [memoryPlot],
    }),
  );
  files.push(
    await report({
      name: 'fleet-peer-storm',
      description: `${String(p.stormNodes)} nodes drop at once and redial after a fixed 30 s (each has a pod changed meanwhile): first redial → all hold the new version; ours vs CloudCore`,
      parameters: { ...parameters, ...ratiosOf(['stormResyncSeconds', 'stormPeakRssMiB']) },
      variants: pair('stormResyncSeconds', 's', (r) => ({
        cutToResyncedSeconds: fixed(r.memory[0]?.storm?.cutToResyncedSeconds),
        resynced: r.memory[0]?.storm?.resynced ?? NaN,
        peakRssMiB: fixed(r.memory[0]?.storm?.peakRssMiB),
        notReadyNodes: r.memory[0]?.storm?.notReadyNodes ?? NaN,
        systemExit: r.memory[0]?.storm?.systemExit ?? 'none',
      })),
    }),
  );
  files.push(
    await report({
      name: 'fleet-peer-steady',
      description: `${String(p.timingNodes)} nodes × ${String(p.podsPerNode)} pods, ${String(p.rate)} changes/s for ${String(p.seconds)} s: p99 API write → edge stored (mean over rounds); ours vs CloudCore`,
      parameters: {
        ...parameters,
        ...ratiosOf(['steadyP50Ms', 'steadyP99Ms', 'steadySettledP99Ms', 'steadyRssMiB']),
      },
      variants: pair('steadyP99Ms', 'ms p99', (r) => ({
        p50Ms: r.timing.map((t) => t.steady.p50Ms.toFixed(1)).join(' '),
        maxMs: r.timing.map((t) => t.steady.maxMs.toFixed(1)).join(' '),
        settledP99Ms: r.timing.map((t) => t.steady.settledP99Ms.toFixed(1)).join(' '),
        missed: r.timing.map((t) => String(t.steady.missed)).join(' '),
        rssMiB: r.timing.map((t) => t.steady.rssMiB.toFixed(1)).join(' '),
        simFailures: r.timing.map((t) => String(t.simFailures)).join(' '),
        simFailureSample: r.timing.find((t) => t.simFailureSamples.length > 0)?.simFailureSamples[0] ?? '',
      })),
      files: [steadyPlot],
    }),
  );
  files.push(
    await report({
      name: 'fleet-peer-burst',
      description: `${String(p.burstPods)} pods created bound to one node: first write → the edge holds all (mean over rounds); ours vs CloudCore`,
      parameters: { ...parameters, ...ratiosOf(['burstFirstWriteToAllMs', 'burstLastWriteToAllMs']) },
      variants: pair('burstFirstWriteToAllMs', 'ms', (r) => ({
        lastWriteToAllMs: r.timing.map((t) => (t.burst?.lastWriteToAllMs ?? NaN).toFixed(0)).join(' '),
        writesMs: r.timing.map((t) => (t.burst?.writesMs ?? NaN).toFixed(0)).join(' '),
      })),
    }),
  );
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      'storm-nodes': { type: 'string' },
      rounds: { type: 'string' },
      'timing-nodes': { type: 'string' },
      'pods-per-node': { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'burst-pods': { type: 'string' },
      systems: { type: 'string' },
      'max-rss-mib': { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  const out = await runPeer({
    ...(values.nodes !== undefined ? { nodes: Number(values.nodes) } : {}),
    ...(values['storm-nodes'] !== undefined ? { stormNodes: Number(values['storm-nodes']) } : {}),
    ...(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {}),
    ...(values['timing-nodes'] !== undefined ? { timingNodes: Number(values['timing-nodes']) } : {}),
    ...(values['pods-per-node'] !== undefined ? { podsPerNode: Number(values['pods-per-node']) } : {}),
    ...(values.rate !== undefined ? { rate: Number(values.rate) } : {}),
    ...(values.seconds !== undefined ? { seconds: Number(values.seconds) } : {}),
    ...(values['burst-pods'] !== undefined ? { burstPods: Number(values['burst-pods']) } : {}),
    ...(values.systems !== undefined
      ? { systems: values.systems.split(',').map((n) => (n === 'ours' ? 'ours' : 'cloudcore')) }
      : {}),
    ...(values['max-rss-mib'] !== undefined ? { maxRssMiB: Number(values['max-rss-mib']) } : {}),
    ...(values['no-write'] === true ? { write: false } : {}),
  });
  process.stdout.write(
    `\nfleet-peer: ours ÷ CloudCore (below 1: ours smaller or faster), ${out.durationSeconds.toFixed(0)} s\n` +
      Object.entries(out.ratios)
        .map(([k, v]) => `  ${k.padEnd(26)} ${v.toFixed(2)}`)
        .join('\n') +
      '\n',
  );
}
