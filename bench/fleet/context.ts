/**
 * What the fleet scenarios share, brought up once per run and only as far as a scenario needs: the local
 * control plane (`--node-monitor-grace-period 240s`), the controller process and its sampler, the
 * simulator processes (lease 60 s, status 120 s, EdgeCore's fixed redial), and the pods, bound by
 * `spec.nodeName`. Pods are created after their nodes registered: the control plane runs the pod garbage
 * collector, which deletes a pod bound to a Node that does not exist (after 40 s).
 *
 * Every pod's first container is the same; pod 0 of each node mounts ConfigMap `fanout` (small until the
 * fan-out scenario makes it ~1 MiB), so every node holds it.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import type { LocalCluster } from '../../src/local-cluster/index.js';
import { forEachConcurrent } from '../lib/concurrent.js';
import { createEdgeNode } from '../lib/edge-node.js';
import { readJoinToken, startControllerProcess } from '../lib/controller-process.js';
import type { ControllerPorts, ControllerProcess } from '../lib/controller-process.js';
import { ProcessSampler } from '../lib/process-sampler.js';
import { SimFleet, simNodeNames } from '../lib/sim-process.js';

/** The load model and sizes; every scenario reads what it needs. */
export interface FleetSettings {
  readonly nodes: number;
  readonly podsPerNode: number;
  readonly rampNodesPerSecond: number;
  readonly simProcesses: number;
  readonly leasePeriodSeconds: number;
  readonly statusPeriodSeconds: number;
  readonly gracePeriodSeconds: number;
  /** API writes the bench keeps in flight when it creates pods or records. */
  readonly createConcurrency: number;
  /** Bounds every wait (a hang, not a speed). */
  readonly timeoutSeconds: number;
  /** Extra `edge-controller run` flags. */
  readonly controllerArgs: readonly string[];
  /** The controller is killed (and the scenario fails) above this RSS: the machine is shared. */
  readonly maxControllerRssMiB: number;
  /** Extra Node flags of the controller process (a CPU profile of one scenario, say). */
  readonly controllerExecArgv: readonly string[];
}

export const namespace = 'fleet';
export const fanoutConfigMap = 'fanout';
const prefix = 'fleet';
// The controller's event-loop delay, second by second (process-sampler.ts says why).
const loopPreload = pathToFileURL(new URL('../lib/loop-delay-preload.ts', import.meta.url).pathname).href;

/** A pod of the fleet. */
export interface FleetPodRef {
  readonly name: string;
  readonly node: string;
  uid: string;
}

/** A controller process with its sampler, and when it was spawned (wall ms). */
export interface RunningController {
  readonly process: ControllerProcess;
  readonly sampler: ProcessSampler;
  readonly spawnedAt: number;
}

/** Writes a progress line to stderr with the time since the run started. */
export function progress(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** The shared state of one run. */
export class FleetContext {
  readonly settings: FleetSettings;
  readonly cluster: LocalCluster;
  readonly admin: KubeClient;
  readonly nodeNames: readonly string[];
  readonly pods: FleetPodRef[] = [];
  controller: RunningController | undefined;
  sim: SimFleet | undefined;
  #podsCreated = false;
  #ports: ControllerPorts | undefined;
  readonly #tmp: string;

  private constructor(settings: FleetSettings, cluster: LocalCluster, tmp: string) {
    this.settings = settings;
    this.cluster = cluster;
    this.#tmp = tmp;
    this.admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
    this.nodeNames = simNodeNames({ nodes: settings.nodes, processes: settings.simProcesses, prefix });
  }

  static async create(settings: FleetSettings): Promise<FleetContext> {
    progress('starting the local control plane');
    const cluster = await startLocalCluster({ nodeMonitorGracePeriodSeconds: settings.gracePeriodSeconds });
    const ctx = new FleetContext(settings, cluster, await mkdtemp(join(tmpdir(), 'bench-fleet-')));
    await ctx.admin.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: namespace } },
    });
    await ctx.admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      body: { metadata: { name: fanoutConfigMap, annotations: { 'bench/version': 'v0' } }, data: { v: '0' } },
    });
    return ctx;
  }

  get timeoutMs(): number {
    return this.settings.timeoutSeconds * 1000;
  }

  /**
   * Starts a controller process (stopping the running one first) and its sampler. A restart listens on
   * the ports of the first start: the simulated edges redial the address they know.
   */
  async startController(): Promise<RunningController> {
    await this.stopController();
    const ports = this.#ports;
    const loopFile = join(this.#tmp, `loop-${String(Date.now())}.jsonl`);
    const spawnedAt = Date.now();
    const proc = await startControllerProcess(this.cluster.kubeconfigPath, {
      args: this.settings.controllerArgs,
      ...(ports !== undefined ? { ports } : {}),
      execArgv: ['--import', loopPreload, ...this.settings.controllerExecArgv],
      env: { EDGE_BENCH_LOOP_FILE: loopFile },
    });
    this.#ports = proc.ports;
    const pid = proc.process.pid ?? 0;
    const sampler = new ProcessSampler(pid, proc.ports.metrics, loopFile);
    sampler.maxRssBytes = this.settings.maxControllerRssMiB * 1048576;
    sampler.onOverLimit = (rss) => {
      progress(`controller RSS ${String(Math.round(rss / 1048576))} MiB: over the guard, killed`);
      void proc.kill();
    };
    this.controller = { process: proc, sampler, spawnedAt };
    return this.controller;
  }

  async stopController(): Promise<void> {
    const c = this.controller;
    this.controller = undefined;
    if (c === undefined) return;
    c.sampler.stop();
    // A controller that stopped answering (it happens under load) is killed after 30 s.
    const timer = new AbortController();
    const stopped = c.process.stop().then(() => 'stopped' as const);
    const late = delay(30_000, 'late' as const, { signal: timer.signal }).catch(() => 'stopped' as const);
    const first = await Promise.race([stopped, late]);
    timer.abort();
    if (first === 'late') await c.process.kill();
  }

  /** The running controller; starts one when none runs (or the last one died: a later scenario goes on). */
  async ensureController(): Promise<RunningController> {
    const c = this.controller;
    const alive =
      c !== undefined && c.process.process.exitCode === null && c.process.process.signalCode === null;
    if (alive && c.sampler.failure === undefined) return c;
    return await this.startController();
  }

  /** Starts the simulator processes (the nodes join, connect and register at the ramp rate). */
  async startSim(): Promise<SimFleet> {
    const controller = await this.ensureController();
    if (this.sim !== undefined) return this.sim;
    const token = await readJoinToken(this.admin);
    const s = this.settings;
    this.sim = SimFleet.start({
      nodes: s.nodes,
      processes: s.simProcesses,
      prefix,
      hubPort: controller.process.ports.hub,
      httpsPort: controller.process.ports.https,
      token,
      rampNodesPerSecond: s.rampNodesPerSecond,
      leasePeriodMs: s.leasePeriodSeconds * 1000,
      statusPeriodMs: s.statusPeriodSeconds * 1000,
      reconnect: 'fixed',
    });
    return this.sim;
  }

  async stopSim(): Promise<void> {
    const sim = this.sim;
    this.sim = undefined;
    await sim?.stop();
  }

  /** Waits until every simulated node is connected and registered. */
  async waitRegistered(sim: SimFleet): Promise<void> {
    const n = this.settings.nodes;
    await sim.waitFor(
      (c) => c.connected === n && c.registered === n,
      this.timeoutMs,
      (c) => {
        progress(
          `connected ${String(c.connected)}/${String(n)}, registered ${String(c.registered)}, failures ${String(c.failures)}`,
        );
      },
    );
  }

  /**
   * The fleet's Nodes and pods written straight to the API server, with no edge connected (first sync
   * run alone: a cold start listing 100,000 pods without bringing up 10,000 edges first). The Nodes carry
   * the edge label and nothing else; no edge reports for them, so the node lifecycle controller taints
   * them unreachable after the grace period, and the pods tolerate every taint so none is evicted.
   */
  async seedWithoutEdges(): Promise<void> {
    const t0 = performance.now();
    await forEachConcurrent(
      this.nodeNames,
      this.settings.createConcurrency,
      async (name) => {
        await createEdgeNode(this.admin, name);
      },
      (done) => {
        progress(`nodes created: ${String(done)}/${String(this.nodeNames.length)}`);
      },
    );
    progress(
      `created ${String(this.nodeNames.length)} Nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await this.createPods({ tolerateAll: true });
  }

  /** Creates the pods (once), `createConcurrency` at a time; pod 0 of each node mounts the fan-out ConfigMap. */
  async createPods(options: { readonly tolerateAll?: boolean } = {}): Promise<void> {
    if (this.#podsCreated) return;
    this.#podsCreated = true;
    const refs: FleetPodRef[] = [];
    for (const node of this.nodeNames)
      for (let p = 0; p < this.settings.podsPerNode; p++)
        refs.push({ name: `${node}-p${String(p)}`, node, uid: '' });
    const t0 = performance.now();
    await forEachConcurrent(
      refs,
      this.settings.createConcurrency,
      async (ref, i) => {
        const created = await this.admin.request<{ metadata: { uid: string } }>({
          method: 'POST',
          path: `/api/v1/namespaces/${namespace}/pods`,
          body: fleetPod(
            ref.name,
            ref.node,
            i % this.settings.podsPerNode === 0,
            options.tolerateAll === true,
          ),
        });
        ref.uid = created.metadata.uid;
      },
      (done) => {
        progress(`pods created: ${String(done)}/${String(refs.length)}`);
      },
    );
    this.pods.push(...refs);
    progress(`created ${String(refs.length)} pods in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** Waits until the edges hold every pod. */
  async waitPodsStored(sim: SimFleet): Promise<void> {
    const want = this.settings.nodes * this.settings.podsPerNode;
    await sim.waitFor(
      (c) => c.podsStored >= want,
      this.timeoutMs,
      (c) => {
        progress(`pods on edges ${String(c.podsStored)}/${String(want)}, running ${String(c.podsRunning)}`);
      },
    );
  }

  /**
   * Waits until the fleet is at rest: the controller with nothing queued (pushes, record writes, held
   * pushes, edge requests) in two samples in a row, and the count of pods the edges report Running
   * unchanged for 10 s (all of them, or as many as will get there: a few may never start).
   */
  async waitSettled(sim: SimFleet): Promise<void> {
    const want = this.settings.nodes * this.settings.podsPerNode;
    const sampler = (await this.ensureController()).sampler;
    const deadline = performance.now() + this.timeoutMs;
    let lastLog = 0;
    let running = -1;
    let runningSince = performance.now();
    for (;;) {
      sampler.throwIfFailed();
      const now = sim.counts().podsRunning;
      if (now !== running) {
        running = now;
        runningSince = performance.now();
      }
      const steady = running >= want || performance.now() - runningSince > 10_000;
      if (steady && sampler.isSettled()) return;
      if (performance.now() > deadline) throw new Error('the fleet did not settle in time');
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const x = sampler.samples.at(-1);
        progress(
          `settling: pods running ${String(running)}/${String(want)}, upstream queued ${String(x?.upstreamQueued ?? 0)}, record writes ${String(x?.pendingRecordWrites ?? 0)}, held ${String(x?.heldPushes ?? 0)}`,
        );
      }
      await delay(500);
    }
  }

  /** Controller, simulator and pods all up and delivered, without measuring (a scenario run alone). */
  async ensureFleet(): Promise<SimFleet> {
    if (this.sim !== undefined && this.#podsCreated) return this.sim;
    const sim = await this.startSim();
    await this.waitRegistered(sim);
    await this.createPods();
    await this.waitPodsStored(sim);
    await this.waitSettled(sim);
    return sim;
  }

  /** Lists every Node of the fleet whose Ready condition is not True (paged). */
  async notReadyNodes(): Promise<string[]> {
    const fleet = new Set(this.nodeNames);
    const notReady: string[] = [];
    let cont: string | undefined;
    do {
      const page = await this.admin.request<{
        metadata: { continue?: string };
        items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
      }>({
        method: 'GET',
        path: `/api/v1/nodes?limit=1000${cont !== undefined ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      });
      for (const n of page.items) {
        if (!fleet.has(n.metadata.name)) continue;
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status !== 'True') notReady.push(n.metadata.name);
      }
      cont = page.metadata.continue === '' ? undefined : page.metadata.continue;
    } while (cont !== undefined);
    return notReady;
  }

  async close(): Promise<void> {
    await this.stopSim().catch(() => undefined);
    await this.stopController().catch(() => undefined);
    await this.cluster.stop();
    await rm(this.#tmp, { recursive: true, force: true });
  }
}

/** Polls the controller's `/readyz` until it answers 200; resolves with the wall time it did. */
export async function waitReady(metricsPort: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${String(metricsPort)}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return Date.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error('the controller was not ready in time');
    await delay(50);
  }
}

function fleetPod(
  name: string,
  node: string,
  mountsFanout: boolean,
  tolerateAll: boolean,
): Record<string, unknown> {
  return {
    metadata: { name, labels: { app: 'fleet' } },
    spec: {
      nodeName: node,
      ...(tolerateAll ? { tolerations: [{ operator: 'Exists' }] } : {}),
      containers: [
        {
          name: 'c',
          image: 'busybox',
          ...(mountsFanout ? { volumeMounts: [{ name: 'fanout', mountPath: '/fanout' }] } : {}),
        },
      ],
      ...(mountsFanout ? { volumes: [{ name: 'fanout', configMap: { name: fanoutConfigMap } }] } : {}),
    },
  };
}
