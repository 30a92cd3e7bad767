/**
 * The process's Prometheus metrics. One registry, made in main.ts and passed down; every metric is
 * declared here so docs/metrics.md can be checked against one list (a catalogue test does). Metrics never
 * carry a node label: with 10,000 nodes that would be 10,000 series per metric (STYLE.md B7).
 * @module
 */
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
  | 'shutdown';

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
  /** Tells the queue gauges where to read their values at scrape time (the hub calls it once). */
  readonly setQueueSource: (source: () => QueueTotals) => void;
}

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

/** The registry and every metric in it. */
export interface Metrics {
  readonly registry: Registry;
  readonly hub: HubMetrics;
  readonly upstream: UpstreamMetrics;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect Node's default process metrics (event-loop lag, heap, fds). Default true. */
  readonly collectProcessMetrics?: boolean;
}

/** Makes a fresh registry with every metric of the process. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.collectProcessMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'edgecontroller_' });
  const registers = [registry];
  let queueSource: () => QueueTotals = () => ({ depth: 0, inFlight: 0 });
  const hub: HubMetrics = {
    setQueueSource: (source) => {
      queueSource = source;
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
  };
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
      help: 'Edge requests refused by node authorization or as invalid, by reason.',
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
  return { registry, hub, upstream };
}
