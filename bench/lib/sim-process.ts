/**
 * The simulated fleet in its own processes: K forked bench/fleet/sim-worker.ts processes, each running a
 * Simulator of its share of the nodes (prefix `<prefix><k>`, so node names are `<prefix><k>-<i>`), and
 * the sum of what they report: counts, pod rows held, when each `bench/seq` pod and each `bench/version`
 * ConfigMap reached an edge, and link (re)connections. The controller and the simulator never share an
 * event loop, so neither one's pauses show up in the other's figures.
 * @module
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorCounts } from '../../src/sim/index.js';
import type { ToWorker, WorkerReport } from '../fleet/sim-worker.js';

const workerTs = fileURLToPath(new URL('../fleet/sim-worker.ts', import.meta.url));

/** Options of {@link SimFleet.start}. */
export interface SimFleetOptions {
  readonly nodes: number;
  readonly processes: number;
  readonly prefix: string;
  readonly hubPort: number;
  readonly httpsPort: number;
  readonly token: string;
  readonly rampNodesPerSecond: number;
  readonly leasePeriodMs: number;
  readonly statusPeriodMs: number;
  readonly reconnect: 'fixed' | 'jittered';
}

/** The node names {@link SimFleet} will run for these options, in order. */
export function simNodeNames(o: Pick<SimFleetOptions, 'nodes' | 'processes' | 'prefix'>): string[] {
  return shares(o.nodes, o.processes).flatMap((n, k) =>
    Array.from({ length: n }, (_, i) => `${o.prefix}${String(k)}-${String(i)}`),
  );
}

function shares(nodes: number, processes: number): number[] {
  const k = Math.max(1, Math.min(processes, nodes));
  return Array.from({ length: k }, (_, i) => Math.floor(nodes / k) + (i < nodes % k ? 1 : 0));
}

interface WorkerState {
  readonly child: ChildProcess;
  last: WorkerReport | undefined;
  readonly exited: Promise<void>;
}

/** K simulator processes. */
export class SimFleet {
  /** First time each `bench/seq` value reached an edge (wall ms). */
  readonly seqs = new Map<string, number>();
  /** Per `bench/version` value: node → wall ms it reached that node. */
  readonly versions = new Map<string, Map<string, number>>();
  /** Every link (re)connection time (wall ms). */
  readonly connects: number[] = [];
  readonly #workers: WorkerState[];

  private constructor(workers: WorkerState[]) {
    this.#workers = workers;
  }

  /** Forks the processes and starts their simulators (they ramp in parallel, each at its share). */
  static start(o: SimFleetOptions): SimFleet {
    const counts = shares(o.nodes, o.processes);
    const workers: WorkerState[] = [];
    const fleet = new SimFleet(workers);
    counts.forEach((n, k) => {
      const child = fork(workerTs, [], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const state: WorkerState = {
        child,
        last: undefined,
        exited: new Promise((resolve) =>
          child.once('exit', () => {
            resolve();
          }),
        ),
      };
      child.on('message', (msg: WorkerReport) => {
        state.last = msg;
        for (const [seq, at] of msg.seqs) if (!fleet.seqs.has(seq)) fleet.seqs.set(seq, at);
        for (const [node, version, at] of msg.versions) {
          let byNode = fleet.versions.get(version);
          if (byNode === undefined) fleet.versions.set(version, (byNode = new Map<string, number>()));
          if (!byNode.has(node)) byNode.set(node, at);
        }
        for (const at of msg.connects) fleet.connects.push(at);
      });
      const start: ToWorker = {
        type: 'start',
        nodes: n,
        prefix: `${o.prefix}${String(k)}`,
        server: `127.0.0.1:${String(o.hubPort)}`,
        httpServer: `https://127.0.0.1:${String(o.httpsPort)}`,
        token: o.token,
        // Each process ramps its share, so together they ramp at the rate asked for.
        rampNodesPerSecond: o.rampNodesPerSecond / counts.length,
        leasePeriodMs: o.leasePeriodMs,
        statusPeriodMs: o.statusPeriodMs,
        reconnect: o.reconnect,
      };
      child.send(start);
      workers.push(state);
    });
    return fleet;
  }

  /** PIDs of the simulator processes. */
  get pids(): number[] {
    return this.#workers.map((w) => w.child.pid ?? 0);
  }

  /** Summed counts of the last reports. */
  counts(): SimulatorCounts & { readonly podsStored: number } {
    const sum = {
      nodes: 0,
      connected: 0,
      registered: 0,
      podsRunning: 0,
      messagesIn: 0,
      messagesOut: 0,
      failures: 0,
      podsStored: 0,
    };
    for (const w of this.#workers) {
      const c = w.last?.counts;
      if (c === undefined) continue;
      sum.nodes += c.nodes;
      sum.connected += c.connected;
      sum.registered += c.registered;
      sum.podsRunning += c.podsRunning;
      sum.messagesIn += c.messagesIn;
      sum.messagesOut += c.messagesOut;
      sum.failures += c.failures;
      sum.podsStored += w.last?.podsStored ?? 0;
    }
    return sum;
  }

  /** Drops every link of every process at once; resolves with the earliest cut time (wall ms). */
  async cutAll(): Promise<number> {
    const before = this.#workers.map((w) => w.last);
    for (const w of this.#workers) w.child.send({ type: 'cut-all' } satisfies ToWorker);
    for (;;) {
      const cuts = this.#workers.map((w, i) => (w.last !== before[i] ? w.last?.cutAt : undefined));
      if (cuts.every((c) => c !== undefined)) return Math.min(...cuts);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Polls `predicate` on the summed counts every 250 ms until it holds; throws after `timeoutMs`. */
  async waitFor(
    predicate: (c: ReturnType<SimFleet['counts']>) => boolean,
    timeoutMs: number,
    progress?: (c: ReturnType<SimFleet['counts']>) => void,
  ): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let lastProgress = 0;
    for (;;) {
      const c = this.counts();
      if (this.#workers.every((w) => w.last !== undefined) && predicate(c)) return;
      if (performance.now() > deadline) throw new Error(`simulator wait timed out: ${JSON.stringify(c)}`);
      if (progress !== undefined && performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        progress(c);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops every node (close handshake) and ends the processes. */
  async stop(): Promise<void> {
    for (const w of this.#workers) {
      if (w.child.connected) w.child.send({ type: 'stop' } satisfies ToWorker);
    }
    const all = Promise.all(this.#workers.map((w) => w.exited));
    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => {
        r('timeout');
      }, 60_000).unref(),
    );
    if ((await Promise.race([all, timeout])) === 'timeout') {
      for (const w of this.#workers) w.child.kill('SIGKILL');
      await all;
    }
  }
}
