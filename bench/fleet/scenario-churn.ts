/**
 * Scenario **churn of nodes**: `deletes` Nodes deleted one after another while about nodes ×
 * objectsPerNode ObjectSync records exist; per delete, the time until every record of that node is gone
 * (GET → 404) and the event-loop delay meanwhile.
 *
 * How the records come to exist: the fleet's pods and the fan-out ConfigMap reached every edge through
 * the controller, which wrote their records itself (real ones, ACKed). The rest, up to objectsPerNode per
 * node, are written here directly, in the controller's own shape (`recordBody` from src/sync; with
 * `status` = the object's resourceVersion as an ACK writes it when `recordStatus` is set, else empty as
 * before a first ACK) for real ConfigMaps (`churn-<j>`, their real UIDs). Delivering them through the
 * controller would need every pod to use 20 more ConfigMaps, which would change what the fleet scenario
 * measures and cost it 200,000 more pushes and record writes; the delete path only reads the records,
 * which are the same objects either way.
 *
 * The simulator is stopped first (every node offline, as after a site-wide outage): the controller's
 * repair walks connected nodes and would delete records of ConfigMaps their pods do not use, the very
 * records written here. Writes churn.json and churn.svg (time and event-loop max per delete).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseNodeName } from '../../src/protocol/index.js';
import { newSyncRecord, recordBody, recordStatusPatch } from '../../src/sync/index.js';
import { forEachConcurrent } from '../lib/concurrent.js';
import { median, quantile } from '../lib/process-sampler.js';
import { report, resultsPath } from '../lib/runner.js';
import { writeLineChart } from '../lib/svg-plot.js';
import type { FleetContext } from './context.js';
import { fanoutConfigMap, namespace, progress } from './context.js';

/** Options of {@link runChurn}. */
export interface ChurnOptions {
  readonly deletes: number;
  readonly objectsPerNode: number;
  /** Also write each direct record's status (one more API write per record). */
  readonly recordStatus: boolean;
}

const recordsPath = `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${namespace}/objectsyncs`;

async function countRecords(ctx: FleetContext): Promise<number> {
  const list = await ctx.admin.request<{ metadata: { remainingItemCount?: number }; items: unknown[] }>({
    method: 'GET',
    path: `${recordsPath}?limit=1`,
  });
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

interface ObjectRef {
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
}

export async function runChurn(ctx: FleetContext, o: ChurnOptions): Promise<void> {
  await ctx.ensureFleet();
  await ctx.stopSim();
  const controller = await ctx.ensureController();
  const { sampler } = controller;
  const nodes = ctx.nodeNames;
  const existing = await countRecords(ctx);
  const extrasPerNode = Math.max(0, Math.ceil((nodes.length * o.objectsPerNode - existing) / nodes.length));
  progress(
    `churn: ${String(existing)} records from delivery; writing ${String(extrasPerNode)} more per node (${String(extrasPerNode * nodes.length)})`,
  );
  const extras: ObjectRef[] = [];
  for (let j = 0; j < extrasPerNode; j++) {
    const cm = await ctx.admin.request<{ metadata: { uid: string; resourceVersion: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      body: { metadata: { name: `churn-${String(j)}` }, data: { j: String(j) } },
    });
    extras.push({
      name: `churn-${String(j)}`,
      uid: cm.metadata.uid,
      resourceVersion: cm.metadata.resourceVersion,
    });
  }
  const jobs = nodes.flatMap((node) => extras.map((object) => ({ node, object })));
  const tWrite = performance.now();
  await forEachConcurrent(
    jobs,
    ctx.settings.createConcurrency,
    async ({ node, object }) => {
      const name = parseNodeName(node);
      if (name === undefined) throw new Error(`not a node name: ${node}`);
      const record = newSyncRecord({
        node: name,
        uid: object.uid,
        namespace,
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: object.name,
        resourceVersion: object.resourceVersion,
      });
      if (record === undefined) throw new Error(`no record name for ${node}`);
      await ctx.admin.request({ method: 'POST', path: recordsPath, body: recordBody(record) });
      if (!o.recordStatus) return;
      await ctx.admin.request({
        method: 'PATCH',
        path: `${recordsPath}/${record.name}/status`,
        contentType: 'application/merge-patch+json',
        body: recordStatusPatch(object.resourceVersion),
      });
    },
    (done) => {
      progress(`churn: records written ${String(done)}/${String(jobs.length)}`);
    },
  );
  const writeSeconds = (performance.now() - tWrite) / 1000;
  const total = await countRecords(ctx);
  progress(`churn: ${String(total)} records (${writeSeconds.toFixed(1)} s to write ${String(jobs.length)})`);

  const fanout = await ctx.admin.request<{ metadata: { uid: string } }>({
    method: 'GET',
    path: `/api/v1/namespaces/${namespace}/configmaps/${fanoutConfigMap}`,
  });
  const step = Math.max(1, Math.floor(nodes.length / o.deletes));
  const victims = nodes.filter((_, i) => i % step === 0).slice(0, o.deletes);
  const podUids = new Map<string, string[]>();
  for (const p of ctx.pods) podUids.set(p.node, [...(podUids.get(p.node) ?? []), p.uid]);
  const perDelete: { node: string; ms: number; cleaned: number; loopMaxMs: number; loopP99Ms: number }[] = [];
  for (const [i, victim] of victims.entries()) {
    const uids = [...(podUids.get(victim) ?? []), fanout.metadata.uid, ...extras.map((e) => e.uid)];
    let remaining = uids.map((uid) => `${victim}.${uid}`);
    const present = async (name: string): Promise<boolean> =>
      ctx.admin.request({ method: 'GET', path: `${recordsPath}/${name}` }).then(
        () => true,
        () => false,
      );
    // Only records that exist count (a pod's record is written when it is first sent).
    remaining = (await Promise.all(remaining.map(async (r) => ((await present(r)) ? r : '')))).filter(
      (r) => r !== '',
    );
    const before = remaining.length;
    const t0 = Date.now();
    await ctx.admin.request({ method: 'DELETE', path: `/api/v1/nodes/${victim}` });
    const deadline = performance.now() + ctx.timeoutMs;
    while (remaining.length > 0 && performance.now() < deadline) {
      await delay(100);
      remaining = (await Promise.all(remaining.map(async (r) => ((await present(r)) ? r : '')))).filter(
        (r) => r !== '',
      );
    }
    const t1 = Date.now();
    // The next one-second sample covers the end of the delete.
    while ((sampler.samples.at(-1)?.at ?? 0) < t1 + 100) await delay(200);
    const loop = sampler.summarize(t0, t1 + 1100);
    perDelete.push({
      node: victim,
      ms: t1 - t0,
      cleaned: before - remaining.length,
      loopMaxMs: loop.loopMaxMs,
      loopP99Ms: loop.loopP99Ms,
    });
    if (i % 10 === 9) progress(`churn: ${String(i + 1)}/${String(victims.length)} deleted`);
  }
  const times = perDelete.map((d) => d.ms);
  const loopMax = perDelete.map((d) => d.loopMaxMs);
  const files = [
    await writeLineChart(resultsPath('churn.svg'), {
      title: `node delete with ${String(total)} records: time to clean and event-loop max`,
      xLabel: 'delete #',
      yLabel: 'ms',
      series: [
        { name: 'records gone after', points: perDelete.map((d, i) => [i + 1, d.ms]) },
        { name: 'event-loop max', points: perDelete.map((d, i) => [i + 1, d.loopMaxMs]) },
      ],
      hLines: [{ y: 500, label: 'loop max target 500 ms' }],
    }),
  ];
  await report({
    name: 'churn',
    description: `${String(victims.length)} nodes deleted one by one while ${String(total)} ObjectSync records exist`,
    parameters: {
      nodes: nodes.length,
      deletes: victims.length,
      objectsPerNode: o.objectsPerNode,
      recordsAtStart: total,
      recordsFromDelivery: existing,
      recordsWrittenDirectly: jobs.length,
      recordWriteSeconds: Math.round(writeSeconds * 10) / 10,
      recordStatus: o.recordStatus,
      nodesConnected: 0,
    },
    variants: [
      {
        name: 'records gone after (median)',
        value: median(times),
        unit: 'ms',
        details: { p99: quantile(times, 0.99), max: Math.max(...times), pollMs: 100 },
      },
      {
        name: 'event-loop max per delete',
        value: Math.max(...loopMax),
        unit: 'ms',
        details: {
          medianMs: median(loopMax),
          p99OfDeletesMs: Math.max(...perDelete.map((d) => d.loopP99Ms)),
          target: 'p99 <= 50 ms, max <= 500 ms',
        },
      },
      {
        name: 'records cleaned',
        value: perDelete.reduce((s, d) => s + d.cleaned, 0),
        unit: 'records',
        details: { perNode: median(perDelete.map((d) => d.cleaned)) },
      },
    ],
    series: { perDelete },
    files,
    noRatios: true,
  });
}
