/**
 * Scenario **fleet**: N simulated nodes and N × podsPerNode pods on one controller process. The nodes
 * connect at the ramp rate, then the pods are created (bound by `spec.nodeName`) and delivered; memory is
 * the median RSS over `memorySeconds` once the fleet is at rest (every edge holds its pods and reported
 * them Running, the controller has nothing queued; `FleetContext.waitSettled`; no forced GC), then `rate` pod
 * changes per second (a `bench/seq` annotation on a random pod) for `measureSeconds`: the time from each
 * API write to the edge storing it or a newer version of its pod (the sim process reports it; the edge
 * ACKs in the same turn), split at
 * the API server's watch event (watch-probe.ts) into the API server's part and ours.
 * Writes fleet.json, fleet-latency.svg (latency over time) and fleet-memory.svg (RSS against connected
 * nodes during the ramp).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { median, quantile } from '../lib/process-sampler.js';
import { report, resultsPath } from '../lib/runner.js';
import { writeLineChart } from '../lib/svg-plot.js';
import type { FleetContext } from './context.js';
import { namespace, progress } from './context.js';
import { startWatchProbe } from './watch-probe.js';

/** Options of {@link runFleet}. */
export interface FleetScenarioOptions {
  readonly rate: number;
  readonly measureSeconds: number;
  readonly memorySeconds: number;
}

export async function runFleet(ctx: FleetContext, o: FleetScenarioOptions): Promise<void> {
  const s = ctx.settings;
  const controller = await ctx.ensureController();
  const { sampler } = controller;
  // A few samples of the controller before any node: its floor in this run.
  await delay(5_000);
  const tStart = Date.now();
  const rssBefore = median(sampler.between(0, tStart).map((x) => x.rssBytes));
  progress(`fleet: ${String(s.nodes)} nodes ramping at ${String(s.rampNodesPerSecond)}/s`);
  const sim = await ctx.startSim();
  await ctx.waitRegistered(sim);
  const tConnected = Date.now();
  await ctx.createPods();
  const tPodsCreated = Date.now();
  await ctx.waitPodsStored(sim);
  const tStored = Date.now();
  await ctx.waitSettled(sim);
  const tSettled = Date.now();
  progress(`fleet: settled; memory window of ${String(o.memorySeconds)} s`);
  await delay(o.memorySeconds * 1000);
  const tMemEnd = Date.now();
  const mem = sampler.summarize(tSettled, tMemEnd);

  progress(`fleet: ${String(o.rate)} changes/s for ${String(o.measureSeconds)} s`);
  const probe = await startWatchProbe(ctx.admin, namespace);
  const sent = new Map<string, number>();
  const returned = new Map<string, number>();
  const podOf = new Map<string, string>();
  const changes = Math.round(o.rate * o.measureSeconds);
  const tLoad = Date.now();
  const t0 = performance.now();
  let failed = 0;
  for (let i = 0; i < changes; i++) {
    const wait = t0 + (i * 1000) / o.rate - performance.now();
    if (wait > 0) await delay(wait);
    const pod = ctx.pods[Math.floor(Math.random() * ctx.pods.length)]?.name ?? '';
    const seq = `fleet-${String(i)}`;
    sent.set(seq, performance.timeOrigin + performance.now());
    podOf.set(seq, pod);
    void ctx.admin
      .request({
        method: 'PATCH',
        path: `/api/v1/namespaces/${namespace}/pods/${pod}`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: { 'bench/seq': seq } } },
      })
      .then(() => {
        returned.set(seq, performance.timeOrigin + performance.now());
      })
      .catch(() => {
        failed += 1;
      });
  }
  const tLoadEnd = Date.now();
  const deadline = performance.now() + 120_000;
  const delivered = (): Map<string, number> => deliveredAt([...sent.keys()], podOf, sim.seqs);
  while (delivered().size < sent.size && performance.now() < deadline) await delay(250);
  const deliveredAtMs = delivered();
  const tDone = Date.now();
  probe.stop();
  // The parts of each change's time, where both ends were seen (ms).
  const part = (from: (seq: string) => number | undefined, to: (seq: string) => number | undefined) => {
    const values = [...sent.keys()].flatMap((seq) => {
      const a = from(seq);
      const b = to(seq);
      return a !== undefined && b !== undefined ? [b - a] : [];
    });
    return { p50: quantile(values, 0.5), p99: quantile(values, 0.99), readings: values.length };
  };
  const parts = {
    writeReturned: part(
      (seq) => sent.get(seq),
      (seq) => returned.get(seq),
    ),
    writeToWatchEvent: part(
      (seq) => sent.get(seq),
      (seq) => probe.seenAt.get(seq),
    ),
    watchEventToEdge: part(
      (seq) => probe.seenAt.get(seq),
      (seq) => deliveredAtMs.get(seq),
    ),
  };
  const load = sampler.summarize(tLoad, tLoadEnd);
  const points: [number, number][] = [...sent].map(([seq, at]) => [
    (at - tLoad) / 1000,
    (deliveredAtMs.get(seq) ?? Infinity) - at,
  ]);
  const latencies = points.map(([, l]) => l);
  const lost = latencies.filter((l) => !Number.isFinite(l)).length;
  const superseded = [...deliveredAtMs.keys()].filter((seq) => !sim.seqs.has(seq)).length;
  const counts = sim.counts();

  const ramp = sampler.between(tStart, tConnected);
  const memPoints: [number, number][] = ramp.map((x) => [x.connectedNodes, x.rssBytes / 1048576]);
  const files = [
    await writeLineChart(resultsPath('fleet-latency.svg'), {
      title: `API write -> edge, ${String(o.rate)} changes/s, ${String(s.nodes)} nodes, ${String(ctx.pods.length)} pods`,
      xLabel: 'seconds since the first change',
      yLabel: 'ms',
      series: [{ name: 'write -> edge', points: points.filter(([, l]) => Number.isFinite(l)), dots: true }],
      hLines: [{ y: 200, label: 'p99 target 200 ms' }],
    }),
    await writeLineChart(resultsPath('fleet-memory.svg'), {
      title: `controller RSS against connected nodes (ramp ${String(s.rampNodesPerSecond)}/s)`,
      xLabel: 'connected nodes',
      yLabel: 'RSS MiB',
      series: [{ name: 'RSS', points: memPoints }],
    }),
  ];
  const perNodeKiB = Math.round(((mem.rssMedianMiB * 1048576 - rssBefore) / s.nodes / 1024) * 10) / 10;
  await report({
    name: 'fleet',
    description: `${String(s.nodes)} simulated nodes and ${String(ctx.pods.length)} pods on one controller process (simulator in ${String(s.simProcesses)} other process(es))`,
    parameters: {
      nodes: s.nodes,
      pods: ctx.pods.length,
      rampNodesPerSecond: s.rampNodesPerSecond,
      leasePeriodSeconds: s.leasePeriodSeconds,
      statusPeriodSeconds: s.statusPeriodSeconds,
      gracePeriodSeconds: s.gracePeriodSeconds,
      changesPerSecond: o.rate,
      measureSeconds: o.measureSeconds,
      memorySeconds: o.memorySeconds,
      simProcesses: s.simProcesses,
    },
    variants: [
      {
        name: 'p99 write -> edge',
        value: quantile(latencies, 0.99),
        unit: 'ms',
        details: {
          p50: quantile(latencies, 0.5),
          p90: quantile(latencies, 0.9),
          max: Math.max(...latencies),
          changes,
          lost,
          superseded,
          writeFailures: failed,
          ...Object.fromEntries(
            Object.entries(parts).flatMap(([name, q]) => [
              [`${name}P50`, q.p50],
              [`${name}P99`, q.p99],
              [`${name}Readings`, q.readings],
            ]),
          ),
          target: 'p99 <= 200 ms',
        },
      },
      {
        name: 'RSS (median, idle fleet)',
        value: mem.rssMedianMiB,
        unit: 'MiB',
        details: {
          rssBeforeNodesMiB: Math.round(rssBefore / 104857.6) / 10,
          perNodeKiB,
          heapMedianMiB: mem.heapMedianMiB,
          peakMiB: Math.max(...sampler.between(tStart, tDone).map((x) => x.rssBytes)) / 1048576,
          cpuSecondsIdle: mem.cpuSeconds,
        },
      },
      {
        name: 'event-loop delay p99 (load)',
        value: load.loopP99Ms,
        unit: 'ms',
        details: {
          maxMs: load.loopMaxMs,
          p99Source: load.loopP99Source,
          slowSeconds: load.loopSlowSeconds,
          threadOnCpuShareInSlowSeconds: load.loopThreadOnCpuShare,
          gcShareInSlowSeconds: load.loopGcShare,
          gcMaxPauseInSlowSecondsMs: load.loopGcMaxPauseMs,
          idleP99Ms: mem.loopP99Ms,
          idleMaxMs: mem.loopMaxMs,
          cpuSecondsLoad: load.cpuSeconds,
          apiRequestsPerSecond: load.kubeRequestsPerSecond,
          target: 'p99 <= 50 ms, max <= 500 ms',
        },
      },
      {
        name: 'all connected after',
        value: (tConnected - tStart) / 1000,
        unit: 's',
        details: {
          podsCreatedSeconds: (tPodsCreated - tConnected) / 1000,
          podsOnEdgesSeconds: (tStored - tConnected) / 1000,
          settledSeconds: (tSettled - tConnected) / 1000,
          podsRunning: sim.counts().podsRunning,
          simFailures: counts.failures,
        },
      },
      {
        name: 'event-loop delay max (whole run)',
        value: sampler.summarize(tStart, tDone).loopMaxMs,
        unit: 'ms',
        details: { p99Ms: sampler.summarize(tStart, tDone).loopP99Ms },
      },
    ],
    series: {
      latencyOverTime: points.map(([t, l]) => [Math.round(t * 1000) / 1000, Math.round(l * 10) / 10]),
      rssAgainstNodes: memPoints.map(([n, r]) => [n, Math.round(r * 10) / 10]),
      samples: sampler.between(tStart, tDone).map((x) => ({
        t: (x.at - tStart) / 1000,
        rssMiB: Math.round(x.rssBytes / 104857.6) / 10,
        cpuSeconds: x.cpuSeconds,
        loopMaxMs: Math.round(x.loopMaxSeconds * 10000) / 10,
        connected: x.connectedNodes,
        queued: x.queued,
      })),
    },
    files,
    noRatios: true,
  });
}

/**
 * When each change reached its edge: when the edge stored that version or, if first, a newer one of the
 * same pod. The controller's queue keeps only the newest version of an object (queues/enqueue-rules.ts),
 * so a change followed quickly by another of its pod may never be stored itself, and the edge then holds
 * its effect all the same (the peer bench counts it so too). Counted as lost, 2 of 2,400 changes in one
 * 10,000-node run were most likely such pairs. Changes of one pod are taken in the order they were sent.
 */
function deliveredAt(
  sentInOrder: readonly string[],
  podOf: ReadonlyMap<string, string>,
  storedAt: ReadonlyMap<string, number>,
): Map<string, number> {
  const byPod = new Map<string, string[]>();
  for (const seq of sentInOrder) {
    const pod = podOf.get(seq) ?? '';
    const seqs = byPod.get(pod);
    if (seqs === undefined) byPod.set(pod, [seq]);
    else seqs.push(seq);
  }
  const delivered = new Map<string, number>();
  for (const seqs of byPod.values()) {
    let newest = Infinity;
    for (let i = seqs.length - 1; i >= 0; i--) {
      const seq = seqs[i] ?? '';
      newest = Math.min(newest, storedAt.get(seq) ?? Infinity);
      if (Number.isFinite(newest)) delivered.set(seq, newest);
    }
  }
  return delivered;
}
