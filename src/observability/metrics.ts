/**
 * The process's Prometheus metrics. One registry, made in main.ts and passed down; every metric is
 * declared here so docs/metrics.md can be checked against one list (a catalogue test does). Metrics never
 * carry a node label: with 10,000 nodes that would be 10,000 series per metric (STYLE.md B7).
 * @module
 */
import { readdir } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Reasons a WebSocket connection was refused or a session ended. */
export type DisconnectReason =
  | 'keepalive_timeout'
  | 'replaced'
  | 'bad_frames'
  | 'frame_too_large'
  | 'closed_by_edge'
  | 'socket_error'
  | 'node_deleted'
  | 'shutdown'
  | 'over_budget'
  | 'not_reading';

/** Metrics of the hub and the certificate server. */
export interface HubMetrics {
  readonly connectedNodes: Gauge;
  readonly connects: Counter<'result'>;
  readonly disconnects: Counter<'reason'>;
  readonly queueDepth: Gauge;
  readonly inFlight: Gauge;
  readonly ackLatency: Histogram;
  readonly resends: Counter;
  readonly droppedDeliveries: Counter<'reason'>;
  readonly badFrames: Counter<'reason'>;
  readonly unsupportedMessages: Counter<'reason'>;
  readonly bytes: Counter<'direction'>;
  readonly messages: Counter<'direction'>;
  readonly certificateIssuances: Counter<'method' | 'result'>;
  /** Inbound messages refused for an over-long envelope string (msg_id, resource, other), never echoed. */
  readonly refusedMessages: Counter<'reason'>;
  /** Connections closed before their TLS handshake or upgrade finished, by server (hub, certs) and reason. */
  readonly handshakesRefused: Counter<'server' | 'reason'>;
  /** `/edge.crt` requests answered 503 with a Retry-After because the certificate server was busy. */
  readonly certsBusyRefusals: Counter<'reason'>;
  /** Tells the queue gauges where to read their values at scrape time (the hub calls it once). */
  readonly setQueueSource: (source: () => QueueTotals) => void;
  /** Tells the memory gauge where to read the hub's byte ledger at scrape time (the hub calls it once). */
  readonly setMemorySource: (source: () => HubMemoryTotals) => void;
  /**
   * Content objects serialized for outbound frames, by resource type: once per object version, however
   * many nodes receive it (issue 15; `messages_total{direction="out"}` counts the frames).
   */
  readonly contentEncodes: Counter<'type'>;
  /** Batches the send scheduler wrote (each one turn of the event loop, bounded in bytes and time). */
  readonly sendBatches: Counter;
  /** Times bulk sending stopped because the bytes not yet drained reached the global send budget. */
  readonly sendBudgetWaits: Counter;
  /** Query replies replaced in a node's queue before they left, answered with the newer content. */
  readonly displacedReplies: Counter;
  /** Sessions whose socket completed no write for `sendStallMs`: their bytes left the send budget. */
  readonly sendStalls: Counter;
  /** Tells the send gauges where to read at scrape time (the hub calls it once). */
  readonly setSendSource: (source: () => HubSendTotals) => void;
}

/** The send scheduler's state (hub/send-scheduler-worker.ts). */
export interface HubSendTotals {
  /** Bytes handed to sockets and not yet drained, all nodes together. */
  readonly bufferedBytes: number;
  /** Nodes waiting for a turn to send. */
  readonly waitingNodes: number;
}

/** Bytes edge nodes' input makes the hub hold, over all nodes, by kind (hub/memory-budget.ts). */
export type HubMemoryTotals = readonly {
  readonly kind: 'replies' | 'partial_frames' | 'upstream';
  readonly bytes: number;
}[];

/** Queue sizes summed over all nodes. */
export interface QueueTotals {
  readonly depth: number;
  readonly inFlight: number;
}

/** Metrics of the upstream controller (edge requests → API). */
export interface UpstreamMetrics {
  readonly requests: Counter<'type' | 'operation' | 'result'>;
  readonly latency: Histogram<'lane'>;
  readonly rejects: Counter<'reason'>;
  readonly queueDepth: Gauge<'lane'>;
  /** Node leases the controller renewed for connected edges (shutdown, session opened), by result. */
  readonly leaseRenewals: Counter<'reason' | 'result'>;
  /** Tells the queue-depth gauge where to read at scrape time (main.ts calls it once). */
  readonly setDepthSource: (source: () => { readonly status: number; readonly general: number }) => void;
}

/** Metrics of the informers (one list-watch per collection; labelled by informer name, never by object). */
export interface InformerMetrics {
  readonly lists: Counter<'informer'>;
  readonly listDuration: Histogram<'informer'>;
  readonly watchRestarts: Counter<'informer' | 'reason'>;
  readonly events: Counter<'informer' | 'type'>;
  readonly handlerErrors: Counter<'informer'>;
  readonly malformed: Counter<'informer' | 'what'>;
  readonly lag: Gauge<'informer'>;
  /** Records that the informer heard from the API server now; the lag gauge reads it at scrape time. */
  readonly markHeard: (informer: string) => void;
}

/** The API client's limiter (kube/request-limiter.ts); structurally what `KubeClient` takes. */
export interface KubeMetrics {
  /** A request started after waiting `seconds` for a token or a slot, by class. */
  readonly observeWait: (cls: KubeRequestClass, seconds: number) => void;
  /** Where the waiting and in-flight gauges read at scrape time (the client calls it once). */
  readonly setLimiterSource: (
    source: () => { readonly waiting: Readonly<Record<KubeRequestClass, number>>; readonly inFlight: number },
  ) => void;
}

/** The limiter's classes, in serving order (kube/request-limiter.ts `requestClasses`). */
const kubeRequestClasses = ['node', 'pod', 'records', 'bulk'] as const;
type KubeRequestClass = (typeof kubeRequestClasses)[number];

/** Metrics of reliable sync (ObjectSync records, the record-before-first-send gate, repair, resync). */
export interface SyncMetrics {
  readonly recordWrites: Counter<'operation' | 'result'>;
  readonly repairActions: Counter<'action'>;
  readonly resyncs: Counter<'reason'>;
  readonly pendingRecordWrites: Gauge;
  readonly heldPushes: Gauge;
  /** Where the two gauges read from at scrape time (the sync worker). */
  readonly setSources: (sources: {
    readonly pendingRecordWrites: () => number;
    readonly heldPushes: () => number;
  }) => void;
}

/** Metrics of the replica set (src/ha/): node ownership, this replica's Lease and leadership. */
export interface HaMetrics {
  readonly claims: Counter<'result'>;
  readonly releases: Counter<'reason'>;
  /** Where the gauges read from at scrape time (the HA worker and the hub). */
  readonly setSources: (sources: {
    /** Nodes by state: `owned`, `held_not_owned`. */
    readonly nodes: () => readonly { readonly state: string; readonly count: number }[];
    readonly liveReplicas: () => number;
    readonly leader: () => boolean;
  }) => void;
}

/** The registry and every metric in it. */
export interface Metrics {
  readonly registry: Registry;
  readonly hub: HubMetrics;
  readonly upstream: UpstreamMetrics;
  readonly informer: InformerMetrics;
  readonly sync: SyncMetrics;
  readonly kube: KubeMetrics;
  readonly ha: HaMetrics;
}

/**
 * The closed label-value sets, by metric and label: what the code emits, checked against docs/metrics.md
 * in both directions by the catalogue test (a label not listed here has open values, such as a resource
 * type or a rejection reason, and is described in prose).
 */
export const metricLabelValues: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> =
  Object.freeze({
    edgecontroller_hub_connects_total: {
      result: [
        'accepted',
        'tls_handshake_failed',
        'missing_certificate',
        'bad_headers',
        'not_msg_connection',
        'identity_mismatch',
        'node_limit',
        'repeat_offender',
      ],
    },
    edgecontroller_hub_disconnects_total: {
      reason: [
        'keepalive_timeout',
        'replaced',
        'bad_frames',
        'frame_too_large',
        'closed_by_edge',
        'socket_error',
        'node_deleted',
        'shutdown',
        'over_budget',
        'not_reading',
      ],
    },
    edgecontroller_hub_refused_messages_total: {
      reason: ['msg_id_too_long', 'resource_too_long', 'field_too_long'],
    },
    edgecontroller_hub_handshakes_refused_total: {
      server: ['hub', 'certs'],
      reason: ['handshake_timeout', 'upgrade_timeout', 'too_many_pending', 'queue_timeout'],
    },
    edgecontroller_certs_busy_refusals_total: { reason: ['queue_full', 'queue_timeout'] },
    edgecontroller_hub_memory_bytes: { kind: ['replies', 'partial_frames', 'upstream'] },
    edgecontroller_hub_dropped_deliveries_total: {
      reason: ['stale', 'superseded_by_delete', 'duplicate_delete', 'superseded', 'reply_expired', 'invalid'],
    },
    edgecontroller_hub_bad_frames_total: { reason: ['too_large', 'not_json', 'bad_shape'] },
    edgecontroller_hub_bytes_total: { direction: ['in', 'out'] },
    edgecontroller_hub_messages_total: { direction: ['in', 'out'] },
    edgecontroller_certs_issuances_total: { method: ['token', 'mtls'] },
    edgecontroller_upstream_requests_total: {
      result: [
        'ok',
        'coalesced',
        'expired',
        'api-error',
        'forbid',
        'invalid',
        'queue-full',
        'stopped',
        'internal-error',
      ],
    },
    edgecontroller_upstream_latency_seconds: { lane: ['status', 'general'] },
    edgecontroller_upstream_queue_depth: { lane: ['status', 'general'] },
    edgecontroller_upstream_lease_renewals_total: {
      reason: ['shutdown', 'session_opened'],
      result: ['renewed', 'missing', 'failed', 'timed_out'],
    },
    edgecontroller_informer_watch_restarts_total: { reason: ['closed', 'watchdog', 'gone', 'error'] },
    edgecontroller_informer_events_total: { type: ['add', 'update', 'delete'] },
    edgecontroller_informer_malformed_total: { what: ['line', 'item'] },
    edgecontroller_kube_requests_waiting: { class: kubeRequestClasses },
    edgecontroller_kube_request_wait_seconds: { class: kubeRequestClasses },
    edgecontroller_sync_record_writes_total: {
      operation: ['create', 'status', 'delete'],
      result: ['ok', 'failed', 'dropped'],
    },
    edgecontroller_sync_resyncs_total: { reason: ['edge-start', 'token-join', 'unfinished'] },
    edgecontroller_sync_repair_actions_total: { action: ['send', 'send-delete', 'drop-record'] },
    edgecontroller_ha_nodes: { state: ['owned', 'held_not_owned'] },
    edgecontroller_ha_claims_total: {
      result: ['unchanged', 'claimed', 'handover', 'yielded', 'failed', 'no_node'],
    },
    edgecontroller_ha_releases_total: { reason: ['moved', 'yielded', 'lapsed'] },
  });

/**
 * `compute`, run at most once per turn of the event loop: prom-client calls every gauge's `collect` in
 * the same turn of a scrape, so two gauges fed by one walk over every node share it.
 */
function oncePerScrape<T>(compute: () => T): () => T {
  let cached: { readonly value: T } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: compute() };
      setImmediate(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

/**
 * Node's default process metrics that walk every handle, request or resource of the process at each
 * scrape (`process._getActiveHandles()` and `process.getActiveResourcesInfo()` build an array of all of
 * them, then count them by type): with one socket per edge node, a scrape at 5,000 nodes spent about
 * 17 ms of the event loop on them. Nothing here reads them.
 */
const perHandleProcessMetrics = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
];

/**
 * `process_open_fds` as prom-client's default has it, but read off the event loop: the default lists
 * `/proc/self/fd` with `readdirSync`, one entry per socket, which blocked the loop for about 27 ms per
 * scrape at 10,000 connected nodes (CPU profile of the fleet bench). Linux only, as the default.
 */
function registerOpenFds(registry: Registry): void {
  const name = 'edgecontroller_process_open_fds';
  if (process.platform !== 'linux' || registry.getSingleMetric(name) === undefined) return;
  registry.removeSingleMetric(name);
  new Gauge({
    name,
    help: 'Number of open file descriptors.',
    registers: [registry],
    async collect() {
      try {
        // Minus the descriptor the listing itself had open.
        this.set((await readdir('/proc/self/fd')).length - 1);
      } catch {
        // gone with the process, or not permitted: the gauge keeps its last value
      }
    },
  });
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect Node's default process metrics (event-loop lag, heap, fds). Default true. */
  readonly collectProcessMetrics?: boolean;
}

/** Makes a fresh registry with every metric of the process. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.collectProcessMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'edgecontroller_' });
    for (const name of perHandleProcessMetrics) registry.removeSingleMetric(`edgecontroller_${name}`);
    registerOpenFds(registry);
  }
  const registers = [registry];
  let queueSource: () => QueueTotals = () => ({ depth: 0, inFlight: 0 });
  let memorySource: () => HubMemoryTotals = () => [];
  let sendSource: () => HubSendTotals = () => ({ bufferedBytes: 0, waitingNodes: 0 });
  const hub: HubMetrics = {
    setSendSource: (source) => {
      sendSource = source;
    },
    contentEncodes: new Counter({
      name: 'edgecontroller_hub_content_encodes_total',
      help: 'Content objects serialized for outbound frames, by resource type: once per object version, shared by every node that receives it.',
      labelNames: ['type'],
      registers,
    }),
    sendBatches: new Counter({
      name: 'edgecontroller_hub_send_batches_total',
      help: 'Batches of frames the send scheduler wrote, each in one turn of the event loop.',
      registers,
    }),
    sendBudgetWaits: new Counter({
      name: 'edgecontroller_hub_send_budget_waits_total',
      help: 'Times bulk sending stopped because the bytes handed to sockets and not yet drained reached the send budget.',
      registers,
    }),
    displacedReplies: new Counter({
      name: 'edgecontroller_hub_displaced_replies_total',
      help: 'Query replies replaced in a node queue by a newer version of the same object before they were sent, answered on their own with the newer content.',
      registers,
    }),
    sendStalls: new Counter({
      name: 'edgecontroller_hub_send_stalls_total',
      help: 'Times a session completed no write for sendStallMs, so its bytes not yet drained left the send budget.',
      registers,
    }),
    setQueueSource: (source) => {
      queueSource = oncePerScrape(source);
    },
    setMemorySource: (source) => {
      memorySource = source;
    },
    connectedNodes: new Gauge({
      name: 'edgecontroller_hub_connected_nodes',
      help: 'Edge nodes with an open WebSocket session.',
      registers,
    }),
    connects: new Counter({
      name: 'edgecontroller_hub_connects_total',
      help: 'WebSocket connection attempts by result (accepted, or the reason for refusal).',
      labelNames: ['result'],
      registers,
    }),
    disconnects: new Counter({
      name: 'edgecontroller_hub_disconnects_total',
      help: 'Ended sessions by reason.',
      labelNames: ['reason'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'edgecontroller_hub_queue_depth',
      help: 'Messages waiting to be sent, over all nodes (ACK and no-ACK paths).',
      registers,
      collect() {
        this.set(queueSource().depth);
      },
    }),
    inFlight: new Gauge({
      name: 'edgecontroller_hub_in_flight',
      help: 'Messages sent and not yet acknowledged, over all nodes.',
      registers,
      collect() {
        this.set(queueSource().inFlight);
      },
    }),
    ackLatency: new Histogram({
      name: 'edgecontroller_hub_ack_latency_seconds',
      help: 'Time from the first send of a message to its ACK.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    resends: new Counter({
      name: 'edgecontroller_hub_resends_total',
      help: 'Messages sent again because no ACK came in time.',
      registers,
    }),
    droppedDeliveries: new Counter({
      name: 'edgecontroller_hub_dropped_deliveries_total',
      help: 'ACK-path messages dropped instead of sent, by reason (stale version, superseded by a delete, query reply no longer awaited).',
      labelNames: ['reason'],
      registers,
    }),
    badFrames: new Counter({
      name: 'edgecontroller_hub_bad_frames_total',
      help: 'Inbound frames dropped as malformed, by reason (too_large, not_json, bad_shape).',
      labelNames: ['reason'],
      registers,
    }),
    unsupportedMessages: new Counter({
      name: 'edgecontroller_hub_unsupported_messages_total',
      help: 'Well-formed inbound messages we do not serve (answered with an error reply), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    bytes: new Counter({
      name: 'edgecontroller_hub_bytes_total',
      help: 'WebSocket payload bytes by direction (in, out).',
      labelNames: ['direction'],
      registers,
    }),
    messages: new Counter({
      name: 'edgecontroller_hub_messages_total',
      help: 'WebSocket messages by direction (in, out).',
      labelNames: ['direction'],
      registers,
    }),
    certificateIssuances: new Counter({
      name: 'edgecontroller_certs_issuances_total',
      help: 'Edge certificate requests by method (token, mtls) and result (issued, or the rejection reason).',
      labelNames: ['method', 'result'],
      registers,
    }),
    refusedMessages: new Counter({
      name: 'edgecontroller_hub_refused_messages_total',
      help: 'Inbound messages refused for an over-long envelope string, never echoed, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    handshakesRefused: new Counter({
      name: 'edgecontroller_hub_handshakes_refused_total',
      help: 'Connections closed before their TLS handshake or WebSocket upgrade finished, by server and reason.',
      labelNames: ['server', 'reason'],
      registers,
    }),
    certsBusyRefusals: new Counter({
      name: 'edgecontroller_certs_busy_refusals_total',
      help: 'Edge certificate requests answered 503 with a Retry-After because the certificate server was busy, by reason.',
      labelNames: ['reason'],
      registers,
    }),
  };
  new Gauge({
    name: 'edgecontroller_hub_memory_bytes',
    help: 'Bytes edge nodes’ input makes the hub hold (replies waiting, partial frames, upstream requests waiting), by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const { kind, bytes } of memorySource()) this.set({ kind }, bytes);
    },
  });
  new Gauge({
    name: 'edgecontroller_hub_send_buffered_bytes',
    help: 'Bytes handed to edge sockets and not yet drained, all nodes together (held under the send budget).',
    registers,
    collect() {
      this.set(sendSource().bufferedBytes);
    },
  });
  new Gauge({
    name: 'edgecontroller_hub_send_waiting_nodes',
    help: 'Edge nodes waiting for a turn of the send scheduler.',
    registers,
    collect() {
      this.set(sendSource().waitingNodes);
    },
  });
  let depthSource = (): { readonly status: number; readonly general: number } => ({ status: 0, general: 0 });
  const upstream: UpstreamMetrics = {
    setDepthSource: (source) => {
      depthSource = source;
    },
    requests: new Counter({
      name: 'edgecontroller_upstream_requests_total',
      help: 'Edge requests by resource type, operation and result (ok, api-error, forbid, invalid, queue-full, stopped, internal-error).',
      labelNames: ['type', 'operation', 'result'],
      registers,
    }),
    latency: new Histogram({
      name: 'edgecontroller_upstream_latency_seconds',
      help: 'Time from receiving an edge request to its last API write and reply, by lane (status, general).',
      labelNames: ['lane'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    leaseRenewals: new Counter({
      name: 'edgecontroller_upstream_lease_renewals_total',
      help: 'Node leases renewed for connected edges, by reason (shutdown, session_opened) and result (renewed, missing, failed, timed_out).',
      labelNames: ['reason', 'result'],
      registers,
    }),
    rejects: new Counter({
      name: 'edgecontroller_upstream_rejects_total',
      help: 'Edge requests refused by node authorization (forbid-…), as invalid (invalid-…) or by upstream admission (queue-full-…), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'edgecontroller_upstream_queue_depth',
      help: 'Edge requests waiting, by lane (status writes go first).',
      labelNames: ['lane'],
      registers,
      collect() {
        const depth = depthSource();
        this.set({ lane: 'status' }, depth.status);
        this.set({ lane: 'general' }, depth.general);
      },
    }),
  };
  // When each informer last heard from the API server (performance.now ms); read at scrape time.
  const heardAtMs = new Map<string, number>();
  const informer: InformerMetrics = {
    markHeard: (name) => {
      heardAtMs.set(name, performance.now());
    },
    lists: new Counter({
      name: 'edgecontroller_informer_lists_total',
      help: 'Full (paginated) lists completed, by informer: the first one and every relist.',
      labelNames: ['informer'],
      registers,
    }),
    listDuration: new Histogram({
      name: 'edgecontroller_informer_list_duration_seconds',
      help: 'Time a full list took, all pages, by informer.',
      labelNames: ['informer'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    watchRestarts: new Counter({
      name: 'edgecontroller_informer_watch_restarts_total',
      help: 'Watches ended and restarted, by informer and reason (closed, watchdog, gone, error).',
      labelNames: ['informer', 'reason'],
      registers,
    }),
    events: new Counter({
      name: 'edgecontroller_informer_events_total',
      help: 'Store changes delivered to handlers, by informer and type (add, update, delete).',
      labelNames: ['informer', 'type'],
      registers,
    }),
    handlerErrors: new Counter({
      name: 'edgecontroller_informer_handler_errors_total',
      help: 'Event handlers or index functions that threw, by informer.',
      labelNames: ['informer'],
      registers,
    }),
    malformed: new Counter({
      name: 'edgecontroller_informer_malformed_total',
      help: 'Watch lines or list items skipped as malformed, by informer and what (line, item).',
      labelNames: ['informer', 'what'],
      registers,
    }),
    lag: new Gauge({
      name: 'edgecontroller_informer_lag_seconds',
      help: 'Seconds since the informer last heard from the API server (a list, a watch event or a bookmark), by informer.',
      labelNames: ['informer'],
      registers,
      collect() {
        const nowMs = performance.now();
        for (const [name, atMs] of heardAtMs) this.set({ informer: name }, (nowMs - atMs) / 1000);
      },
    }),
  };
  let kubeSource = (): {
    readonly waiting: Readonly<Record<KubeRequestClass, number>>;
    readonly inFlight: number;
  } => ({ waiting: { node: 0, pod: 0, records: 0, bulk: 0 }, inFlight: 0 });
  const kubeWait = new Histogram({
    name: 'edgecontroller_kube_request_wait_seconds',
    help: 'Time an API request waited in the client for a token or an in-flight slot before it was sent, by class (node, pod, records, bulk).',
    labelNames: ['class'],
    buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30],
    registers,
  });
  const kube: KubeMetrics = {
    observeWait: (cls, seconds) => {
      kubeWait.observe({ class: cls }, seconds);
    },
    setLimiterSource: (source) => {
      kubeSource = source;
    },
  };
  new Gauge({
    name: 'edgecontroller_kube_requests_waiting',
    help: 'API requests waiting in the client for a token or an in-flight slot, by class (node, pod, records, bulk).',
    labelNames: ['class'],
    registers,
    collect() {
      const { waiting } = kubeSource();
      for (const cls of kubeRequestClasses) this.set({ class: cls }, waiting[cls]);
    },
  });
  new Gauge({
    name: 'edgecontroller_kube_requests_in_flight',
    help: 'API requests sent and not yet answered (watches not counted; at most 64).',
    registers,
    collect() {
      this.set(kubeSource().inFlight);
    },
  });
  let syncSources = { pendingRecordWrites: () => 0, heldPushes: () => 0 };
  const sync: SyncMetrics = {
    recordWrites: new Counter({
      name: 'edgecontroller_sync_record_writes_total',
      help: 'ObjectSync/ClusterObjectSync record write calls, by operation (create before a first send, status on an ACK or a resync mark, delete) and result (ok; failed: retried with backoff; dropped: cannot succeed, given up).',
      labelNames: ['operation', 'result'],
      registers,
    }),
    resyncs: new Counter({
      name: 'edgecontroller_sync_resyncs_total',
      help: 'Full resyncs of a node whose store may be empty, by reason (edge-start: its node insert; token-join: a new certificate for an existing node).',
      labelNames: ['reason'],
      registers,
    }),
    pendingRecordWrites: new Gauge({
      name: 'edgecontroller_sync_record_writes_pending',
      help: 'Record writes asked for and not yet done (waiting, in flight or backing off after a failure).',
      registers,
      collect() {
        this.set(syncSources.pendingRecordWrites());
      },
    }),
    heldPushes: new Gauge({
      name: 'edgecontroller_sync_held_pushes',
      help: "Pushes held until their object's record is written (created before a first send, or marked unknown by a resync).",
      registers,
      collect() {
        this.set(syncSources.heldPushes());
      },
    }),
    setSources: (sources) => {
      syncSources = sources;
    },
    repairActions: new Counter({
      name: 'edgecontroller_sync_repair_actions_total',
      help: 'Repair decisions carried out, by action (send, send-delete, drop-record).',
      labelNames: ['action'],
      registers,
    }),
  };
  let haSources: Parameters<HaMetrics['setSources']>[0] = {
    nodes: () => [],
    liveReplicas: () => 0,
    leader: () => false,
  };
  const ha: HaMetrics = {
    claims: new Counter({
      name: 'edgecontroller_ha_claims_total',
      help: 'Claims of a node by this replica when a session opened, by result (unchanged: already recorded as ours, no write; claimed; handover: taken from another replica; yielded: another replica claimed it first; failed; no_node).',
      labelNames: ['result'],
      registers,
    }),
    releases: new Counter({
      name: 'edgecontroller_ha_releases_total',
      help: 'Nodes this replica let go of (session closed, queue and timers dropped), by reason (moved: another replica claimed it; yielded: lost a claim race; lapsed: our own Lease lapsed).',
      labelNames: ['reason'],
      registers,
    }),
    setSources: (sources) => {
      haSources = sources;
    },
  };
  new Gauge({
    name: 'edgecontroller_ha_nodes',
    help: 'Nodes by state (owned: this replica owns them; held_not_owned: the hub keeps a session or queue for a node this replica does not own, 0 unless a handover is under way).',
    labelNames: ['state'],
    registers,
    collect() {
      for (const { state, count } of haSources.nodes()) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'edgecontroller_ha_live_replicas',
    help: 'Replicas with a live Lease as this replica sees them (itself included while its own Lease is live).',
    registers,
    collect() {
      this.set(haSources.liveReplicas());
    },
  });
  new Gauge({
    name: 'edgecontroller_ha_leader',
    help: '1 while this replica holds the leader Lease, else 0.',
    registers,
    collect() {
      this.set(haSources.leader() ? 1 : 0);
    },
  });
  return { registry, hub, upstream, informer, sync, ha, kube };
}
