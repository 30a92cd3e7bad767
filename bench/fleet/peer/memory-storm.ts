/**
 * The memory and storm scenarios of the peer benchmark, one after the other on one fleet of one system:
 *
 * - memory per connected idle node: RSS before any node (median over `baselineMs` after a settle), then
 *   N nodes connect and register, then the median RSS over `windowMs` (60 s); (after − before) / N.
 *   No forced GC. The CPU the process used in that idle window is kept too.
 * - storm: one pod per storm node is delivered, then the storm nodes' links drop at once; while they are
 *   away (a real edge's fixed 30 s) every one of those pods is changed, so that each node has something
 *   to resync. Measured: from the first redial until every storm node holds its pod's new version, the
 *   peak RSS meanwhile, and how many storm Nodes were seen NotReady at any time (polled every 5 s).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../../src/kube/index.js';
import type { BoundPod } from './cluster-writes.js';
import {
  annotatePod,
  annotationOf,
  createNamespace,
  createPods,
  forEachLimited,
  notReadyNodes,
} from './cluster-writes.js';
import { startPeerFleet } from './peer-fleet.js';
import { ProcessSampler } from './process-sampler.js';
import { median } from './stats.js';
import type { RunningSystem } from './systems.js';

/** Options of {@link runMemoryAndStorm}. */
export interface MemoryStormOptions {
  readonly admin: KubeClient;
  readonly system: RunningSystem;
  /** Namespace of the storm pods (created; removed by the caller's clean-up). */
  readonly namespace: string;
  readonly nodes: number;
  /** How many of the nodes drop in the storm (≤ nodes; 0 skips the storm). */
  readonly stormNodes: number;
  readonly prefix: string;
  /** Median window after the last node connected; default 60 s. */
  readonly windowMs?: number;
  /** Settle before the baseline, then the baseline's median window; defaults 5 s and 10 s. */
  readonly settleMs?: number;
  readonly baselineMs?: number;
  /** Give up on the resync after this long from the first redial; default 300 s. */
  readonly resyncTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** What {@link runMemoryAndStorm} measured. */
export interface MemoryStormResult {
  readonly rssBeforeMiB: number;
  readonly rssAtNodesMiB: number;
  readonly perNodeKiB: number;
  readonly connectSeconds: number;
  readonly idleCpuSeconds: number;
  readonly idleWindowSeconds: number;
  readonly storm?: StormResult;
  /** Failures the simulated edges counted over the phase, and the first few. */
  readonly simFailures: number;
  readonly simFailureSamples: readonly string[];
  /** (seconds since the phase began, RSS MiB), one a second, for the plot. */
  readonly rssTimeline: readonly (readonly [number, number])[];
}

/** The storm's figures. */
export interface StormResult {
  readonly nodes: number;
  /** First redial → every storm node holds its changed pod; NaN if some never did (see `resynced`). */
  readonly resyncSeconds: number;
  /** Cut → every storm node resynced. */
  readonly cutToResyncedSeconds: number;
  readonly resynced: number;
  readonly peakRssMiB: number;
  /** Distinct storm Nodes seen NotReady at any poll from the cut until the end. */
  readonly notReadyNodes: number;
  /** How the system's process ended during the storm (e.g. `SIGKILL` from the OOM killer), if it did. */
  readonly systemExit?: string;
}

/** Runs memory, then the storm, on a new fleet of `nodes`; stops the fleet before returning. */
export async function runMemoryAndStorm(o: MemoryStormOptions): Promise<MemoryStormResult> {
  const log = o.log ?? (() => undefined);
  const sampler = new ProcessSampler(o.system.pid, 1000);
  const phaseFrom = performance.now();
  const timeline = (): [number, number][] =>
    sampler.samples.map((x) => [(x.atMs - phaseFrom) / 1000, x.rssKiB / 1024]);
  try {
    await delay(o.settleMs ?? 5_000);
    const baseFrom = performance.now();
    await delay(o.baselineMs ?? 10_000);
    const rssBefore = median(sampler.between(baseFrom).map((s) => s.rssKiB));
    log(
      `${o.system.name}: RSS before any node ${(rssBefore / 1024).toFixed(1)} MiB; starting ${String(o.nodes)} nodes`,
    );

    const { fleet, connectMs } = await startPeerFleet({ system: o.system, nodes: o.nodes, prefix: o.prefix });
    try {
      log(
        `${o.system.name}: ${String(o.nodes)} nodes connected and registered in ${(connectMs / 1000).toFixed(1)} s`,
      );
      const windowFrom = performance.now();
      await delay(o.windowMs ?? 60_000);
      const window = sampler.between(windowFrom);
      const rssAt = median(window.map((s) => s.rssKiB));
      const first = window[0];
      const last = window.at(-1);
      const result: MemoryStormResult = {
        rssBeforeMiB: rssBefore / 1024,
        rssAtNodesMiB: rssAt / 1024,
        perNodeKiB: (rssAt - rssBefore) / o.nodes,
        connectSeconds: connectMs / 1000,
        idleCpuSeconds: first !== undefined && last !== undefined ? last.cpuSeconds - first.cpuSeconds : NaN,
        idleWindowSeconds: first !== undefined && last !== undefined ? (last.atMs - first.atMs) / 1000 : NaN,
        rssTimeline: [],
        simFailures: 0,
        simFailureSamples: [],
      };
      log(
        `${o.system.name}: ${result.perNodeKiB.toFixed(1)} KiB per idle node (${result.rssAtNodesMiB.toFixed(1)} MiB)`,
      );
      const failures = (): Pick<MemoryStormResult, 'simFailures' | 'simFailureSamples'> => ({
        simFailures: fleet.failures().count,
        simFailureSamples: fleet.failures().first,
      });
      if (o.stormNodes <= 0) return { ...result, ...failures(), rssTimeline: timeline() };
      const storm = await runStorm(o, fleet, sampler, log);
      return { ...result, ...failures(), storm, rssTimeline: timeline() };
    } finally {
      await fleet.stop();
    }
  } finally {
    sampler.stop();
  }
}

type Fleet = Awaited<ReturnType<typeof startPeerFleet>>['fleet'];

async function runStorm(
  o: MemoryStormOptions,
  fleet: Fleet,
  sampler: ProcessSampler,
  log: (line: string) => void,
): Promise<StormResult> {
  const ns = o.namespace;
  const names = fleet.sim.nodeNames.slice(0, o.stormNodes);
  const pods: BoundPod[] = names.map((node, i) => ({ name: `s-${String(i)}`, node }));
  const keyOf = (pod: BoundPod): string => `${ns}/pod/${pod.name}`;
  await createNamespace(o.admin, ns);
  await createPods(o.admin, ns, pods);
  await until(
    () => pods.every((p) => fleet.stored(p.node, keyOf(p)) !== undefined),
    300_000,
    'storm pods on edges',
  );
  log(
    `${o.system.name}: ${String(pods.length)} storm pods on their edges; dropping ${String(names.length)} links`,
  );

  const tag = String(Date.now());
  const podOfNode = new Map(pods.map((p) => [p.node, p]));
  const resyncedAt = new Map<string, number>();
  fleet.onStore((node, key, content) => {
    const pod = podOfNode.get(node);
    if (pod === undefined || key !== keyOf(pod) || resyncedAt.has(node)) return;
    if (annotationOf(content, 'bench/storm') === tag) resyncedAt.set(node, performance.now());
  });
  let firstRedial = Number.POSITIVE_INFINITY;
  const onConnected = (): void => {
    firstRedial = Math.min(firstRedial, performance.now());
  };
  for (const name of names) fleet.sim.node(name)?.once('connected', onConnected);

  const notReady = new Set<string>();
  const polling = { on: true };
  const poller = (async () => {
    while (polling.on) {
      for (const n of await notReadyNodes(o.admin, o.prefix).catch(() => [])) notReady.add(n);
      await delay(5_000);
    }
  })();

  let systemExit: string | undefined;
  void o.system.exited.then((how) => {
    systemExit = String(how);
  });
  const cutAt = performance.now();
  for (const name of names) fleet.sim.cut(name);
  // While the edges are away: every storm pod changes, so each node has a version to catch up on.
  await forEachLimited(pods, 16, (p) => annotatePod(o.admin, ns, p.name, 'bench/storm', tag));
  log(`${o.system.name}: changed ${String(pods.length)} pods while the edges are away`);
  const timeoutMs = o.resyncTimeoutMs ?? 300_000;
  await until(
    () => resyncedAt.size === names.length || systemExit !== undefined,
    30_000 + timeoutMs,
    'storm resync',
  ).catch((err: unknown) => {
    log(`${o.system.name}: ${String(err)}`);
  });
  const doneAt = resyncedAt.size === names.length ? Math.max(...resyncedAt.values()) : NaN;
  fleet.onStore(undefined);
  await delay(5_000); // one more readiness poll after the resync
  polling.on = false;
  await poller;
  const during = sampler.between(cutAt);
  const result: StormResult = {
    nodes: names.length,
    resyncSeconds: (doneAt - firstRedial) / 1000,
    cutToResyncedSeconds: (doneAt - cutAt) / 1000,
    resynced: resyncedAt.size,
    peakRssMiB: Math.max(...during.map((s) => s.rssKiB)) / 1024,
    notReadyNodes: [...notReady].filter((n) => names.includes(n)).length,
    ...(systemExit !== undefined ? { systemExit } : {}),
  };
  if (systemExit !== undefined) log(`${o.system.name}: the process ended during the storm: ${systemExit}`);
  log(
    `${o.system.name}: storm of ${String(result.nodes)}: resynced ${String(result.resynced)} in ${result.resyncSeconds.toFixed(1)} s from the first redial, peak ${result.peakRssMiB.toFixed(1)} MiB, ${String(result.notReadyNodes)} NotReady`,
  );
  return result;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}
