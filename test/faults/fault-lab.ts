/**
 * The fault lab: the controller as a child process (so SIGKILL is a real crash) restarted on the same hub,
 * HTTPS and metrics ports, with the periodic repair off (a cloudcore.yaml with a one-day repair interval);
 * a fleet of simulated EdgeCores whose stores are the edges' stores; the faults (crash, edge link cuts,
 * an edge rebuilt empty); and the check: poll until every edge store equals its desired set read fresh
 * from the API server, or give up with the diff. Shared by test/faults/faults.test.ts and the soak in
 * bench/faults/.
 * @module
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../src/kube/index.js';
import { JoinError, SimulatedEdgeNode } from '../../src/sim/index.js';
import type { EdgeIdentity, FixedReconnect, MetaStore } from '../../src/sim/index.js';
import { readJoinToken, startControllerProcess } from '../../bench/lib/controller-process.js';
import type { ControllerPorts, ControllerProcess } from '../../bench/lib/controller-process.js';
import { desiredViews, storeViews } from './edge-view.js';
import type { ClusterObjects, KubeObject, ObjectView } from './edge-view.js';
import { diffFleet, formatDiff, isConverged, withoutKnown } from './store-diff.js';
import type { FleetDiff } from './store-diff.js';

/** The redial of the lab's edges: the real edge's fixed schedule, scaled from 30 s/5 s to 1.5 s/1 s. */
export const fastRedial: FixedReconnect = Object.freeze({
  kind: 'fixed',
  delayMs: 1_500,
  dialsPerRound: 5,
  dialIntervalMs: 1_000,
});

/** An ObjectSync or ClusterObjectSync, as far as the evidence reads it. */
interface SyncRecord {
  readonly metadata: {
    readonly name: string;
    readonly managedFields?: readonly { readonly time?: string }[];
  };
  readonly status?: { readonly objectResourceVersion?: string };
}

/** How a convergence wait ended. */
export interface Convergence {
  readonly converged: boolean;
  /** From the call until equal (or until the timeout). */
  readonly ms: number;
  /** The diff at the first poll: what the fault left behind before the controller caught up. */
  readonly first: FleetDiff;
  /** The diff at the last poll: empty when converged. */
  readonly last: FleetDiff;
  /**
   * Pods marked for deletion at the last poll (deletion state matched on both sides counts as equal: a
   * simulated kubelet does not retry a failed upstream delete, so such a pod may stay marked).
   */
  readonly deleting: number;
}

/** Options of {@link FaultLab.start}. */
export interface FaultLabOptions {
  readonly admin: KubeClient;
  readonly kubeconfig: string;
  /** Where the controller's log goes (one file per lab); default: a new temp dir. */
  readonly workDir?: string;
}

/** See the module header. */
export class FaultLab {
  readonly admin: KubeClient;
  readonly workDir: string;
  /** The controller's log, every process appended. */
  readonly logPath: string;
  readonly edges = new Map<string, SimulatedEdgeNode>();
  /** Edge failures (request timeouts while the controller is down...), last few per node. */
  readonly edgeFailures = new Map<string, string[]>();
  readonly #kubeconfig: string;
  readonly #configPath: string;
  readonly #log: WriteStream;
  /** Stores of edges that are not the lab's simulated ones (a real EdgeCore's sqlite table). */
  readonly #stores = new Map<string, () => Iterable<readonly [string, unknown]>>();
  #controller: ControllerProcess | undefined;
  #ports: ControllerPorts | undefined;
  #token: string | undefined;
  #starts = 0;

  private constructor(o: FaultLabOptions, workDir: string) {
    this.admin = o.admin;
    this.#kubeconfig = o.kubeconfig;
    this.workDir = workDir;
    this.logPath = join(workDir, 'controller.log');
    this.#configPath = join(workDir, 'cloudcore.yaml');
    this.#log = createWriteStream(this.logPath, { flags: 'a' });
  }

  /** Writes the config and starts the controller on free ports, which every restart then reuses. */
  static async start(o: FaultLabOptions): Promise<FaultLab> {
    const workDir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'edge-controller-faults-')));
    const lab = new FaultLab(o, workDir);
    // The periodic repair off (once a day): convergence must come from the event-driven paths and the
    // repair on connect, not from a timer that papers over what they missed.
    await writeFile(
      lab.#configPath,
      [
        'apiVersion: cloudcore.config.kubeedge.io/v1alpha2',
        'kind: CloudCore',
        'modules:',
        '  cloudHub:',
        '    advertiseAddress: [127.0.0.1]',
        "    tlsCAFile: ''",
        "    tlsCAKeyFile: ''",
        "    tlsCertFile: ''",
        "    tlsPrivateKeyFile: ''",
        'edgeController:',
        '  repairIntervalSeconds: 86400',
        '',
      ].join('\n'),
    );
    await lab.startController();
    return lab;
  }

  get controller(): ControllerProcess | undefined {
    return this.#controller;
  }

  /** The join token (read once the first controller wrote it). */
  get token(): string {
    if (this.#token === undefined) throw new Error('no join token yet');
    return this.#token;
  }

  get hubServer(): string {
    return `127.0.0.1:${String(this.#ports?.hub ?? 0)}`;
  }

  get httpServer(): string {
    return `https://127.0.0.1:${String(this.#ports?.https ?? 0)}`;
  }

  /** Starts the controller (the same ports as the first start); a no-op if it runs. */
  async startController(): Promise<void> {
    if (this.#controller !== undefined) return;
    this.#starts += 1;
    this.#log.write(`# ---- controller start ${String(this.#starts)} at ${new Date().toISOString()}\n`);
    const controller = await startControllerProcess(this.#kubeconfig, {
      ...(this.#ports !== undefined ? { ports: this.#ports } : {}),
      args: [`--config=${this.#configPath}`],
      onLine: (line) => this.#log.write(line + '\n'),
    });
    this.#controller = controller;
    this.#ports ??= controller.ports;
    this.#token ??= await readJoinToken(this.admin);
  }

  /** kill -9: a crash, nothing flushed. */
  async crashController(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    this.#log.write(`# ---- kill -9 at ${new Date().toISOString()}\n`);
    await controller?.kill();
  }

  /** SIGTERM and wait (the planned stop). */
  async stopController(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    await controller?.stop();
  }

  #edgeNode(nodeName: string, identity?: EdgeIdentity): SimulatedEdgeNode {
    const token = this.#token;
    if (token === undefined) throw new Error('no join token yet');
    const edge = new SimulatedEdgeNode({
      nodeName,
      server: this.hubServer,
      ...(identity !== undefined ? { identity } : { join: { httpServer: this.httpServer, token } }),
      reconnect: fastRedial,
      podStartDelayMs: 200,
      requestTimeoutMs: 10_000,
      keepReceived: false,
    });
    edge.on('failure', (err: Error) => {
      const list = this.edgeFailures.get(nodeName) ?? [];
      list.push(err.message);
      if (list.length > 5) list.shift();
      this.edgeFailures.set(nodeName, list);
    });
    this.edges.set(nodeName, edge);
    return edge;
  }

  /** Joins (token), connects and registers `count` edges named `<prefix>-<i>`; returns their names. */
  async addEdges(prefix: string, count: number): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i)}`);
    await Promise.all(names.map((name) => this.#edgeNode(name).start()));
    return names;
  }

  /** Delays each edge's link by `ms` each way (0 ends it); kept across its reconnects. */
  delayLinks(names: readonly string[], ms: number): void {
    for (const name of names) this.edges.get(name)?.delayLink(ms);
  }

  /** Drops the link of each edge without a close handshake; they redial on their own. */
  cut(names: readonly string[]): void {
    for (const name of names) this.edges.get(name)?.cut();
  }

  /**
   * The edge rebuilt empty under the same name, and started: `token` joins again (a new certificate, as a
   * re-imaged machine with `keadm join`), `wiped` keeps the certificate and loses only the store. Either
   * way the new process registers its Node (`insert`) first, as EdgeCore does on every start.
   */
  async rebuildEdge(name: string, how: 'token' | 'wiped'): Promise<void> {
    const old = this.edges.get(name);
    if (old === undefined) throw new Error(`no edge ${name}`);
    const identity = old.identity;
    await old.stop();
    const edge = this.#edgeNode(name, how === 'wiped' ? identity : undefined);
    // The certificate server refuses a new identity while the old session is still open (401), as it
    // may be a moment after the old process died: `keadm join` run again is what an operator does.
    const deadline = performance.now() + 30_000;
    for (;;) {
      try {
        await edge.start();
        return;
      } catch (err) {
        if (!(err instanceof JoinError && err.status === 401) || performance.now() > deadline) throw err;
        await delay(500);
      }
    }
  }

  /** Stops edges (the store is kept) and forgets them. */
  async removeEdges(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.edges.get(name)?.stop() ?? Promise.resolve()));
    for (const name of names) this.edges.delete(name);
  }

  /**
   * Compares `node` by what `read` returns (store key → object) instead of a simulated edge's store: for a
   * real EdgeCore, the rows of its own sqlite `meta` table.
   */
  watchStore(node: string, read: () => Iterable<readonly [string, unknown]>): void {
    this.#stores.set(node, read);
  }

  /** What the API server holds now, read fresh. */
  async readCluster(): Promise<ClusterObjects> {
    const list = async (path: string): Promise<KubeObject[]> =>
      (await this.admin.request<{ items: KubeObject[] }>({ method: 'GET', path })).items;
    const [nodes, pods, configMaps, secrets] = await Promise.all([
      list('/api/v1/nodes'),
      list('/api/v1/pods'),
      list('/api/v1/configmaps'),
      list('/api/v1/secrets'),
    ]);
    return { nodes, pods, configMaps, secrets };
  }

  /** The diff of `nodes` now: their stores against their desired sets. */
  async diff(nodes: readonly string[]): Promise<{ diff: FleetDiff; deleting: number }> {
    const cluster = await this.readCluster();
    const desired = desiredViews(cluster, nodes);
    const actual = new Map<string, Map<string, ObjectView>>();
    for (const node of nodes) {
      const read = this.#stores.get(node);
      const store: MetaStore = this.edges.get(node)?.store ?? (new Map() as MetaStore);
      const rows = read !== undefined ? read() : [...store].map(([key, row]) => [key, row.content] as const);
      actual.set(node, storeViews(rows));
    }
    let deleting = 0;
    for (const set of desired.values()) for (const v of set.values()) if (v.state === 'deleting') deleting++;
    return { diff: diffFleet(desired, actual), deleting };
  }

  /**
   * Polls until every store of `nodes` equals its desired set, or `timeoutMs` passes. A poll that fails
   * (the API server restarting) counts as not converged. Discrepancies in `known` (left by an earlier
   * wait that gave up, store-diff.ts `discrepancies`) do not count.
   */
  async converge(
    nodes: readonly string[],
    timeoutMs: number,
    o: { readonly intervalMs?: number; readonly known?: ReadonlySet<string> } = {},
  ): Promise<Convergence> {
    const intervalMs = o.intervalMs ?? 500;
    const known = o.known ?? new Set<string>();
    const t0 = performance.now();
    let first: FleetDiff | undefined;
    let last: FleetDiff | undefined;
    let deleting = 0;
    for (;;) {
      try {
        const now = await this.diff(nodes);
        const diff = withoutKnown(now.diff, known);
        first ??= diff;
        last = diff;
        deleting = now.deleting;
        if (isConverged(diff)) {
          return { converged: true, ms: performance.now() - t0, first, last, deleting };
        }
      } catch {
        // the API server is not answering yet: poll again
      }
      if (performance.now() - t0 > timeoutMs) {
        if (first === undefined || last === undefined) {
          throw new Error(`the API server did not answer for ${String(timeoutMs)} ms`);
        }
        return { converged: false, ms: performance.now() - t0, first, last, deleting };
      }
      await delay(intervalMs);
    }
  }

  /**
   * The diff as text, each object annotated with its ObjectSync record `<node>.<uid>` as the API server
   * holds it now (`record rv N` or `no record`): the evidence of why repair did or did not act on it.
   */
  async explain(diff: FleetDiff, limit = 20): Promise<string> {
    const records = new Map<string, string>();
    for (const resource of ['objectsyncs', 'clusterobjectsyncs']) {
      try {
        const list = await this.admin.request<{ items: SyncRecord[] }>({
          method: 'GET',
          path: `/apis/reliablesyncs.kubeedge.io/v1alpha1/${resource}`,
        });
        for (const r of list.items) {
          const written = (r.metadata.managedFields ?? [])
            .map((f) => f.time ?? '')
            .sort()
            .at(-1);
          const rv = r.status?.objectResourceVersion ?? '(no status)';
          records.set(r.metadata.name, written === undefined ? rv : `${rv}, last written ${written}`);
        }
      } catch (err) {
        return `${formatDiff(diff, limit)}\n  (ObjectSync records unreadable: ${String(err)})`;
      }
    }
    const text = formatDiff(diff, limit, (node, view) => {
      const rv = records.get(`${node}.${view.uid}`);
      const record = rv === undefined ? 'no record' : `record rv ${rv}`;
      // Which message wrote the simulated edge's row: a push (`insert`, `update`...) or a reply the edge
      // stores (`response`: a podpatch or query reply).
      const [kind = '', namespace = '', name = ''] = view.key.split('/');
      const row = this.edges.get(node)?.store.get(`${namespace === '' ? 'null' : namespace}/${kind}/${name}`);
      return row === undefined ? record : `${record}; edge row written by ${row.operation}`;
    });
    return `${text}\n${await this.#metricsSummary()}`;
  }

  // The controller's own counters of what it dropped, wrote and repaired, non-zero ones only.
  async #metricsSummary(): Promise<string> {
    const port = this.#controller?.ports.metrics;
    if (port === undefined) return '  (controller down: no metrics)';
    try {
      const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      const lines = text
        .split('\n')
        .filter(
          (l) => /^edgecontroller_(sync_|hub_dropped|hub_resends)[a-z_]*(\{| )/.test(l) && !/ 0$/.test(l),
        );
      return `  controller metrics (non-zero):\n${lines.map((l) => `    ${l}`).join('\n')}`;
    } catch (err) {
      return `  (metrics unreadable: ${String(err)})`;
    }
  }

  /** Stops every edge and the controller, and closes the log. */
  async close(): Promise<void> {
    await Promise.all([...this.edges.values()].map((e) => e.stop()));
    await this.stopController();
    await new Promise((resolve) => this.#log.end(resolve));
  }
}
