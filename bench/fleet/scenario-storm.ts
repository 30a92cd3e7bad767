/**
 * Scenario **storm**: every simulated node drops its link at once (no close handshake) and redials after
 * EdgeCore v1.23.1's fixed 30 s (the simulator's `fixed` policy). Measured from the first redial until the
 * fleet is **resynced**: the controller counts every node connected (`edgecontroller_hub_connected_nodes`)
 * and the simulator sees every link open, with nothing left to settle: no push queued or sent-not-ACKed
 * (`hub_queue_depth`, `hub_in_flight`), no record write pending (`sync_record_writes_pending`), no push
 * held for a record (`sync_held_pushes`), no edge request waiting (`upstream_queue_depth`: the status
 * reports edges resend after a redial), in two consecutive one-second samples. Also peak RSS, the
 * controller's API requests/s (its request limiter's count), the event-loop delay, and the Node Ready
 * conditions listed every 15 s from before the drop until 30 s after the resync: no node may be NotReady.
 * The figure is split in its details: when every node was connected again, and when the edges held
 * everything (the same conditions but the record writes), so the ACK bookkeeping that follows is visible
 * as the difference.
 * Writes storm.json and storm.svg (connected nodes and API requests/s over time).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { report, resultsPath } from '../lib/runner.js';
import { writeLineChart } from '../lib/svg-plot.js';
import type { ProcessSample } from '../lib/process-sampler.js';
import type { FleetContext } from './context.js';
import { progress } from './context.js';

export async function runStorm(ctx: FleetContext): Promise<void> {
  const sim = await ctx.ensureFleet();
  const controller = await ctx.ensureController();
  const { sampler } = controller;
  const n = ctx.settings.nodes;
  // Watch Ready conditions through the whole scenario.
  const watch = { on: true };
  // A call, not a field read, so the check after an await is not narrowed away.
  const watching = (): boolean => watch.on;
  const notReadySeen = new Set<string>();
  let readyChecks = 0;
  const watcher = (async () => {
    while (watching()) {
      for (const name of await ctx.notReadyNodes().catch(() => [])) notReadySeen.add(name);
      readyChecks += 1;
      for (let i = 0; i < 60 && watching(); i++) await delay(250);
    }
  })();
  await delay(3_000);
  progress(`storm: dropping all ${String(n)} links`);
  const tCut = await sim.cutAll();
  const deadline = performance.now() + ctx.timeoutMs;
  let firstRedial = NaN;
  while (performance.now() < deadline) {
    const after = sim.connects.filter((t) => t > tCut);
    if (after.length > 0) {
      firstRedial = Math.min(...after);
      break;
    }
    await delay(100);
  }
  progress(`storm: first redial ${((firstRedial - tCut) / 1000).toFixed(1)} s after the drop`);
  const edgesHoldAll = (x: ProcessSample): boolean =>
    x.connectedNodes >= n && x.queued === 0 && x.inFlight === 0 && x.heldPushes === 0;
  const settled = (x: ProcessSample): boolean => edgesHoldAll(x) && x.pendingRecordWrites === 0;
  let tResynced = NaN;
  let lastLog = 0;
  while (performance.now() < deadline) {
    sampler.throwIfFailed();
    const recent = sampler.samples.filter((x) => x.at > firstRedial).slice(-2);
    const [a, b] = recent;
    if (a !== undefined && b !== undefined && settled(a) && settled(b) && sim.counts().connected === n) {
      tResynced = a.at;
      break;
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      const last = sampler.samples.at(-1);
      progress(
        `storm: connected ${String(last?.connectedNodes ?? 0)}/${String(n)}, queued ${String(last?.queued ?? 0)}, in flight ${String(last?.inFlight ?? 0)}, record writes ${String(last?.pendingRecordWrites ?? 0)}`,
      );
    }
    await delay(250);
  }
  const lastRedial = Math.max(...sim.connects.filter((t) => t > tCut));
  const afterRedial = sampler.between(firstRedial, Number.isNaN(tResynced) ? Date.now() : tResynced);
  // Seconds from the first redial to the first of two samples in a row that pass `ok`.
  const firstAt = (ok: (x: ProcessSample) => boolean): number => {
    const i = afterRedial.findIndex((x, j) => {
      const next = afterRedial[j + 1];
      return next !== undefined && ok(x) && ok(next);
    });
    return ((afterRedial[i]?.at ?? tResynced) - firstRedial) / 1000;
  };
  await delay(30_000);
  watch.on = false;
  await watcher;
  const win = sampler.summarize(firstRedial, Number.isNaN(tResynced) ? Date.now() : tResynced);
  const whole = sampler.summarize(tCut, Date.now());
  const samples = sampler.between(tCut - 5_000, Date.now());
  const rates: [number, number][] = [];
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1];
    const cur = samples[i];
    if (prev === undefined || cur === undefined) continue;
    rates.push([
      (cur.at - tCut) / 1000,
      ((cur.kubeRequests - prev.kubeRequests) * 1000) / (cur.at - prev.at),
    ]);
  }
  const connected: [number, number][] = samples.map((x) => [(x.at - tCut) / 1000, x.connectedNodes]);
  const files = [
    await writeLineChart(resultsPath('storm.svg'), {
      title: `storm: ${String(n)} nodes drop at once and redial after 30 s`,
      xLabel: 'seconds since the drop',
      yLabel: 'nodes / requests per second',
      series: [
        { name: 'connected nodes', points: connected },
        { name: 'API requests/s', points: rates },
      ],
    }),
  ];
  await report({
    name: 'storm',
    description: `${String(n)} nodes drop at once and redial after EdgeCore's fixed 30 s`,
    parameters: { nodes: n, redial: 'fixed 30 s, then 5 dials 5 s apart', readyCheckSeconds: 15 },
    variants: [
      {
        name: 'resynced after first redial',
        value: (tResynced - firstRedial) / 1000,
        unit: 's',
        details: {
          firstRedialAfterDropSeconds: (firstRedial - tCut) / 1000,
          lastRedialAfterFirstSeconds: (lastRedial - firstRedial) / 1000,
          allConnectedAfterFirstRedialSeconds: firstAt((x) => x.connectedNodes >= n),
          edgesHoldAllAfterFirstRedialSeconds: firstAt(edgesHoldAll),
          target: '<= 60 s',
        },
      },
      {
        name: 'nodes NotReady',
        value: notReadySeen.size,
        unit: 'nodes',
        details: { readyChecks, sample: [...notReadySeen].slice(0, 5).join(' '), target: '0' },
      },
      { name: 'peak RSS', value: whole.rssMaxMiB, unit: 'MiB' },
      {
        name: 'API requests/s',
        value: win.kubeRequestsPerSecond,
        unit: 'req/s',
        details: { peakPerSecond: Math.round(Math.max(...rates.map(([, r]) => r))) },
      },
      {
        name: 'event-loop delay p99',
        value: win.loopP99Ms,
        unit: 'ms',
        details: {
          maxMs: win.loopMaxMs,
          p99Source: win.loopP99Source,
          cpuSeconds: win.cpuSeconds,
          slowSeconds: win.loopSlowSeconds,
          threadOnCpuShareInSlowSeconds: win.loopThreadOnCpuShare,
          gcShareInSlowSeconds: win.loopGcShare,
          gcMaxPauseInSlowSecondsMs: win.loopGcMaxPauseMs,
        },
      },
    ],
    series: {
      connectedOverTime: connected,
      apiRequestsPerSecond: rates.map(([t, r]) => [Math.round(t * 10) / 10, Math.round(r)]),
      rssMiBOverTime: samples.map((x) => [
        Math.round((x.at - tCut) / 100) / 10,
        Math.round(x.rssBytes / 104857.6) / 10,
      ]),
    },
    files,
    noRatios: true,
  });
}
