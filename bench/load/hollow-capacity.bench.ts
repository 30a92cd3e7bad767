/**
 * How many real EdgeCores (hollow, KubeEdge v1.23.1) this machine holds against one controller: a real
 * control plane, the controller as its own process, then hollow EdgeCores added 20 at a time. A step passes
 * when every edge of it is Ready within 120 s. It stops at the first step that does not, when the machine's
 * available memory drops under 2 GiB, or at N = 200. Reports N (Ready edges), why it stopped, memory per
 * hollow node (private = Private_Clean + Private_Dirty, and PSS, from /proc/<pid>/smaps_rollup, averaged
 * over the edges) and the controller's RSS and PSS.
 *
 *   node --import tsx bench/load/hollow-capacity.bench.ts [--step 20] [--max 200] [--ready-seconds 120] \
 *     [--min-free-gib 2]
 *
 * Needs root (the kubelet opens /dev/kmsg). Writes bench/results/hollow-capacity.json.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import { HollowFleet } from '../../test/support/hollow-edge/hollow-edge.js';
import { readJoinToken, startControllerProcess } from '../lib/controller-process.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    step: { type: 'string', default: '20' },
    max: { type: 'string', default: '200' },
    'ready-seconds': { type: 'string', default: '120' },
    'min-free-gib': { type: 'string', default: '2' },
  },
});
const step = Number(values.step);
const max = Number(values.max);
const readyMs = Number(values['ready-seconds']) * 1000;
const minFreeBytes = Number(values['min-free-gib']) * 2 ** 30;

interface Memory {
  readonly rss: number;
  readonly pss: number;
  readonly private: number;
}

/** RSS, PSS and private bytes of one process, from smaps_rollup (kB lines). */
async function memoryOf(pid: number): Promise<Memory> {
  const text = await readFile(`/proc/${String(pid)}/smaps_rollup`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return {
    rss: kib('Rss') * 1024,
    pss: kib('Pss') * 1024,
    private: (kib('Private_Clean') + kib('Private_Dirty')) * 1024,
  };
}

async function availableBytes(): Promise<number> {
  const text = await readFile('/proc/meminfo', 'utf8');
  return Number(/^MemAvailable:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
}

type NodeList = {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
};

async function readyNodes(admin: KubeClient, prefix: string): Promise<Set<string>> {
  const list = await admin.request<NodeList>({ method: 'GET', path: '/api/v1/nodes' });
  return new Set(
    list.items
      .filter((n) => n.metadata.name.startsWith(prefix))
      .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true)
      .map((n) => n.metadata.name),
  );
}

const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const controller = await startControllerProcess(cluster.kubeconfigPath);
const prefix = 'bench-hollow';
let fleet: HollowFleet | undefined;
try {
  const { ports } = controller;
  fleet = await HollowFleet.create({
    token: await readJoinToken(admin),
    httpServer: `https://127.0.0.1:${String(ports.https)}`,
    websocketServer: `127.0.0.1:${String(ports.hub)}`,
    namePrefix: prefix,
    verbosity: 0,
  });
  const steps: { nodes: number; secondsToReady: number; availableGiB: number }[] = [];
  let stopReason = `reached the maximum of ${String(max)}`;
  let readyCount = 0;
  while (fleet.edges.length < max) {
    if ((await availableBytes()) < minFreeBytes) {
      stopReason = `available memory under ${values['min-free-gib']} GiB`;
      break;
    }
    const started = performance.now();
    await fleet.add(Math.min(step, max - fleet.edges.length));
    const want = fleet.edges.map((e) => e.name);
    let ready = new Set<string>();
    while (performance.now() - started < readyMs) {
      ready = await readyNodes(admin, prefix);
      if (want.every((name) => ready.has(name))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const missing = want.filter((name) => !ready.has(name));
    const seconds = (performance.now() - started) / 1000;
    const availableGiB = (await availableBytes()) / 2 ** 30;
    steps.push({ nodes: want.length, secondsToReady: seconds, availableGiB });
    process.stdout.write(
      `${String(want.length)} edges: ${String(want.length - missing.length)} Ready after ${seconds.toFixed(1)} s, ` +
        `${availableGiB.toFixed(1)} GiB available\n`,
    );
    const dead = fleet.edges.filter((e) => !e.isRunning);
    if (dead.length > 0) {
      // Keep what the dead edges said before the fleet's data dirs are removed.
      const path = join(tmpdir(), 'hollow-capacity-dead-edges.log');
      await writeFile(
        path,
        dead.map((e) => `--- ${e.name} exit ${JSON.stringify(e.exit)}\n${e.logTail(60)}`).join('\n'),
      );
      process.stdout.write(`${String(dead.length)} edges exited; their log tails are in ${path}\n`);
    }
    if (missing.length > 0) {
      const ages = await Promise.all(
        missing.slice(0, 5).map(async (name) => {
          const renewTime = await admin
            .request<{ spec: { renewTime?: string } }>({
              method: 'GET',
              path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
            })
            .then((lease) => lease.spec.renewTime)
            .catch(() => undefined);
          const renewed = renewTime === undefined ? NaN : Date.parse(renewTime);
          return `${name}: lease renewed ${((Date.now() - renewed) / 1000).toFixed(0)} s ago, running ${String(fleet?.edges.find((e) => e.name === name)?.isRunning)}`;
        }),
      );
      process.stdout.write(`not Ready:\n  ${ages.join('\n  ')}\n`);
      stopReason = `at ${String(want.length)}, ${String(missing.length)} not Ready within ${String(readyMs / 1000)} s (${missing.slice(0, 5).join(', ')})`;
      break;
    }
    readyCount = want.length;
  }
  // The controller's own view of the run, for the note: what it refused, disconnected and how long edge
  // requests waited (its /metrics, unlabelled per node).
  const metricsText = await fetch(`http://127.0.0.1:${String(ports.metrics)}/metrics`).then((r) => r.text());
  const metricsPath = join(tmpdir(), 'hollow-capacity-controller-metrics.txt');
  await writeFile(metricsPath, metricsText);
  const interesting = metricsText
    .split('\n')
    .filter((line) =>
      /^edgecontroller_((upstream_rejects|hub_disconnects|upstream_requests)_total\{|upstream_queue_depth|upstream_latency_seconds_(sum|count))/.test(
        line,
      ),
    )
    .filter((line) => !line.endsWith(' 0'));
  process.stdout.write(`controller metrics (all in ${metricsPath}):\n  ${interesting.join('\n  ')}\n`);
  const perEdge = await Promise.all(fleet.edges.filter((e) => e.isRunning).map((e) => memoryOf(e.pid ?? 0)));
  const mean = (pick: (m: Memory) => number): number =>
    perEdge.reduce((sum, m) => sum + pick(m), 0) / Math.max(1, perEdge.length);
  const controllerMemory = await memoryOf(controller.process.pid ?? 0);
  const mib = (bytes: number): number => bytes / 2 ** 20;
  await report({
    name: 'hollow-capacity',
    description: 'real (hollow) KubeEdge EdgeCores one machine holds against one controller',
    parameters: { step, max, readySeconds: readyMs / 1000, minFreeGiB: Number(values['min-free-gib']) },
    variants: [
      {
        name: 'hollow edges Ready',
        value: readyCount,
        unit: 'nodes',
        details: {
          stopReason,
          steps: JSON.stringify(steps.map((s) => [s.nodes, Number(s.secondsToReady.toFixed(1))])),
          edgePrivateMiB: Number(mib(mean((m) => m.private)).toFixed(1)),
          edgePssMiB: Number(mib(mean((m) => m.pss)).toFixed(1)),
          edgeRssMiB: Number(mib(mean((m) => m.rss)).toFixed(1)),
          controllerRssMiB: Number(mib(controllerMemory.rss).toFixed(1)),
          controllerPssMiB: Number(mib(controllerMemory.pss).toFixed(1)),
        },
      },
    ],
  });
  process.stdout.write(
    `  stopped: ${stopReason}\n  per hollow edge: ${mib(mean((m) => m.private)).toFixed(1)} MiB private, ` +
      `${mib(mean((m) => m.pss)).toFixed(1)} MiB PSS; controller ${mib(controllerMemory.rss).toFixed(0)} MiB RSS\n`,
  );
} finally {
  await fleet?.cleanup();
  await controller.stop();
  await cluster.stop();
}
