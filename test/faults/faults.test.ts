/**
 * The fault suite (issue 13 item 6): an operator's bad day, against the real control plane, with the
 * controller as a child process so that kill -9 is a real crash (the in-process `stop()` flushes records
 * and is not one), restarted on the same ports, and the periodic repair off. Each scenario runs churn
 * (creates, updates, deletes of pods, ConfigMaps and Secrets) on its own namespace and edges, injects one
 * fault, and ends with every edge store equal to its desired set read fresh from the API server: pods by
 * UID and deletion state, ConfigMaps and Secrets by UID and data hash, the Node by UID. A timeout fails
 * with the diff (lost / extra / stale per node, with names and each one's ObjectSync record) and the
 * path of the controller's log. The edges are simulated EdgeCores redialling 1.5 s after a loss, and in
 * the last test one real EdgeCore (hollow, KubeEdge v1.23.1) with its real 30 s redial and its own store.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { HollowFleet } from '../support/hollow-edge/hollow-edge.js';
import { readEdgeStoreRows } from '../support/hollow-edge/edge-store.js';
import { prng } from '../support/prng.js';
import { Churn } from './churn.js';
import { FaultLab } from './fault-lab.js';
import { background, crashThenDeleteWhileDown } from './fault-steps.js';
import type { Convergence } from './fault-lab.js';
import { diffCounts } from './store-diff.js';

const getCluster = useLocalCluster();

/** Edges per scenario, and how long the edges may take to hold their desired sets after the fault. */
const edgesPerScenario = 4;
const convergeTimeoutMs = 40_000;
/** A real edge redials 30 s after a loss (then every 5 s): it gets that on top. */
const realEdgeConvergeTimeoutMs = 90_000;
const seed = Number(process.env.FAULTS_SEED ?? 13);

let lab: FaultLab;

/** A scenario's own namespace, simulated edges and churn. */
async function setUp(
  t: TestContext,
  name: string,
  salt: number,
  seedCounts = { pods: 40, configMaps: 8, secrets: 5 },
) {
  await lab.startController(); // a scenario that failed may have left it down
  const ns = await getCluster().namespace(`faults-${name}`);
  const nodes = await lab.addEdges(`faults-${name}`, edgesPerScenario);
  t.after(() => lab.removeEdges(nodes)); // pass or fail: the next scenario runs on a quiet machine
  const churn = new Churn({ admin: lab.admin, namespace: ns, nodes, random: prng(seed * 1000 + salt) });
  await churn.seed(seedCounts);
  return { ns, nodes, churn };
}

/** Reports the figures, then asserts convergence with the explained diff and the controller's log. */
async function assertConverged(t: TestContext, what: string, result: Convergence, timeoutMs: number) {
  t.diagnostic(
    `${what}: lost/extra/stale ${diffCounts(result.first)} at the first check (of ${String(result.first.desired)}); ` +
      (result.converged
        ? `converged in ${(result.ms / 1000).toFixed(1)} s`
        : `NOT converged after ${(result.ms / 1000).toFixed(1)} s: ${diffCounts(result.last)}`),
  );
  if (result.converged) return;
  assert.fail(
    `${what}: the edge stores did not reach their desired sets within ${String(timeoutMs)} ms ` +
      `(seed ${String(seed)}; controller log: ${lab.logPath})\n${await lab.explain(result.last)}`,
  );
}

/** Waits until the edges hold their desired sets, then asserts it. */
async function settle(t: TestContext, what: string, nodes: readonly string[], timeoutMs = convergeTimeoutMs) {
  await assertConverged(t, what, await lab.converge(nodes, timeoutMs), timeoutMs);
}

describe('faults: every edge store ends equal to its desired set, with the periodic repair off', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    lab = await FaultLab.start({ admin, kubeconfig: cluster.kubeconfigPath });
  });
  after(async () => {
    await (lab as FaultLab | undefined)?.close();
  });

  it('no fault: churn alone', async (t) => {
    const { nodes, churn } = await setUp(t, 'none', 0);
    const run = background(churn);
    await run.atLeast(60);
    await run.stop();
    await settle(t, `after churn ${JSON.stringify(churn.counts)}`, nodes);
  });

  it('(a) controller kill -9 mid-churn, restart', async (t) => {
    const { nodes, churn } = await setUp(t, 'crash', 1);
    await settle(t, 'before the fault', nodes);
    const run = background(churn);
    await run.atLeast(80);
    await lab.crashController();
    await run.atLeast(40); // writes while it is down
    await run.stop();
    await lab.startController();
    await settle(t, `after kill -9 mid-churn ${JSON.stringify(churn.counts)}`, nodes);
  });

  it('(b) kill -9 300 ms after creating 60 pods + 10 ConfigMaps, all deleted while it is down', async (t) => {
    const { nodes, churn } = await setUp(t, 'down-deletes', 2, { pods: 8, configMaps: 2, secrets: 2 });
    await settle(t, 'before the fault', nodes);
    await crashThenDeleteWhileDown(lab, churn, { nodes, pods: 60, configMaps: 10 });
    await settle(t, 'after 70 deletes while down', nodes);
  });

  it('(c) API server restart mid-churn', async (t) => {
    const { nodes, churn } = await setUp(t, 'apiserver', 3);
    await settle(t, 'before the fault', nodes);
    const run = background(churn);
    await run.atLeast(30);
    await getCluster().cluster.restartApiServer({ downMs: 5_000 });
    await run.atLeast(30);
    await run.stop();
    await settle(t, `after an API server restart mid-churn ${JSON.stringify(churn.counts)}`, nodes);
  });

  it('(d) edges cut mid-push, links delayed', async (t) => {
    const { nodes, churn } = await setUp(t, 'cuts', 4);
    await settle(t, 'before the fault', nodes);
    const cutNodes = nodes.slice(0, 3);
    lab.delayLinks(nodes.slice(1), 150); // slow links: more in flight when the cut comes
    for (let burst = 0; burst < 3; burst++) {
      const pushes = Promise.all([
        ...Array.from({ length: 15 }, (_, i) => churn.createPod(nodes[i % nodes.length])),
        ...churn.configMaps.map((name) => churn.updateData('configmaps', name)),
      ]);
      await delay(100);
      lab.cut(cutNodes); // the burst is in flight
      await pushes;
      await delay(200);
      lab.cut(cutNodes.slice(burst, burst + 1)); // again, while it redials or is resent to
    }
    lab.delayLinks(nodes, 0);
    await settle(t, 'after 6 link cuts under 3 bursts on delayed links', nodes);
  });

  it('(e1) an edge rebuilt empty under the same name with a token join (new certificate)', async (t) => {
    const { nodes, churn } = await setUp(t, 'rejoin', 5);
    await settle(t, 'before the fault', nodes);
    const [rebuilt = ''] = nodes;
    await lab.rebuildEdge(rebuilt, 'token');
    await churn.steps(10);
    await settle(t, `after ${rebuilt} re-joined empty`, nodes);
  });

  it('(e2) an edge whose store was wiped, certificate kept, restarted (node insert on start)', async (t) => {
    const { nodes, churn } = await setUp(t, 'wiped', 6);
    await settle(t, 'before the fault', nodes);
    const [rebuilt = ''] = nodes;
    await lab.rebuildEdge(rebuilt, 'wiped');
    await churn.steps(10);
    await settle(t, `after ${rebuilt} restarted with an empty store`, nodes);
  });

  it('(e3) an edge whose store was wiped, and the controller killed -9 while it refills it', async (t) => {
    const { nodes, churn } = await setUp(t, 'wiped-crash', 8, { pods: 80, configMaps: 10, secrets: 6 });
    await settle(t, 'before the fault', nodes);
    const [rebuilt = ''] = nodes;
    await lab.rebuildEdge(rebuilt, 'wiped'); // resolves once it connected and registered: the refill runs
    await lab.crashController();
    await churn.steps(10);
    await lab.startController();
    await settle(t, `after ${rebuilt} restarted empty and the controller crashed during its refill`, nodes);
  });

  describe('with a real EdgeCore (hollow, its own sqlite store, its real 30 s redial)', () => {
    let fleet: HollowFleet | undefined;
    after(async () => {
      await fleet?.cleanup();
    });

    it('(b) kill -9 300 ms after creating 20 pods + 5 ConfigMaps, all deleted while it is down', async (t) => {
      await lab.startController();
      fleet = await HollowFleet.create({
        token: lab.token,
        httpServer: lab.httpServer,
        websocketServer: lab.hubServer,
        namePrefix: 'faults-real',
        verbosity: 0,
      });
      const [edge] = await fleet.add(1);
      assert.ok(edge !== undefined);
      const node = edge.name;
      lab.watchStore(node, () =>
        existsSync(edge.dbPath)
          ? readEdgeStoreRows(edge.dbPath).map((row) => [row.key, JSON.parse(row.value) as unknown] as const)
          : [],
      );
      await eventually(() => lab.admin.request({ method: 'GET', path: `/api/v1/nodes/${node}` }), {
        timeoutMs: 60_000,
      });
      const ns = await getCluster().namespace('faults-real');
      const churn = new Churn({
        admin: lab.admin,
        namespace: ns,
        nodes: [node],
        random: prng(seed * 1000 + 7),
      });
      await churn.seed({ pods: 6, configMaps: 3, secrets: 2 });
      await settle(t, 'before the fault', [node], realEdgeConvergeTimeoutMs);
      await crashThenDeleteWhileDown(lab, churn, { nodes: [node], pods: 20, configMaps: 5 });
      await settle(t, 'after 25 deletes while down', [node], realEdgeConvergeTimeoutMs);
    });
  });
});
