/**
 * Scenario **first sync**: with the fleet's pods (and Nodes) in the cluster, the controller is stopped and
 * started again; measured from the spawn of the new process until `/readyz` answers 200 (and until it
 * logged its start). The simulated nodes stay up and redial after EdgeCore's fixed 30 s, as a real fleet
 * does across a controller restart; the start does not wait for them. Writes first-sync.json.
 *
 * Run alone (no fleet up yet), the Nodes and pods are written straight to the API server and the
 * controller starts cold with no edge connected (`FleetContext.seedWithoutEdges`): at 100,000 pods this
 * takes minutes, where bringing the fleet up first takes hours on a 2-core machine (the edges' leases and
 * the delivery records compete for the API server's writes).
 * @module
 */
import { waitFor } from '../lib/controller-process.js';
import { report } from '../lib/runner.js';
import type { FleetContext } from './context.js';
import { namespace, progress, waitReady } from './context.js';

async function countOf(ctx: FleetContext, path: string): Promise<number> {
  const list = await ctx.admin.request<{ metadata: { remainingItemCount?: number }; items: unknown[] }>({
    method: 'GET',
    path: `${path}?limit=1`,
  });
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

export async function runFirstSync(ctx: FleetContext): Promise<void> {
  const isCold = ctx.sim === undefined && ctx.controller === undefined;
  if (isCold) await ctx.seedWithoutEdges();
  else await ctx.ensureFleet();
  const pods = await countOf(ctx, `/api/v1/namespaces/${namespace}/pods`);
  const nodes = await countOf(ctx, '/api/v1/nodes');
  // None on a cold start: the controller installs KubeEdge's CRDs when it first starts.
  const records = isCold
    ? 0
    : await countOf(ctx, `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${namespace}/objectsyncs`);
  progress(
    `first sync: restarting the controller with ${String(pods)} pods, ${String(nodes)} nodes, ${String(records)} records`,
  );
  await ctx.stopController();
  const running = await ctx.startController();
  const tStarted = Date.now();
  const tReady = await waitReady(running.process.ports.metrics, ctx.timeoutMs);
  const sample = await running.sampler.sample();
  // The fleet redials on its own (30 s after the drop); later scenarios need it back.
  if (ctx.sim !== undefined) {
    progress('first sync: waiting for the fleet to redial');
    await waitFor(() => {
      if ((running.sampler.samples.at(-1)?.connectedNodes ?? 0) < ctx.settings.nodes)
        throw new Error('not all back');
    }, ctx.timeoutMs);
  }
  await report({
    name: 'first-sync',
    description: 'controller start to ready (/readyz 200) with the fleet in the cluster',
    parameters: {
      pods,
      nodes,
      records,
      edges: isCold ? 'none (seeded straight to the API server)' : 'connected',
    },
    noRatios: true,
    variants: [
      {
        name: 'start to ready',
        value: (tReady - running.spawnedAt) / 1000,
        unit: 's',
        details: {
          startLineSeconds: (tStarted - running.spawnedAt) / 1000,
          rssAtReadyMiB: Math.round((sample?.rssBytes ?? NaN) / 104857.6) / 10,
          cpuSecondsAtReady: sample?.cpuSeconds ?? NaN,
        },
      },
    ],
  });
}
