/**
 * The fault soak (issue 13 item 6): a seeded randomized run of rounds, each some churn (creates, updates,
 * deletes of pods, ConfigMaps and Secrets) with one random fault injected while it runs, then the check
 * of the fault suite: every edge store equal to its desired set read fresh from the API server (pods by
 * UID and deletion state, ConfigMaps and Secrets by UID and data hash, the Node by UID), with the periodic
 * repair off. The faults: controller kill -9 mid-churn; kill -9 shortly after a burst of creates, all of
 * them deleted while it is down; an API server restart; edge links cut mid-push; an edge rebuilt empty
 * (token join, or certificate kept and store wiped), and the wiped one with a controller crash during its
 * refill. The controller is a child process restarted on the
 * same ports; the edges are simulated EdgeCores redialling 1.5 s after a loss.
 *
 *   node --import tsx bench/faults/soak.bench.ts [--rounds 100] [--seed N] [--edges 5] [--ops 40] \
 *     [--converge-timeout-seconds 60] [--faults controller-crash,edge-cuts,...]
 *
 * A round that gives up is counted with what it left (later rounds are judged only on what they add), and
 * the controller is then restarted, so that one wedged process does not fail every later round.
 *
 * Reports rounds, faults injected by kind, objects lost / extra / stale left when a round gave up (must
 * be 0) and the time to converge after each fault (p50, p90, max). Writes bench/results/fault-soak.json
 * (fault-soak-<rounds>.json for another round count), and exits 1 if any round did not converge. The
 * seed is printed; `--seed` replays the same churn and fault sequence (timing still varies).
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import { Churn } from '../../test/faults/churn.js';
import type { ChurnCounts } from '../../test/faults/churn.js';
import { FaultLab } from '../../test/faults/fault-lab.js';
import { background, crashThenDeleteWhileDown } from '../../test/faults/fault-steps.js';
import { diffCounts, discrepancies } from '../../test/faults/store-diff.js';
import { prng } from '../../test/support/prng.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '100' },
    seed: { type: 'string' },
    edges: { type: 'string', default: '5' },
    ops: { type: 'string', default: '40' },
    'converge-timeout-seconds': { type: 'string', default: '60' },
    /** A comma-separated subset of the fault kinds; default all. */
    faults: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const edgeCount = Number(values.edges);
const opsPerRound = Number(values.ops);
const convergeTimeoutMs = Number(values['converge-timeout-seconds']) * 1000;
for (const [name, v] of Object.entries({ rounds, seed, edgeCount, opsPerRound, convergeTimeoutMs })) {
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(v)}`);
}

const faultKinds = [
  'controller-crash',
  'crash-then-deletes',
  'apiserver-restart',
  'edge-cuts',
  'edge-rejoin-token',
  'edge-wiped',
  'edge-wiped-then-crash',
] as const;
type FaultKind = (typeof faultKinds)[number];
const isFaultKind = (v: string): v is FaultKind => (faultKinds as readonly string[]).includes(v);
const chosenFaults: readonly FaultKind[] =
  values.faults === undefined
    ? faultKinds
    : values.faults.split(',').map((name) => {
        if (!isFaultKind(name))
          throw new RangeError(`--faults: unknown ${name}; known: ${faultKinds.join(', ')}`);
        return name;
      });

interface RoundResult {
  readonly round: number;
  readonly fault: FaultKind;
  readonly converged: boolean;
  readonly ms: number;
  readonly lost: number;
  readonly extra: number;
  readonly stale: number;
  readonly firstCheck: string;
}

process.stdout.write(
  `fault soak: seed ${String(seed)} (replay with --seed ${String(seed)}), ${String(rounds)} rounds\n`,
);
const random = prng(seed);
const pick = <T>(list: readonly T[]): T => {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
};

const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const lab = await FaultLab.start({ admin, kubeconfig: cluster.kubeconfigPath });
process.stdout.write(`controller log: ${lab.logPath}\n`);
const results: RoundResult[] = [];
const leftovers = new Set<string>();
// SIGINT/SIGTERM: finish the round, then report and stop everything started here (a second one exits).
const stop = { requested: false };
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.requested) process.exit(1);
    stop.requested = true;
    process.stdout.write(`${signal}: stopping after this round\n`);
  });
}
const churnCounts: Partial<ChurnCounts> = {};
const started = performance.now();
try {
  const namespace = 'fault-soak';
  await admin.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: namespace } },
  });
  // Pods need the namespace's default ServiceAccount (admission): wait for it.
  for (let i = 0; ; i++) {
    try {
      await admin.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/serviceaccounts/default` });
      break;
    } catch (err) {
      if (i > 240) throw err;
      await delay(250);
    }
  }
  const nodes = await lab.addEdges('soak', edgeCount);
  const churn = new Churn({ admin, namespace, nodes, random, maxPods: edgeCount * 20 });
  await churn.seed({ pods: edgeCount * 10, configMaps: 12, secrets: 6 });
  const initial = await lab.converge(nodes, convergeTimeoutMs);
  if (!initial.converged)
    throw new Error(`no convergence before the first fault:\n${await lab.explain(initial.last)}`);

  for (let round = 1; round <= rounds; round++) {
    const fault = pick(chosenFaults);
    const run = background(churn);
    await run.atLeast(Math.ceil(opsPerRound / 2));
    switch (fault) {
      case 'controller-crash':
        await lab.crashController();
        await run.atLeast(Math.ceil(opsPerRound / 4)); // writes while it is down
        await run.stop();
        await lab.startController();
        break;
      case 'crash-then-deletes':
        await run.stop();
        await crashThenDeleteWhileDown(lab, churn, {
          nodes,
          pods: 10 + Math.floor(random() * 40),
          configMaps: 2 + Math.floor(random() * 8),
          afterMs: Math.floor(random() * 600),
        });
        break;
      case 'apiserver-restart':
        await cluster.restartApiServer({ downMs: 1_000 + Math.floor(random() * 5_000) });
        await run.atLeast(Math.ceil(opsPerRound / 4));
        await run.stop();
        break;
      case 'edge-cuts': {
        const cut = nodes.filter(() => random() < 0.6);
        lab.cut(cut.length > 0 ? cut : [pick(nodes)]);
        await run.atLeast(Math.ceil(opsPerRound / 4));
        lab.cut([pick(nodes)]);
        await run.stop();
        break;
      }
      case 'edge-rejoin-token':
      case 'edge-wiped':
        await lab.rebuildEdge(pick(nodes), fault === 'edge-rejoin-token' ? 'token' : 'wiped');
        await run.atLeast(Math.ceil(opsPerRound / 4));
        await run.stop();
        break;
      case 'edge-wiped-then-crash':
        // The controller dies while it refills the wiped edge: the restarted one must still refill it.
        await lab.rebuildEdge(pick(nodes), 'wiped');
        await delay(Math.floor(random() * 500));
        await lab.crashController();
        await run.atLeast(Math.ceil(opsPerRound / 4));
        await run.stop();
        await lab.startController();
        break;
      default: {
        const unreachable: never = fault;
        throw new Error(`unknown fault ${String(unreachable)}`);
      }
    }
    Object.assign(churnCounts, churn.counts);
    const result = await lab.converge(nodes, convergeTimeoutMs, { known: leftovers });
    const row: RoundResult = {
      round,
      fault,
      converged: result.converged,
      ms: Math.round(result.ms),
      lost: result.last.lost,
      extra: result.last.extra,
      stale: result.last.stale,
      firstCheck: diffCounts(result.first),
    };
    results.push(row);
    process.stdout.write(
      `round ${String(round).padStart(3)} ${fault.padEnd(18)} first check ${row.firstCheck.padEnd(9)} ` +
        (row.converged
          ? `converged in ${(row.ms / 1000).toFixed(1)} s\n`
          : `NOT converged: ${diffCounts(result.last)}\n`),
    );
    if (!row.converged) {
      process.stdout.write(`${await lab.explain(result.last, 10)}\n`);
      // What this round left is counted here once; later rounds are judged on what they add.
      for (const line of discrepancies(result.last)) leftovers.add(line);
      // A wedged controller would fail every later round: restart it (the round is already counted).
      await lab.crashController();
      await lab.startController();
    }
    if (stop.requested) break;
  }
} finally {
  await lab.close();
  await cluster.stop();
}

const converged = results.filter((r) => r.converged);
const times = converged.map((r) => r.ms).sort((a, b) => a - b);
const quantile = (q: number): number =>
  times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
const byKind = Object.fromEntries(faultKinds.map((k) => [k, results.filter((r) => r.fault === k).length]));
const failedByKind = Object.fromEntries(
  faultKinds.map((k) => [k, results.filter((r) => r.fault === k && !r.converged).length]),
);
const sum = (pick: (r: RoundResult) => number): number => results.reduce((s, r) => s + pick(r), 0);
const lost = sum((r) => r.lost);
const extra = sum((r) => r.extra);
const stale = sum((r) => r.stale);
const notConverged = results.length - converged.length;
await report({
  name: rounds === 100 ? 'fault-soak' : `fault-soak-${String(rounds)}`,
  description:
    'seeded rounds of churn + one random fault, then every edge store checked against the API server',
  parameters: {
    rounds,
    seed,
    edges: edgeCount,
    opsPerRound,
    convergeTimeoutSeconds: convergeTimeoutMs / 1000,
    faults: chosenFaults.join(','),
    periodicRepair: false,
  },
  variants: [
    {
      name: 'rounds converged',
      value: converged.length,
      unit: `of ${String(results.length)}`,
      details: {
        roundsRun: results.length,
        notConverged,
        lost,
        extra,
        stale,
        faultsByKind: JSON.stringify(byKind),
        notConvergedByKind: JSON.stringify(failedByKind),
        convergeP50Ms: quantile(0.5),
        convergeP90Ms: quantile(0.9),
        convergeMaxMs: times.at(-1) ?? NaN,
        churn: JSON.stringify(churnCounts),
        perRound: JSON.stringify(
          results.map((r) => [r.round, r.fault, r.firstCheck, r.converged ? r.ms : 'not converged']),
        ),
        wallSeconds: Math.round((performance.now() - started) / 1000),
      },
    },
  ],
});
process.stdout.write(
  `  seed ${String(seed)}: ${String(results.length)} rounds, ${String(notConverged)} not converged; ` +
    `lost/extra/stale left ${String(lost)}/${String(extra)}/${String(stale)} (must be 0/0/0)\n` +
    `  faults: ${Object.entries(byKind)
      .map(([k, n]) => `${k} ${String(n)}`)
      .join(', ')}\n` +
    `  time to converge after the fault: p50 ${(quantile(0.5) / 1000).toFixed(1)} s, ` +
    `p90 ${(quantile(0.9) / 1000).toFixed(1)} s, max ${((times.at(-1) ?? NaN) / 1000).toFixed(1)} s\n`,
);
if (notConverged > 0) process.exitCode = 1;
