/**
 * Which queued edge request the upstream worker runs next: two lanes, a global in-flight bound, a per-node
 * bound, per-object order and round-robin across nodes. Pure and synchronous (no timers, no I/O); the
 * worker (upstream-worker.ts) adds requests, asks {@link RequestScheduler.next} whenever a slot may have
 * freed, and reports {@link RequestScheduler.finish}.
 *
 * Why lanes (issue 6, KubeEdge #3567 and #5557): KubeEdge runs every upstream kind through channels and
 * workers of fixed size, so a node's reconnect flood of queries can delay every other node's lease until
 * the node controller marks them NotReady. Here status writes (`podpatch`, `nodepatch`, `podstatus`,
 * `nodestatus`, `lease`) take the `status` lane: it is served first, and `reservedStatusSlots` of
 * the global bound are never given to the `general` lane, so status always has capacity however many
 * queries wait. One start in {@link generalShareEvery} goes to the general lane first, so registrations
 * and queries still move while the API server only just keeps up with status writes. Nodes are served round-robin inside a lane, so one node's flood cannot delay another's.
 *
 * Admission (admission.ts, issue 12): waiting requests are capped per node as well as per lane, a full
 * lane takes its room from the node with the most waiting, and a node's own Lease is always admitted.
 * The scheduler also keeps each node's waiting bytes (`approxBytes`), for a per-node byte budget.
 *
 * Not promised: coalescing of several pending statuses for the same pod (each request gets its own reply,
 * so each is run); strict FIFO across different objects of one node (only requests on the same resource
 * path keep their order: one of them is in flight at a time).
 * @module
 */
import type { NodeName, UpstreamResourceType } from '../protocol/index.js';
import { decideAdmission } from './admission.js';
import type { AdmissionRefusal } from './admission.js';

/** A lane: `status` writes, or every other request (`general`). Closed: a metric label. */
export type Lane = 'status' | 'general';

/** What the scheduler needs of a request. */
export interface SchedulableRequest {
  readonly node: NodeName;
  readonly lane: Lane;
  /** Requests with the same key (the wire resource path) on the same node run one at a time, in order. */
  readonly key: string;
  /** Admitted whatever the caps (the node's own Lease); never given up to make room for another node. */
  readonly isAlwaysAdmitted: boolean;
  /** About how many bytes the request holds while it waits (its frame's content and header). */
  readonly approxBytes: number;
}

/** What {@link RequestScheduler.add} did: queued (perhaps refusing `evicted` to make room), or not. */
export type AddResult<T> =
  | { readonly added: true; readonly evicted?: T }
  | { readonly added: false; readonly reason: AdmissionRefusal };

/** One start in this many asks the general lane first (a quarter of the starts when both lanes wait). */
export const generalShareEvery = 4;

/** Limits of a {@link RequestScheduler}; validated by the worker's options. */
export interface SchedulerLimits {
  /** Requests in flight over all nodes and lanes. */
  readonly maxInFlight: number;
  /** Requests in flight per node, counted per lane. */
  readonly maxInFlightPerNode: number;
  /** Of `maxInFlight`, slots the `general` lane may never take. Less than `maxInFlight`. */
  readonly reservedStatusSlots: number;
  /** Requests waiting per lane; {@link RequestScheduler.add} refuses beyond it (or makes room, admission.ts). */
  readonly maxPendingPerLane: number;
  /** Requests waiting per node, counted per lane; {@link RequestScheduler.add} refuses beyond it. */
  readonly maxPendingPerNode: number;
}

/** How far into one node's queue `next` looks for a request whose key is not busy. */
const scanDepth = 64;

const statusTypes: ReadonlySet<UpstreamResourceType> = new Set<UpstreamResourceType>([
  'podpatch',
  'nodepatch',
  'podstatus',
  'nodestatus',
  'lease',
]);

/** The lane of a resource type: status writes go to `status`, everything else to `general`. */
export function laneOf(resourceType: UpstreamResourceType): Lane {
  return statusTypes.has(resourceType) ? 'status' : 'general';
}

interface LaneState<T> {
  /** Per node its waiting requests; Map order is the round-robin order. */
  readonly nodes: Map<NodeName, T[]>;
  pending: number;
  /**
   * How many nodes have each number of requests waiting (absent: none). At most `maxPendingPerNode`
   * keys: the longest queue is known without walking every node's (issue 15).
   */
  readonly lengths: Map<number, number>;
}

/** The queues and counters. Not thread-safe in any sense that matters: the worker calls it from one loop. */
export class RequestScheduler<T extends SchedulableRequest> {
  readonly #limits: SchedulerLimits;
  readonly #lanes: Record<Lane, LaneState<T>> = {
    status: { nodes: new Map(), pending: 0, lengths: new Map() },
    general: { nodes: new Map(), pending: 0, lengths: new Map() },
  };
  readonly #perNode = new Map<string, number>();
  readonly #busyKeys = new Set<string>();
  /** Per node, the `approxBytes` of its waiting requests (both lanes). */
  readonly #waitingBytes = new Map<NodeName, number>();
  #inFlight = 0;
  /** Requests started so far (for the general lane's share). */
  #starts = 0;

  constructor(limits: SchedulerLimits) {
    this.#limits = limits;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting in `lane`. */
  pending(lane: Lane): number {
    return this.#lanes[lane].pending;
  }

  /** Whether nothing waits and nothing runs. */
  get isIdle(): boolean {
    return this.#inFlight === 0 && this.#lanes.status.pending === 0 && this.#lanes.general.pending === 0;
  }

  /** The `approxBytes` of `node`'s waiting requests. */
  waitingBytes(node: NodeName): number {
    return this.#waitingBytes.get(node) ?? 0;
  }

  /**
   * Queues a request, or refuses it (nothing queued) by admission.ts's rules. When the lane is full and
   * another node holds far more of it, that node's newest waiting request is removed and returned as
   * `evicted`: the caller answers it.
   */
  add(request: T): AddResult<T> {
    const lane = this.#lanes[request.lane];
    const queue = lane.nodes.get(request.node);
    const nodePending = queue?.length ?? 0;
    const isFull = !request.isAlwaysAdmitted && lane.pending >= this.#limits.maxPendingPerLane;
    const admission = decideAdmission({
      isOwnLease: request.isAlwaysAdmitted,
      nodePending,
      lanePending: lane.pending,
      maxPendingPerNode: this.#limits.maxPendingPerNode,
      maxPendingPerLane: this.#limits.maxPendingPerLane,
      // Looked for only when the lane is full and some node has enough waiting to give room: then a scan
      // of the nodes with requests waiting in it. A full lane where no node could give room (the usual
      // case in a storm: every node with one or two waiting) costs no scan.
      heaviest: isFull && longestQueue(lane) > nodePending + 1 ? heaviestOf(lane, request.node) : undefined,
    });
    let evicted: T | undefined;
    switch (admission.action) {
      case 'refuse':
        return { added: false, reason: admission.reason };
      case 'evict':
        evicted = this.#evictNewest(request.lane, admission.victim);
        break;
      case 'admit':
        break;
    }
    if (queue === undefined) lane.nodes.set(request.node, [request]);
    else queue.push(request);
    resized(lane, nodePending, nodePending + 1);
    lane.pending += 1;
    this.#charge(request, request.approxBytes);
    return evicted === undefined ? { added: true } : { added: true, evicted };
  }

  /**
   * Replaces a waiting request of the same node and lane that `matches` (the newest such) with `request`,
   * in its place in the queue, and returns the replaced one; `undefined` (nothing changed) when none
   * matches. A request already running is never replaced.
   */
  replacePending(request: T, matches: (older: T) => boolean): T | undefined {
    const queue = this.#lanes[request.lane].nodes.get(request.node);
    if (queue === undefined) return undefined;
    for (let i = queue.length - 1; i >= 0; i -= 1) {
      const older = queue[i];
      if (older !== undefined && matches(older)) {
        queue[i] = request;
        this.#charge(older, -older.approxBytes);
        this.#charge(request, request.approxBytes);
        return older;
      }
    }
    return undefined;
  }

  /**
   * The next request to run, now counted in flight, or `undefined` when none may start: the global bound
   * is reached, or every waiting request's node is at its bound or its key is busy. The `status` lane is
   * asked first; the `general` lane only below `maxInFlight - reservedStatusSlots`.
   */
  next(): T | undefined {
    const { maxInFlight, reservedStatusSlots } = this.#limits;
    if (this.#inFlight >= maxInFlight) return undefined;
    const mayRunGeneral = this.#inFlight < maxInFlight - reservedStatusSlots;
    // One start in `generalShareEvery` asks the general lane first. Status strictly first starved it
    // whenever the API server could only just keep up with status: at 10,000 nodes on two cores, 10,000
    // node registrations waited in the general lane (lease queries and inserts moving, node inserts not)
    // while leases and node statuses took every slot, and the kubelets' retries filled the lane.
    const isGeneralTurn = mayRunGeneral && this.#starts % generalShareEvery === generalShareEvery - 1;
    const request = isGeneralTurn
      ? (this.#take('general') ?? this.#take('status'))
      : (this.#take('status') ?? (mayRunGeneral ? this.#take('general') : undefined));
    if (request === undefined) return undefined;
    this.#starts += 1;
    this.#inFlight += 1;
    const nodeKey = perNodeKey(request);
    this.#perNode.set(nodeKey, (this.#perNode.get(nodeKey) ?? 0) + 1);
    this.#busyKeys.add(busyKey(request));
    return request;
  }

  /** Reports that a request returned by {@link next} has finished. */
  finish(request: T): void {
    this.#inFlight -= 1;
    const nodeKey = perNodeKey(request);
    const count = (this.#perNode.get(nodeKey) ?? 1) - 1;
    if (count <= 0) this.#perNode.delete(nodeKey);
    else this.#perNode.set(nodeKey, count);
    this.#busyKeys.delete(busyKey(request));
  }

  /** Removes and returns `node`'s waiting requests, both lanes (a node disconnected for cause). */
  removeNode(node: NodeName): T[] {
    const removed: T[] = [];
    for (const lane of Object.values(this.#lanes)) {
      const queue = lane.nodes.get(node);
      if (queue === undefined) continue;
      lane.nodes.delete(node);
      resized(lane, queue.length, 0);
      lane.pending -= queue.length;
      removed.push(...queue);
    }
    this.#waitingBytes.delete(node);
    return removed;
  }

  /** Removes and returns every waiting request (the worker answers them when it cannot run them). */
  drainPending(): T[] {
    const all: T[] = [];
    for (const lane of Object.values(this.#lanes)) {
      for (const queue of lane.nodes.values()) all.push(...queue);
      lane.nodes.clear();
      lane.lengths.clear();
      lane.pending = 0;
    }
    this.#waitingBytes.clear();
    return all;
  }

  #charge(request: T, bytes: number): void {
    const total = (this.#waitingBytes.get(request.node) ?? 0) + bytes;
    if (total <= 0) this.#waitingBytes.delete(request.node);
    else this.#waitingBytes.set(request.node, total);
  }

  /** Removes `node`'s newest waiting request in `laneName` that may be given up. */
  #evictNewest(laneName: Lane, node: NodeName): T | undefined {
    const lane = this.#lanes[laneName];
    const queue = lane.nodes.get(node);
    if (queue === undefined) return undefined;
    for (let i = queue.length - 1; i >= 0; i -= 1) {
      const victim = queue[i];
      if (victim === undefined || victim.isAlwaysAdmitted) continue;
      queue.splice(i, 1);
      resized(lane, queue.length + 1, queue.length);
      lane.pending -= 1;
      if (queue.length === 0) lane.nodes.delete(node);
      this.#charge(victim, -victim.approxBytes);
      return victim;
    }
    return undefined;
  }

  #take(laneName: Lane): T | undefined {
    const lane = this.#lanes[laneName];
    for (const [node, queue] of lane.nodes) {
      if ((this.#perNode.get(`${laneName}\0${node}`) ?? 0) >= this.#limits.maxInFlightPerNode) continue;
      const depth = Math.min(queue.length, scanDepth);
      for (let i = 0; i < depth; i += 1) {
        const request = queue[i];
        if (request === undefined || this.#busyKeys.has(busyKey(request))) continue;
        queue.splice(i, 1);
        resized(lane, queue.length + 1, queue.length);
        lane.pending -= 1;
        this.#charge(request, -request.approxBytes);
        // Move the node to the end of the round-robin order (or drop it when it has nothing left).
        lane.nodes.delete(node);
        if (queue.length > 0) lane.nodes.set(node, queue);
        return request;
      }
    }
    return undefined;
  }
}

/** Moves a node from the nodes with `from` requests waiting to those with `to` (0: none). */
function resized<T>(lane: LaneState<T>, from: number, to: number): void {
  if (from === to) return;
  if (from > 0) {
    const left = (lane.lengths.get(from) ?? 1) - 1;
    if (left === 0) lane.lengths.delete(from);
    else lane.lengths.set(from, left);
  }
  if (to > 0) lane.lengths.set(to, (lane.lengths.get(to) ?? 0) + 1);
}

/** The most requests any one node has waiting in `lane` (0 when none). O(distinct lengths). */
function longestQueue<T>(lane: LaneState<T>): number {
  let longest = 0;
  for (const length of lane.lengths.keys()) if (length > longest) longest = length;
  return longest;
}

/** The node other than `except` with the most requests waiting in `lane`, if it has any. */
function heaviestOf<T>(
  lane: LaneState<T>,
  except: NodeName,
): { readonly node: NodeName; readonly pending: number } | undefined {
  let heaviest: { node: NodeName; pending: number } | undefined;
  for (const [node, queue] of lane.nodes) {
    if (node !== except && queue.length > (heaviest?.pending ?? 0))
      heaviest = { node, pending: queue.length };
  }
  return heaviest;
}

function perNodeKey(request: SchedulableRequest): string {
  return `${request.lane}\0${request.node}`;
}

function busyKey(request: SchedulableRequest): string {
  return `${request.lane}\0${request.node}\0${request.key}`;
}
