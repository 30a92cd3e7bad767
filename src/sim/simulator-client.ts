/**
 * Many simulated EdgeCores in one process: the load generator of issue 4. It joins and starts N
 * {@link SimulatedEdgeNode}s named `<prefix>-<i>` at a configurable ramp rate (nodes per second; a high
 * rate makes a connection storm on purpose), and gives tests and the `simulate` command one handle to
 * wait for conditions, inspect a node's store, cut or restart a node, and read aggregate counts.
 *
 * Memory per idle node is kept small by sharing: one CA PEM string for every identity, one traffic
 * counter object for every connection, no per-connection message log (`keepReceived: false`). Periodic
 * work stays on Node's own timers: Node keeps one list per distinct duration behind a single libuv timer,
 * so N nodes with the same lease period already share one timer list (an own timer wheel would save
 * only the ~100 bytes of each Timeout object).
 *
 * `delayLink` delays a node's frames in the edge itself (both directions, order kept) rather than in a
 * TCP proxy per node: the cloud sees the same late ACKs and requests, without a proxy per connection.
 * @module
 */
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { TrafficCounters } from './edge-client.js';
import { SimulatedEdgeNode } from './edge-node-client.js';
import type { SimulatedEdgeNodeOptions } from './edge-node-options.js';
import { joinWithToken } from './join-client.js';
import type { EdgeIdentity } from './join-client.js';
import { fullJitterDelayMs } from '../backoff/index.js';
import { reconnectBackoffDefaults } from './reconnect-backoff.js';
import type { ReconnectBackoff } from './reconnect-backoff.js';

/** The per-node settings every simulated node gets, as {@link SimulatedEdgeNodeOptions} documents them. */
type PerNodeSettings = Pick<
  SimulatedEdgeNodeOptions,
  | 'leasePeriodMs'
  | 'statusPeriodMs'
  | 'keepaliveIntervalMs'
  | 'podStartDelayMs'
  | 'requestTimeoutMs'
  | 'backoff'
  | 'reconnect'
  | 'shape'
  | 'sendEvents'
>;

/**
 * Options of {@link Simulator}; defaults in {@link simulatorDefaults}. The per-node settings are those of
 * {@link SimulatedEdgeNodeOptions}, applied to every node (`backoff` also paces join retries; one `shape`
 * object is shared by all nodes).
 */
export interface SimulatorOptions extends PerNodeSettings {
  /** How many nodes to run (1 or more). */
  readonly nodes: number;
  /** `host:port` of the hub (edgemark `--websocket-server`). */
  readonly server: string;
  /** `https://host:port` of the certificate server (edgemark `--http-server`). */
  readonly httpServer: string;
  /** The join token as `keadm gettoken` prints it. */
  readonly token: string;
  /** Node names are `<prefix>-<i>`, i from 0; default `sim-edge`. */
  readonly prefix?: string;
  /** Nodes started per second; default 100. `Infinity` starts them all at once (a storm). */
  readonly rampNodesPerSecond?: number;
  /** Called for every failure of a node (join, request, reconnect); default: counted only. */
  readonly onFailure?: (nodeName: string, err: Error) => void;
}

/** Aggregate state of a {@link Simulator}, read in O(N). */
export interface SimulatorCounts {
  /** Nodes configured. */
  readonly nodes: number;
  /** Nodes whose link to the hub is open. */
  readonly connected: number;
  /** Nodes whose Node registration succeeded (since their last start). */
  readonly registered: number;
  /** Pods the fake runtimes last reported Running. */
  readonly podsRunning: number;
  /** Frames received by all nodes since construction. */
  readonly messagesIn: number;
  /** Frames sent by all nodes since construction. */
  readonly messagesOut: number;
  /** Failures reported by all nodes since construction. */
  readonly failures: number;
}

/** Options of {@link Simulator.waitFor}. */
export interface WaitForOptions {
  /** Give up (reject) after this long, in ms; default 60,000. */
  readonly timeoutMs?: number;
  /** Pause between checks, in ms; default 100. */
  readonly intervalMs?: number;
}

type Defaults = Required<
  Pick<
    SimulatorOptions,
    | 'prefix'
    | 'rampNodesPerSecond'
    | 'leasePeriodMs'
    | 'statusPeriodMs'
    | 'keepaliveIntervalMs'
    | 'podStartDelayMs'
    | 'requestTimeoutMs'
    | 'sendEvents'
  >
>;

/** Defaults of {@link SimulatorOptions}. */
export const simulatorDefaults: Readonly<Defaults> = Object.freeze({
  prefix: 'sim-edge',
  rampNodesPerSecond: 100,
  leasePeriodMs: 10_000,
  statusPeriodMs: 300_000,
  keepaliveIntervalMs: 15_000,
  podStartDelayMs: 1_000,
  requestTimeoutMs: 60_000,
  sendEvents: false,
});

/**
 * N simulated EdgeCores. `start()` ramps them up; `stop()` stops them all. Nodes exist (for
 * {@link Simulator.node}) once they have joined. Not thread-safe across worker threads: one Simulator per
 * event loop. Events: `failure` (nodeName, Error).
 */
export class Simulator extends EventEmitter {
  readonly #options: SimulatorOptions;
  readonly #settings: Defaults;
  readonly #backoff: ReconnectBackoff;
  readonly #names: readonly string[];
  readonly #nodes = new Map<string, SimulatedEdgeNode>();
  readonly #registered = new Set<string>();
  readonly #counters: TrafficCounters = { messagesIn: 0, messagesOut: 0 };
  #failures = 0;
  #caPem: string | undefined;
  #abort = new AbortController();
  #isRunning = false;
  #starting: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    super();
    if (!Number.isInteger(options.nodes) || options.nodes < 1) {
      throw new RangeError(`Simulator: nodes must be an integer >= 1, got ${String(options.nodes)}`);
    }
    const d = simulatorDefaults;
    this.#settings = {
      prefix: options.prefix ?? d.prefix,
      rampNodesPerSecond: options.rampNodesPerSecond ?? d.rampNodesPerSecond,
      leasePeriodMs: options.leasePeriodMs ?? d.leasePeriodMs,
      statusPeriodMs: options.statusPeriodMs ?? d.statusPeriodMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? d.keepaliveIntervalMs,
      podStartDelayMs: options.podStartDelayMs ?? d.podStartDelayMs,
      requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
      sendEvents: options.sendEvents ?? d.sendEvents,
    };
    const { rampNodesPerSecond, leasePeriodMs, statusPeriodMs, keepaliveIntervalMs } = this.#settings;
    if (!(rampNodesPerSecond > 0)) {
      throw new RangeError(`Simulator: rampNodesPerSecond must be > 0, got ${String(rampNodesPerSecond)}`);
    }
    for (const [field, value] of Object.entries({ leasePeriodMs, statusPeriodMs, keepaliveIntervalMs })) {
      if (!(Number.isFinite(value) && value > 0))
        throw new RangeError(`Simulator: ${field} must be a finite number of ms > 0, got ${String(value)}`);
    }
    this.#options = options;
    this.#backoff = { ...reconnectBackoffDefaults, ...options.backoff };
    this.#names = Array.from({ length: options.nodes }, (_, i) => `${this.#settings.prefix}-${String(i)}`);
  }

  /** Node names in start order. */
  get nodeNames(): readonly string[] {
    return this.#names;
  }

  /**
   * Starts the nodes at the ramp rate; each joins (retrying with jittered backoff), connects and
   * registers. Resolves when every node has started (connected and registered once) or the simulator was
   * stopped meanwhile. Never rejects for a node's failure: failures are counted and emitted.
   */
  start(): Promise<void> {
    if (this.#starting !== undefined) return this.#starting;
    this.#isRunning = true;
    this.#abort = new AbortController();
    this.#starting = this.#ramp(this.#abort.signal);
    return this.#starting;
  }

  /** Stops every node (close handshake) and any pending join; resolves when all are stopped. */
  async stop(): Promise<void> {
    this.#isRunning = false;
    this.#abort.abort();
    await this.#starting;
    this.#starting = undefined;
    await Promise.all([...this.#nodes.values()].map((n) => n.stop()));
    this.#registered.clear();
  }

  /** The node called `name`, once it has joined (its `store`, `podStatuses`, events). */
  node(name: string): SimulatedEdgeNode | undefined {
    return this.#nodes.get(name);
  }

  /** Delays a node's link by `ms` each way (0 ends it), as a slow or distant edge link would. */
  delayLink(name: string, ms: number): void {
    this.#require(name).delayLink(ms);
  }

  /** Drops a node's link without a close handshake; it redials with jittered backoff. */
  cut(name: string): void {
    this.#require(name).cut();
  }

  /** Restarts a node like an EdgeCore process restart (re-registers, re-runs its stored pods). */
  async restart(name: string): Promise<void> {
    const node = this.#require(name);
    this.#registered.delete(name);
    await node.restart();
  }

  /** Aggregate counts; see {@link SimulatorCounts}. */
  counts(): SimulatorCounts {
    let connected = 0;
    let podsRunning = 0;
    for (const node of this.#nodes.values()) {
      if (node.isConnected) connected += 1;
      for (const status of node.podStatuses.values()) if (status?.phase === 'Running') podsRunning += 1;
    }
    return {
      nodes: this.#names.length,
      connected,
      registered: this.#registered.size,
      podsRunning,
      messagesIn: this.#counters.messagesIn,
      messagesOut: this.#counters.messagesOut,
      failures: this.#failures,
    };
  }

  /**
   * Resolves with the counts once `predicate` holds (checked now, then every `intervalMs`); rejects at
   * the deadline with the last counts in the message. The deadline bounds a hang, not a speed.
   */
  async waitFor(
    predicate: (counts: SimulatorCounts, sim: Simulator) => boolean,
    options: WaitForOptions = {},
  ): Promise<SimulatorCounts> {
    const deadline = performance.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const counts = this.counts();
      if (predicate(counts, this)) return counts;
      if (performance.now() > deadline)
        throw new Error(`Simulator.waitFor timed out; counts: ${JSON.stringify(counts)}`);
      await delay(options.intervalMs ?? 100);
    }
  }

  // A method, not a field read, so that the check after an await is not narrowed away.
  #shouldRun(): boolean {
    return this.#isRunning;
  }

  #require(name: string): SimulatedEdgeNode {
    const node = this.#nodes.get(name);
    if (node === undefined) throw new RangeError(`Simulator: no started node called ${name}`);
    return node;
  }

  async #ramp(signal: AbortSignal): Promise<void> {
    const intervalMs = 1000 / this.#settings.rampNodesPerSecond;
    const t0 = performance.now();
    const launches: Promise<void>[] = [];
    for (const [i, name] of this.#names.entries()) {
      const wait = t0 + i * intervalMs - performance.now();
      if (wait >= 1 && !(await pause(wait, signal))) break;
      if (!this.#isRunning) break;
      launches.push(this.#launch(name, signal));
    }
    await Promise.all(launches);
  }

  // Join (retrying with jittered backoff: a storm of joins must not fail the run), then start the node.
  async #launch(name: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; this.#isRunning; attempt++) {
      try {
        const node = this.#nodes.get(name) ?? this.#create(name, await this.#join(name));
        if (!this.#shouldRun()) return; // stopped during the join
        await node.start();
        return;
      } catch (err) {
        this.#fail(name, err);
        if (!(await pause(fullJitterDelayMs(attempt, this.#backoff, Math.random()), signal))) return;
      }
    }
  }

  async #join(name: string): Promise<EdgeIdentity> {
    const { httpServer, token } = this.#options;
    const identity = await joinWithToken({ httpServer, token, nodeName: name });
    // Every node holds the same CA; keep one string instead of N copies.
    if (this.#caPem === undefined) this.#caPem = identity.caPem;
    return identity.caPem === this.#caPem ? { ...identity, caPem: this.#caPem } : identity;
  }

  #create(name: string, identity: EdgeIdentity): SimulatedEdgeNode {
    const s = this.#settings;
    const o = this.#options;
    const nodeOptions: SimulatedEdgeNodeOptions = {
      nodeName: name,
      server: o.server,
      identity,
      join: { httpServer: o.httpServer, token: o.token },
      leasePeriodMs: s.leasePeriodMs,
      statusPeriodMs: s.statusPeriodMs,
      keepaliveIntervalMs: s.keepaliveIntervalMs,
      podStartDelayMs: s.podStartDelayMs,
      requestTimeoutMs: s.requestTimeoutMs,
      sendEvents: s.sendEvents,
      backoff: this.#backoff,
      counters: this.#counters,
      keepReceived: false,
      ...(o.shape !== undefined ? { shape: o.shape } : {}),
      ...(o.reconnect !== undefined ? { reconnect: o.reconnect } : {}),
    };
    const node = new SimulatedEdgeNode(nodeOptions);
    node.on('registered', () => this.#registered.add(name));
    node.on('failure', (err: Error) => {
      this.#fail(name, err);
    });
    this.#nodes.set(name, node);
    return node;
  }

  #fail(name: string, err: unknown): void {
    this.#failures += 1;
    const error = err instanceof Error ? err : new Error(String(err));
    this.#options.onFailure?.(name, error);
    if (this.listenerCount('failure') > 0) this.emit('failure', name, error);
  }
}

// Waits `ms`; resolves false instead of rejecting when `signal` aborts.
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
