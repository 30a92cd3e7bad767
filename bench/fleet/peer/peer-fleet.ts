/**
 * The simulated edges of the peer benchmark, the same for both systems: a {@link Simulator} with the
 * issue's load model (lease every 60 s, node status every 120 s, a real edge's fixed 30 s redial), and a
 * hook on every node's meta store so a scenario learns the moment an edge stores a pushed object: exact
 * receive times without polling, whichever system pushed it.
 * @module
 */
import type { MetaStore, Simulator as SimulatorType } from '../../../src/sim/index.js';
import { Simulator } from '../../../src/sim/index.js';
import type { RunningSystem } from './systems.js';

/** The load model of every figure (issue 15): lease period, status period. */
export const loadModel = Object.freeze({ leasePeriodMs: 60_000, statusPeriodMs: 120_000 });

/** Called when an edge stores a row: node, key (`ns/pod/name`), stored content. */
export type StoreListener = (nodeName: string, key: string, content: unknown) => void;

/** A started fleet and its store hook. */
export interface PeerFleet {
  readonly sim: SimulatorType;
  /** Replaces the listener told of every store write (one at a time; undefined to stop). */
  onStore(listener: StoreListener | undefined): void;
  /** Failures the simulated edges counted (join, request, reconnect) and the first few messages. */
  failures(): { readonly count: number; readonly first: readonly string[] };
  /** Whether `nodeName`'s edge holds `key`, and its content. */
  stored(nodeName: string, key: string): unknown;
  stop(): Promise<void>;
}

/** Options of {@link startPeerFleet}. */
export interface PeerFleetOptions {
  readonly system: RunningSystem;
  readonly nodes: number;
  /** Node names are `<prefix>-<i>`. */
  readonly prefix: string;
  /** Nodes started per second; default 100. */
  readonly rampNodesPerSecond?: number;
  /** Give up waiting for all connected and registered after this long; default 10 min. */
  readonly timeoutMs?: number;
}

/**
 * Starts `nodes` simulated edges against `system` and resolves once every one is connected and
 * registered, with the ms it took from the first start.
 */
export async function startPeerFleet(o: PeerFleetOptions): Promise<{ fleet: PeerFleet; connectMs: number }> {
  const sim = new Simulator({
    nodes: o.nodes,
    server: o.system.hubServer,
    httpServer: o.system.httpServer,
    token: o.system.token,
    prefix: o.prefix,
    rampNodesPerSecond: o.rampNodesPerSecond ?? 100,
    leasePeriodMs: loadModel.leasePeriodMs,
    statusPeriodMs: loadModel.statusPeriodMs,
    reconnect: { kind: 'fixed' },
  });
  let listener: StoreListener | undefined;
  // What a system's replies made the edges count as failures: kept for the report, a few verbatim.
  const firstFailures: string[] = [];
  sim.on('failure', (name: string, err: Error) => {
    if (firstFailures.length < 5) firstFailures.push(`${name}: ${err.message}`);
  });
  const hooked = new Set<string>();
  const hook = (name: string): void => {
    const node = sim.node(name);
    if (node === undefined || hooked.has(name)) return;
    hooked.add(name);
    const store: MetaStore = node.store;
    const set = store.set.bind(store);
    store.set = (key, entry) => {
      listener?.(name, key, entry.content);
      return set(key, entry);
    };
  };
  const started = performance.now();
  await sim.start();
  await sim.waitFor((c) => c.connected === o.nodes && c.registered === o.nodes, {
    timeoutMs: o.timeoutMs ?? 600_000,
    intervalMs: 250,
  });
  const connectMs = performance.now() - started;
  for (const name of sim.nodeNames) hook(name);
  return {
    connectMs,
    fleet: {
      sim,
      onStore: (l) => {
        listener = l;
      },
      failures: () => ({ count: sim.counts().failures, first: firstFailures }),
      stored: (nodeName, key) => sim.node(nodeName)?.store.get(key)?.content,
      stop: () => sim.stop(),
    },
  };
}
