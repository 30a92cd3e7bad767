/**
 * Scenario **fan-out**: ConfigMap `fanout`, used by one pod on every node, is updated to the largest size
 * the API server accepts (found with dry-run creates, not assumed); the time until every node's edge
 * holds the new version (stored = ACKed in the same turn), the controller's event-loop delay meanwhile,
 * and an independent node's ConfigMap/Secret query round trip every 100 ms throughout (target p99 ≤ 1 s).
 * Writes fan-out.json, fan-out-acks.svg (nodes holding the new version over time) and fan-out-probe.svg
 * (the probe's round trips over time).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../src/kube/index.js';
import { quantile } from '../lib/process-sampler.js';
import { report, resultsPath } from '../lib/runner.js';
import { writeLineChart } from '../lib/svg-plot.js';
import type { FleetContext } from './context.js';
import { fanoutConfigMap, namespace, progress } from './context.js';
import { startQueryProbe } from './query-probe.js';

/** Options of {@link runFanOut}. */
export interface FanOutOptions {
  /** Data bytes of the ConfigMap; default: the most the API server accepts. */
  readonly bytes?: number;
  readonly probeIntervalMs: number;
}

const key = 'blob';

/**
 * The most data bytes (key + value) a ConfigMap may carry, found by dry-run creates: the API server
 * refuses more than 1 MiB of data (`MaxConfigMapSize`), and the request as a whole must stay under its
 * body limit.
 */
export async function maxConfigMapBytes(admin: KubeClient): Promise<number> {
  const accepts = async (bytes: number): Promise<boolean> =>
    admin
      .request({
        method: 'POST',
        path: `/api/v1/namespaces/${namespace}/configmaps?dryRun=All`,
        body: { metadata: { name: 'size-probe' }, data: { [key]: 'x'.repeat(bytes - key.length) } },
      })
      .then(
        () => true,
        () => false,
      );
  let lo = 1024; // accepted
  let hi = 2 * 1048576; // refused
  if (!(await accepts(lo))) throw new Error('the API server refuses even a 1 KiB ConfigMap');
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await accepts(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export async function runFanOut(ctx: FleetContext, o: FanOutOptions): Promise<void> {
  const sim = await ctx.ensureFleet();
  const controller = await ctx.ensureController();
  const { sampler } = controller;
  const bytes = o.bytes ?? (await maxConfigMapBytes(ctx.admin));
  progress(`fan-out: ConfigMap of ${String(bytes)} data bytes to ${String(ctx.settings.nodes)} nodes`);
  const probe = await startQueryProbe(ctx.admin, controller.process.ports, o.probeIntervalMs);
  const n = ctx.settings.nodes;
  const version = `v${String(Date.now())}`;
  const m = { t0: NaN, tWritten: NaN, arrivals: [] as number[], tAll: NaN };
  try {
    await delay(5_000);
    m.t0 = performance.timeOrigin + performance.now();
    await ctx.admin.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace}/configmaps/${fanoutConfigMap}`,
      contentType: 'application/merge-patch+json',
      body: {
        metadata: { annotations: { 'bench/version': version } },
        // `v` is the small ConfigMap's key: dropped, so the data is exactly `bytes`.
        data: { v: null, [key]: 'x'.repeat(bytes - key.length) },
      },
    });
    m.tWritten = performance.timeOrigin + performance.now();
    const deadline = performance.now() + ctx.timeoutMs;
    let lastLog = 0;
    while ((sim.versions.get(version)?.size ?? 0) < n && performance.now() < deadline) {
      sampler.throwIfFailed();
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        progress(`fan-out: ${String(sim.versions.get(version)?.size ?? 0)}/${String(n)} nodes hold it`);
      }
      await delay(100);
    }
    m.arrivals = [...(sim.versions.get(version)?.values() ?? [])].sort((a, b) => a - b);
    m.tAll = m.arrivals.length === n ? (m.arrivals.at(-1) ?? NaN) : NaN;
    await delay(3_000);
  } finally {
    await probe.stop();
  }
  const { t0, tWritten, arrivals, tAll } = m;
  const tEnd = Number.isNaN(tAll) ? Date.now() : tAll;
  const during = probe.samples.filter((p) => p.at >= t0 && p.at <= tEnd);
  const rtts = during.map((p) => p.rttMs);
  const loop = sampler.summarize(t0, tEnd + 1000);
  const ackPoints: [number, number][] = arrivals.map((at, i) => [(at - t0) / 1000, i + 1]);
  const probePoints: [number, number][] = probe.samples.map((p) => [(p.at - t0) / 1000, p.rttMs]);
  const files = [
    await writeLineChart(resultsPath('fan-out-acks.svg'), {
      title: `nodes holding the new ${String(Math.round(bytes / 1024))} KiB ConfigMap`,
      xLabel: 'seconds since the API write',
      yLabel: 'nodes',
      series: [{ name: 'nodes ACKed', points: ackPoints }],
    }),
    await writeLineChart(resultsPath('fan-out-probe.svg'), {
      title: 'independent node: ConfigMap/Secret query round trip during the fan-out',
      xLabel: 'seconds since the API write',
      yLabel: 'ms',
      series: [
        { name: 'query round trip', points: probePoints.filter(([, r]) => Number.isFinite(r)), dots: true },
      ],
      hLines: [{ y: 1000, label: 'p99 target 1 s' }],
    }),
  ];
  await report({
    name: 'fan-out',
    description: `a ${String(bytes)}-byte ConfigMap used by every one of ${String(n)} nodes, updated`,
    parameters: { nodes: n, bytes, probeIntervalMs: o.probeIntervalMs },
    variants: [
      {
        name: 'all nodes ACKed after',
        value: (tAll - t0) / 1000,
        unit: 's',
        details: {
          acked: arrivals.length,
          apiWriteMs: Math.round(tWritten - t0),
          firstAckSeconds: ((arrivals[0] ?? NaN) - t0) / 1000,
          medianAckSeconds: ((arrivals[Math.floor(arrivals.length / 2)] ?? NaN) - t0) / 1000,
        },
      },
      {
        name: 'probe query p99',
        value: quantile(rtts, 0.99),
        unit: 'ms',
        details: {
          p50: quantile(rtts, 0.5),
          max: Math.max(...rtts),
          queries: rtts.length,
          errorReplies: during.filter((p) => p.outcome === 'error').length,
          noReply: during.filter((p) => p.outcome === 'no-reply').length,
          firstError: during.find((p) => p.outcome === 'error')?.error ?? '',
          target: 'p99 <= 1000 ms',
        },
      },
      {
        name: 'event-loop delay p99',
        value: loop.loopP99Ms,
        unit: 'ms',
        details: {
          maxMs: loop.loopMaxMs,
          p99Source: loop.loopP99Source,
          slowSeconds: loop.loopSlowSeconds,
          threadOnCpuShareInSlowSeconds: loop.loopThreadOnCpuShare,
          gcShareInSlowSeconds: loop.loopGcShare,
          gcMaxPauseInSlowSecondsMs: loop.loopGcMaxPauseMs,
          rssMaxMiB: loop.rssMaxMiB,
          cpuSeconds: loop.cpuSeconds,
          target: 'p99 <= 50 ms, max <= 500 ms',
        },
      },
    ],
    series: {
      ackedOverTime: ackPoints.map(([t, c]) => [Math.round(t * 1000) / 1000, c]),
      probeOverTime: probePoints.map(([t, r]) => [
        Math.round(t * 1000) / 1000,
        Number.isFinite(r) ? Math.round(r * 10) / 10 : null,
      ]),
    },
    files,
    noRatios: true,
  });
}
