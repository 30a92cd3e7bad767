/**
 * N controller replicas as child processes (`edge-controller run`, so kill -9 is a real crash) against one
 * control plane, behind two loopback balancers of the test's own (hub and certificate ports), with
 * simulated EdgeCores that dial the balancers and redial on EdgeCore's fixed 30 s schedule. Also reads
 * each replica's HA metrics and compares every edge store with its desired set read fresh from the API
 * server (the fault suite's views, test/faults/edge-view.ts). Shared by test/ha/replicas.test.ts and
 * bench/ha/.
 * @module
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../src/kube/index.js';
import { SimulatedEdgeNode, realEdgeReconnect } from '../../src/sim/index.js';
import type { ReconnectOptions } from '../../src/sim/index.js';
import { readJoinToken, startControllerProcess } from '../../bench/lib/controller-process.js';
import type { ControllerProcess } from '../../bench/lib/controller-process.js';
import { desiredViews, storeViews } from '../faults/edge-view.js';
import type { KubeObject, ObjectView } from '../faults/edge-view.js';
import { diffFleet, formatDiff, isConverged } from '../faults/store-diff.js';
import type { FleetDiff } from '../faults/store-diff.js';
import { Balancer } from './balancer.js';

/** The owner annotation (src/ha/ownership.ts), read by the tests from the Nodes. */
export const ownerAnnotation = 'edgecontroller.kubeedge.io/owner';

/** One replica process. */
export interface Replica {
  /** Slot in the set (0..N-1); a restarted replica keeps its slot and gets a new identity. */
  readonly slot: number;
  readonly process: ControllerProcess;
  /** Its identity (`<host>-<pid>` outside a pod, src/ha/identity.ts). */
  readonly identity: string;
}

/** The HA figures of one replica's /metrics. */
export interface HaFigures {
  readonly owned: number;
  readonly heldNotOwned: number;
  readonly connected: number;
  readonly queueDepth: number;
  readonly liveReplicas: number;
  readonly leader: number;
  readonly claims: Readonly<Record<string, number>>;
}

/** Options of {@link ReplicaSet.start}. */
export interface ReplicaSetOptions {
  readonly admin: KubeClient;
  readonly kubeconfig: string;
  readonly replicas: number;
  readonly workDir?: string;
  /** The edges' redial; default EdgeCore's (30 s, then rounds of 5 dials 5 s apart). */
  readonly reconnect?: ReconnectOptions;
  /** `modules.cloudHub.nodeLimit` (KubeEdge's default is 500 per replica). */
  readonly nodeLimit?: number;
  /** More `run` flags for every replica. */
  readonly args?: readonly string[];
}

/** See the module header. */
export class ReplicaSet {
  readonly admin: KubeClient;
  readonly hub: Balancer;
  readonly certs: Balancer;
  readonly workDir: string;
  readonly logPath: string;
  readonly replicas: (Replica | undefined)[] = [];
  readonly edges = new Map<string, SimulatedEdgeNode>();
  /** Stores of edges that are not simulated (a real EdgeCore's sqlite table), by node. */
  readonly #stores = new Map<string, () => Iterable<readonly [string, unknown]>>();
  readonly #o: ReplicaSetOptions;
  readonly #log: WriteStream;
  readonly #configPath: string;
  #token: string | undefined;

  private constructor(o: ReplicaSetOptions, workDir: string, hub: Balancer, certs: Balancer) {
    this.admin = o.admin;
    this.#o = o;
    this.workDir = workDir;
    this.hub = hub;
    this.certs = certs;
    this.logPath = join(workDir, 'replicas.log');
    this.#configPath = join(workDir, 'cloudcore.yaml');
    this.#log = createWriteStream(this.logPath, { flags: 'a' });
  }

  /** Starts the balancers and the replicas (the first alone: it creates the CA, the others load it). */
  static async start(o: ReplicaSetOptions): Promise<ReplicaSet> {
    const workDir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'edge-controller-ha-')));
    const set = new ReplicaSet(o, workDir, await Balancer.start(), await Balancer.start());
    // The periodic repair off: a handover must converge through the repair on connect alone.
    await writeFile(
      set.#configPath,
      [
        'apiVersion: cloudcore.config.kubeedge.io/v1alpha2',
        'kind: CloudCore',
        'modules:',
        '  cloudHub:',
        '    advertiseAddress: [127.0.0.1]',
        ...(o.nodeLimit !== undefined ? [`    nodeLimit: ${String(o.nodeLimit)}`] : []),
        "    tlsCAFile: ''",
        "    tlsCAKeyFile: ''",
        "    tlsCertFile: ''",
        "    tlsPrivateKeyFile: ''",
        'edgeController:',
        '  repairIntervalSeconds: 86400',
        '',
      ].join('\n'),
    );
    await set.startReplica(0);
    await Promise.all(Array.from({ length: o.replicas - 1 }, (_, i) => set.startReplica(i + 1)));
    set.#token = await readJoinToken(o.admin);
    return set;
  }

  /** Starts (or restarts) the replica in `slot` on new ports and puts it behind the balancers. */
  async startReplica(slot: number): Promise<Replica> {
    this.#log.write(`# ---- replica ${String(slot)} start at ${new Date().toISOString()}\n`);
    const process = await startControllerProcess(this.#o.kubeconfig, {
      args: [`--config=${this.#configPath}`, ...(this.#o.args ?? [])],
      onLine: (line) => this.#log.write(`[${String(slot)}] ${line}\n`),
    });
    const replica: Replica = { slot, process, identity: `${hostname()}-${String(process.process.pid)}` };
    this.replicas[slot] = replica;
    this.#route();
    return replica;
  }

  /** kill -9 (a crash): out of the balancers first, as a Service drops an endpoint that stops answering. */
  async kill(slot: number): Promise<void> {
    const replica = this.replicas[slot];
    this.replicas[slot] = undefined;
    this.#route();
    this.#log.write(`# ---- replica ${String(slot)} kill -9 at ${new Date().toISOString()}\n`);
    await replica?.process.kill();
  }

  /** SIGTERM and wait (a rolling restart's stop): out of the balancers first (the pod is terminating). */
  async stop(slot: number): Promise<void> {
    const replica = this.replicas[slot];
    this.replicas[slot] = undefined;
    this.#route();
    this.#log.write(`# ---- replica ${String(slot)} stop at ${new Date().toISOString()}\n`);
    await replica?.process.stop();
  }

  #route(): void {
    const live = this.replicas.filter((r): r is Replica => r !== undefined);
    this.hub.setBackends(live.map((r) => r.process.ports.hub));
    this.certs.setBackends(live.map((r) => r.process.ports.https));
  }

  /** Live replicas. */
  get live(): Replica[] {
    return this.replicas.filter((r): r is Replica => r !== undefined);
  }

  get token(): string {
    if (this.#token === undefined) throw new Error('no join token yet');
    return this.#token;
  }

  /** Joins (token, through the certificate balancer), connects (through the hub balancer) and registers. */
  async addEdges(prefix: string, count: number, start = 0): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(start + i)}`);
    // One at a time: the hub balancer's round robin then spreads them evenly over the replicas.
    for (const nodeName of names) {
      const edge = new SimulatedEdgeNode({
        nodeName,
        server: this.hub.address,
        join: { httpServer: `https://${this.certs.address}`, token: this.token },
        reconnect: this.#o.reconnect ?? realEdgeReconnect,
        podStartDelayMs: 200,
        requestTimeoutMs: 20_000,
        keepReceived: false,
      });
      edge.on('failure', () => undefined);
      this.edges.set(nodeName, edge);
      await edge.start();
    }
    return names;
  }

  /** Compares `node` by what `read` returns (store key → object): a real EdgeCore's own store. */
  watchStore(node: string, read: () => Iterable<readonly [string, unknown]>): void {
    this.#stores.set(node, read);
  }

  /** One replica's HA figures, from its /metrics. */
  async figures(replica: Replica): Promise<HaFigures> {
    const text = await (
      await fetch(`http://127.0.0.1:${String(replica.process.ports.metrics)}/metrics`)
    ).text();
    const value = (name: string, labels = ''): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const claims: Record<string, number> = {};
    for (const m of text.matchAll(/^edgecontroller_ha_claims_total\{result="([a-z_]+)"\} (\d+)/gm)) {
      claims[m[1] ?? ''] = Number(m[2]);
    }
    return {
      owned: value('edgecontroller_ha_nodes', '{state="owned"}'),
      heldNotOwned: value('edgecontroller_ha_nodes', '{state="held_not_owned"}'),
      connected: value('edgecontroller_hub_connected_nodes'),
      queueDepth: value('edgecontroller_hub_queue_depth'),
      liveReplicas: value('edgecontroller_ha_live_replicas'),
      leader: value('edgecontroller_ha_leader'),
      claims,
    };
  }

  /** The owner annotation of each node (undefined: none). */
  async owners(nodes: readonly string[]): Promise<Map<string, string | undefined>> {
    const list = await this.admin.request<{
      items: { metadata: { name: string; annotations?: Record<string, string> } }[];
    }>({ method: 'GET', path: '/api/v1/nodes' });
    const wanted = new Set(nodes);
    return new Map(
      list.items
        .filter((n) => wanted.has(n.metadata.name))
        .map((n) => [n.metadata.name, n.metadata.annotations?.[ownerAnnotation]]),
    );
  }

  /** The diff of `nodes` now: their stores against their desired sets. */
  async diff(nodes: readonly string[]): Promise<FleetDiff> {
    const list = async (path: string): Promise<KubeObject[]> =>
      (await this.admin.request<{ items: KubeObject[] }>({ method: 'GET', path })).items;
    const [n, pods, configMaps, secrets] = await Promise.all([
      list('/api/v1/nodes'),
      list('/api/v1/pods'),
      list('/api/v1/configmaps'),
      list('/api/v1/secrets'),
    ]);
    const desired = desiredViews({ nodes: n, pods, configMaps, secrets }, nodes);
    const actual = new Map<string, Map<string, ObjectView>>();
    for (const node of nodes) {
      const read = this.#stores.get(node);
      const store = this.edges.get(node)?.store;
      if (read !== undefined) {
        actual.set(node, storeViews(read()));
        continue;
      }
      actual.set(
        node,
        storeViews(store === undefined ? [] : [...store].map(([k, row]) => [k, row.content] as const)),
      );
    }
    return diffFleet(desired, actual);
  }

  /** Polls until every store of `nodes` equals its desired set; returns the last diff as text if not. */
  async converge(
    nodes: readonly string[],
    timeoutMs: number,
  ): Promise<{ ok: boolean; ms: number; text: string }> {
    const t0 = performance.now();
    for (;;) {
      const diff = await this.diff(nodes);
      if (isConverged(diff)) return { ok: true, ms: performance.now() - t0, text: '' };
      if (performance.now() - t0 > timeoutMs)
        return { ok: false, ms: performance.now() - t0, text: await this.#explain(diff) };
      await delay(500);
    }
  }

  /** The diff, each object with its ObjectSync record `<node>.<uid>` as the API server holds it now. */
  async #explain(diff: FleetDiff): Promise<string> {
    const records = new Map<string, string>();
    for (const resource of ['objectsyncs', 'clusterobjectsyncs']) {
      const list = await this.admin.request<{
        items: { metadata: { name: string }; status?: { objectResourceVersion?: string } }[];
      }>({ method: 'GET', path: `/apis/reliablesyncs.kubeedge.io/v1alpha1/${resource}` });
      for (const r of list.items)
        records.set(r.metadata.name, r.status?.objectResourceVersion ?? '(no status)');
    }
    return formatDiff(diff, 20, (node, view) => {
      const rv = records.get(`${node}.${view.uid}`);
      return rv === undefined ? 'no record' : `record rv ${rv}`;
    });
  }

  /** Stops every edge and replica, the balancers, and closes the log. */
  async close(): Promise<void> {
    await Promise.all([...this.edges.values()].map((e) => e.stop()));
    await Promise.all(this.live.map((r) => this.stop(r.slot)));
    await this.hub.close();
    await this.certs.close();
    await new Promise((resolve) => this.#log.end(resolve));
  }
}
