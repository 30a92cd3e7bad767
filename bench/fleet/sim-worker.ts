/**
 * One simulator process of the fleet bench (forked by bench/lib/sim-process.ts with an IPC channel): a
 * {@link Simulator} of N nodes, and what the bench needs to see from the edges without polling 10,000
 * stores:
 * - each node's store is wrapped (its `set`/`delete`) once the node exists, so the process reports when an
 *   edge stored a pod carrying the `bench/seq` annotation (write → edge latency, as
 *   downstream-latency.bench.ts takes it from the edge's push), when it stored a ConfigMap carrying
 *   `bench/version` (fan-out), and how many pod rows all edges hold. An edge ACKs a push in the same turn
 *   it stores it, so "stored" is "ACK sent".
 * - a stored ConfigMap keeps its metadata but not its data: 10,000 copies of a 1 MiB ConfigMap would be
 *   10 GiB in this process, and the bench only needs to know which version arrived.
 * - `cut-all` drops every link at once, without a close handshake (the storm).
 * Times are wall-clock ms (`performance.timeOrigin + performance.now()`), comparable across processes.
 * @module
 */
import { Simulator } from '../../src/sim/index.js';
import type { MetaStore, SimulatedEdgeNode, SimulatorCounts } from '../../src/sim/index.js';

/** What the parent sends. */
export type ToWorker =
  | {
      readonly type: 'start';
      readonly nodes: number;
      readonly prefix: string;
      readonly server: string;
      readonly httpServer: string;
      readonly token: string;
      readonly rampNodesPerSecond: number;
      readonly leasePeriodMs: number;
      readonly statusPeriodMs: number;
      readonly reconnect: 'fixed' | 'jittered';
    }
  | { readonly type: 'cut-all' }
  | { readonly type: 'stop' };

/** What the worker reports, batched every 250 ms. */
export interface WorkerReport {
  readonly type: 'report';
  readonly counts: SimulatorCounts;
  /** Pod rows held by all edges of this process. */
  readonly podsStored: number;
  /** [seq, at] of `bench/seq` pods first stored since the last report. */
  readonly seqs: readonly (readonly [string, number])[];
  /** [node, version, at] of `bench/version` ConfigMaps stored since the last report. */
  readonly versions: readonly (readonly [string, string, number])[];
  /** Times of link (re)connections since the last report. */
  readonly connects: readonly number[];
  /** Set once when `cut-all` is done: when it started. */
  readonly cutAt?: number;
  readonly stopped?: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();

let sim: Simulator | undefined;
const wrapped = new Set<string>();
let podsStored = 0;
const seen = new Set<string>();
let seqs: [string, number][] = [];
let versions: [string, string, number][] = [];
let connects: number[] = [];
let cutAt: number | undefined;

function annotation(content: unknown, name: string): string | undefined {
  const meta = (content as { metadata?: { annotations?: Record<string, string> } } | null)?.metadata;
  return meta?.annotations?.[name];
}

function wrap(node: SimulatedEdgeNode): void {
  const store: MetaStore = node.store;
  const set = store.set.bind(store);
  const del = store.delete.bind(store);
  for (const key of store.keys()) if (key.includes('/pod/')) podsStored += 1;
  store.set = (key, entry) => {
    const at = now();
    if (key.includes('/pod/')) {
      if (!store.has(key)) podsStored += 1;
      const seq = annotation(entry.content, 'bench/seq');
      if (seq !== undefined && !seen.has(seq)) {
        seen.add(seq);
        seqs.push([seq, at]);
      }
    } else if (key.includes('/configmap/')) {
      const version = annotation(entry.content, 'bench/version');
      if (version !== undefined) versions.push([node.nodeName, version, at]);
      const meta = (entry.content as { metadata?: unknown } | null)?.metadata;
      return set(key, { ...entry, content: { metadata: meta } });
    }
    return set(key, entry);
  };
  store.delete = (key) => {
    if (key.includes('/pod/') && store.has(key)) podsStored -= 1;
    return del(key);
  };
  node.on('connected', () => {
    connects.push(now());
  });
}

function wrapNew(): void {
  if (sim === undefined) return;
  for (const name of sim.nodeNames) {
    if (wrapped.has(name)) continue;
    const node = sim.node(name);
    if (node === undefined) continue;
    wrapped.add(name);
    wrap(node);
  }
}

function flush(extra: Partial<WorkerReport> = {}): void {
  if (sim === undefined || process.send === undefined) return;
  const msg: WorkerReport = {
    type: 'report',
    counts: sim.counts(),
    podsStored,
    seqs,
    versions,
    connects,
    ...(cutAt !== undefined ? { cutAt } : {}),
    ...extra,
  };
  seqs = [];
  versions = [];
  connects = [];
  process.send(msg);
}

const ticker = setInterval(() => {
  wrapNew();
  flush();
}, 250);

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start': {
      sim = new Simulator({
        nodes: msg.nodes,
        prefix: msg.prefix,
        server: msg.server,
        httpServer: msg.httpServer,
        token: msg.token,
        rampNodesPerSecond: msg.rampNodesPerSecond,
        leasePeriodMs: msg.leasePeriodMs,
        statusPeriodMs: msg.statusPeriodMs,
        reconnect: { kind: msg.reconnect },
      });
      // Nodes are wrapped as they join; the first connect of a node may come before its wrap, which
      // only loses that connect time (the storm counts redials, long after every node was wrapped).
      void sim.start();
      return;
    }
    case 'cut-all': {
      if (sim === undefined) return;
      wrapNew();
      cutAt = now();
      for (const name of sim.nodeNames) if (sim.node(name) !== undefined) sim.cut(name);
      flush();
      return;
    }
    case 'stop': {
      clearInterval(ticker);
      const running = sim;
      void (async () => {
        await running?.stop();
        flush({ stopped: true });
        process.disconnect();
      })();
      return;
    }
    default: {
      const unreachable: never = msg;
      return unreachable;
    }
  }
});
process.on('disconnect', () => {
  clearInterval(ticker);
  void sim?.stop().finally(() => process.exit(0));
});
