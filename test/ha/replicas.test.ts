/**
 * Several replicas share one fleet through the Kubernetes API (issue 14): three `edge-controller run`
 * child processes against one real control plane, behind a loopback TCP balancer of the test's own
 * (round robin over the live replicas' hub ports, and one over their certificate ports), with simulated
 * EdgeCores that redial after a fixed 30 s and renew their leases every 10 s, as EdgeCore does. The
 * periodic repair is off: a handover converges through the new owner's repair on connect alone. The last
 * case runs one real EdgeCore (hollow, KubeEdge v1.23.1) with its own store and real 30 s redial.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { EdgeClient, JoinError, joinWithToken } from '../../src/sim/index.js';
import type { EdgeIdentity } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { HollowFleet } from '../support/hollow-edge/hollow-edge.js';
import { readEdgeStoreRows } from '../support/hollow-edge/edge-store.js';
import { eventually } from '../support/eventually.js';
import { prng } from '../support/prng.js';
import { Churn } from '../faults/churn.js';
import { background } from '../faults/fault-steps.js';
import { ReplicaSet } from './replica-set.js';
import type { HaFigures, Replica } from './replica-set.js';

const getCluster = useLocalCluster();

const replicaCount = 3;
const edgeCount = 6;
/** 30 s redial, then rounds of dials 5 s apart, the new owner's repair, and slack for a loaded machine. */
const handoverTimeoutMs = 100_000;

let set: ReplicaSet;
let nodes: string[];
let namespace: string;
let churn: Churn;
let fleet: HollowFleet | undefined;

/** Every live replica's figures, by identity. */
async function allFigures(): Promise<Map<string, HaFigures>> {
  const entries = await Promise.all(set.live.map(async (r) => [r.identity, await set.figures(r)] as const));
  return new Map(entries);
}

/**
 * Every node of the test is owned by exactly one live replica, connected there, and no replica keeps a
 * session or queue for a node it does not own (its metrics say so).
 */
async function assertOneOwnerEach(): Promise<Map<string, string | undefined>> {
  const owners = await set.owners(nodes);
  const live = new Set(set.live.map((r) => r.identity));
  for (const node of nodes) assert.ok(live.has(owners.get(node) ?? ''), `${node} is owned by a live replica`);
  const figures = await allFigures();
  let owned = 0;
  let connected = 0;
  for (const [identity, f] of figures) {
    assert.equal(f.heldNotOwned, 0, `${identity} keeps no session or queue for a node it does not own`);
    owned += f.owned;
    connected += f.connected;
  }
  assert.equal(owned, nodes.length, 'the replicas own every node once between them');
  assert.equal(connected, nodes.length, 'every edge is connected to one replica');
  return owners;
}

async function settle(t: TestContext, what: string): Promise<void> {
  const result = await set.converge(nodes, handoverTimeoutMs);
  t.diagnostic(`${what}: ${result.ok ? `converged in ${(result.ms / 1000).toFixed(1)} s` : 'NOT converged'}`);
  assert.ok(
    result.ok,
    `${what}: edge stores differ from their desired sets (log: ${set.logPath})\n${result.text}`,
  );
}

describe('several replicas share one fleet through the API', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    set = await ReplicaSet.start({ admin, kubeconfig: cluster.kubeconfigPath, replicas: replicaCount });
    nodes = await set.addEdges('ha', edgeCount);
    namespace = await getCluster().namespace('ha');
    churn = new Churn({ admin, namespace, nodes, random: prng(14) });
    await churn.seed({ pods: 24, configMaps: 6, secrets: 4 });
  });
  after(async () => {
    await fleet?.cleanup();
    await (set as ReplicaSet | undefined)?.close();
  });

  it('each replica holds at least one node, each node has one owner, and every edge holds its desired set', async (t) => {
    await eventually(
      async () => {
        await assertOneOwnerEach();
      },
      { timeoutMs: 30_000 },
    );
    const owners = await set.owners(nodes);
    for (const replica of set.live) {
      const held = nodes.filter((n) => owners.get(n) === replica.identity);
      assert.ok(held.length >= 1, `replica ${replica.identity} holds at least one node`);
      t.diagnostic(`${replica.identity}: ${held.join(', ')}`);
    }
    const figures = await allFigures();
    assert.equal([...figures.values()].filter((f) => f.leader === 1).length, 1, 'exactly one leader');
    for (const f of figures.values())
      assert.equal(f.liveReplicas, replicaCount, 'each sees every replica live');
    await settle(t, 'before any fault');
  });

  it('refuses a token join for a node connected to another replica', async () => {
    const owners = await set.owners(nodes);
    const node = nodes[0] ?? '';
    const other = set.live.find((r) => r.identity !== owners.get(node));
    assert.ok(other !== undefined);
    await assert.rejects(
      joinWithToken({
        httpServer: `https://127.0.0.1:${String(other.process.ports.https)}`,
        nodeName: node,
        token: set.token,
      }),
      (err: unknown) => err instanceof JoinError && err.status >= 400,
    );
  });

  it('kill -9 of a replica: its edges reconnect to the others and every edge store equals the desired set', async (t) => {
    const victim = set.live[0];
    assert.ok(victim !== undefined);
    const before = await set.owners(nodes);
    const moved = nodes.filter((n) => before.get(n) === victim.identity);
    assert.ok(moved.length >= 1);
    const run = background(churn);
    await run.atLeast(10);
    const t0 = performance.now();
    await set.kill(victim.slot);
    await run.atLeast(30);
    await run.stop();
    // Handed over: every node owned by a live replica (the killed one's Lease lapses; its edges redial).
    await eventually(
      async () => {
        await assertOneOwnerEach();
      },
      { timeoutMs: handoverTimeoutMs },
    );
    t.diagnostic(
      `${String(moved.length)} nodes handed over ${((performance.now() - t0) / 1000).toFixed(1)} s after the kill`,
    );
    await settle(t, 'after kill -9');
    const after = await set.owners(nodes);
    for (const node of nodes.filter((n) => !moved.includes(n)))
      assert.equal(after.get(node), before.get(node), `${node} (not on the killed replica) did not move`);
    await set.startReplica(victim.slot);
  });

  it('a rolling restart of every replica: no node NotReady, no lost update', async (t) => {
    // Watch every node's Ready condition for the whole restart.
    const notReady = new Map<string, number>();
    const watching = new AbortController();
    const watch = (async () => {
      while (!watching.signal.aborted) {
        const list = await set.admin
          .request<{
            items: {
              metadata: { name: string };
              status?: { conditions?: { type: string; status: string }[] };
            }[];
          }>({ method: 'GET', path: '/api/v1/nodes' })
          .catch(() => ({ items: [] }));
        for (const n of list.items) {
          if (!nodes.includes(n.metadata.name)) continue;
          const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
          if (ready !== 'True') notReady.set(n.metadata.name, (notReady.get(n.metadata.name) ?? 0) + 1);
        }
        await delay(1_000);
      }
    })();
    const run = background(churn);
    try {
      for (let slot = 0; slot < replicaCount; slot++) {
        const t0 = performance.now();
        await set.stop(slot);
        await set.startReplica(slot);
        await eventually(
          async () => {
            await assertOneOwnerEach();
          },
          { timeoutMs: handoverTimeoutMs },
        );
        t.diagnostic(
          `replica ${String(slot)} restarted; its edges back in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      await run.stop();
      watching.abort();
      await watch;
    }
    await settle(t, 'after the rolling restart');
    assert.deepEqual([...notReady], [], 'no node was seen NotReady during the rolling restart');
    t.diagnostic(`churn: ${JSON.stringify(churn.counts)}`);
  });

  it('two replicas racing for one node end with one owner', async (t) => {
    const [node] = await set.addEdges('ha-race', 1);
    assert.ok(node !== undefined);
    const edge = set.edges.get(node);
    await eventually(() => {
      assert.ok(edge?.identity !== undefined);
    });
    const identity = edge?.identity as EdgeIdentity;
    await edge?.stop();
    set.edges.delete(node);
    const [a, b] = set.live as [Replica, Replica];
    for (let round = 0; round < 4; round++) {
      const clients = [a, b].map(
        (r) =>
          new EdgeClient({
            server: `127.0.0.1:${String(r.process.ports.hub)}`,
            identity,
            keepaliveIntervalMs: 0,
          }),
      );
      // Both sessions open at once: both replicas claim on the same Node version.
      await Promise.all(clients.map((c) => c.connect().catch(() => undefined)));
      const winner = await eventually(
        async () => {
          const open = clients.map((c) => c.isOpen);
          assert.equal(
            open.filter(Boolean).length,
            1,
            `exactly one session stays open (round ${String(round)})`,
          );
          const holder = open[0] === true ? a : b;
          const owner = (await set.owners([node])).get(node);
          assert.equal(owner, holder.identity, 'the Node names the replica that holds the session');
          for (const r of [a, b]) assert.equal((await set.figures(r)).heldNotOwned, 0);
          return holder;
        },
        { timeoutMs: 30_000 },
      );
      t.diagnostic(`round ${String(round)}: ${winner.identity} holds it`);
      await Promise.all(clients.map((c) => c.close()));
    }
    const claims = await Promise.all([a, b].map((r) => set.figures(r)));
    t.diagnostic(`claims: ${JSON.stringify(claims.map((c) => c.claims))}`);
  });
  it('a real EdgeCore behind the balancer is handed over after kill -9 of its replica, its own store equal to its desired set', async (t) => {
    const { admin } = getCluster();
    fleet = await HollowFleet.create({
      token: set.token,
      httpServer: `https://${set.certs.address}`,
      websocketServer: set.hub.address,
      namePrefix: 'ha-real',
      verbosity: 0,
    });
    const [edge] = await fleet.add(1);
    assert.ok(edge !== undefined);
    const node = edge.name;
    set.watchStore(node, () =>
      existsSync(edge.dbPath)
        ? readEdgeStoreRows(edge.dbPath).map((row) => [row.key, JSON.parse(row.value) as unknown] as const)
        : [],
    );
    const ownerOf = async (): Promise<string> => {
      const owner = (await set.owners([node])).get(node) ?? '';
      assert.ok(
        set.live.some((r) => r.identity === owner),
        `${node} is owned by a live replica (${owner})`,
      );
      return owner;
    };
    const first = await eventually(ownerOf, { timeoutMs: 90_000 });
    const ns = await getCluster().namespace('ha-real');
    const work = new Churn({ admin, namespace: ns, nodes: [node], random: prng(15) });
    await work.seed({ pods: 6, configMaps: 2, secrets: 1 });
    const ready = await set.converge([node], handoverTimeoutMs);
    assert.ok(ready.ok, `the real edge holds its desired set before the kill\n${ready.text}`);
    const victim = set.live.find((r) => r.identity === first);
    assert.ok(victim !== undefined);
    const run = background(work, 1);
    await run.atLeast(5);
    const t0 = performance.now();
    await set.kill(victim.slot);
    await run.atLeast(10);
    await run.stop();
    const second = await eventually(
      async () => {
        const owner = await ownerOf();
        assert.notEqual(owner, first, 'claimed by another replica');
        return owner;
      },
      { timeoutMs: handoverTimeoutMs },
    );
    t.diagnostic(
      `real edge ${node}: ${first} -> ${second} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const result = await set.converge([node], handoverTimeoutMs);
    assert.ok(
      result.ok,
      `the real edge's store equals its desired set after the handover (log: ${set.logPath})\n${result.text}`,
    );
  });
});
