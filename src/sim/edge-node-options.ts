/**
 * The options of a simulated EdgeCore node (edge-node-client.ts), with every default in one frozen
 * object, and the narrow connection interface the node drives (EdgeClient, or a test double). Types and
 * constants only.
 * @module
 */
import type { Message } from '../protocol/index.js';
import type { EdgeClientOptions, TrafficCounters } from './edge-client.js';
import type { EdgeIdentity } from './join-client.js';
import type { NodeShape } from './node-status.js';
import type { InboundHandling } from './push-handling.js';
import type { ReconnectBackoff, ReconnectOptions } from './reconnect-backoff.js';

/** Options of {@link SimulatedEdgeNode}; defaults in {@link simulatedEdgeNodeDefaults}. */
export interface SimulatedEdgeNodeOptions {
  readonly nodeName: string;
  /** `host:port` of the hub (EdgeCore `websocket.server`). */
  readonly server: string;
  /** A ready identity; when absent the node joins with {@link join} on its first start. */
  readonly identity?: EdgeIdentity;
  /** Certificate server and token for the join (edgemark `--http-server`, `--token`). */
  readonly join?: { readonly httpServer: string; readonly token: string };
  /** Lease renewal period in ms; default 10,000 (kubelet `nodeLeaseRenewInterval`). */
  readonly leasePeriodMs?: number;
  /**
   * `nodepatch` heartbeat period in ms; default 300,000: the kubelet checks every 10 s but patches an
   * unchanged status only every `nodeStatusReportFrequency`, 5 min in EdgeCore v1.23.1
   * (`edgecore/v1alpha2/default_kubelet_configuration.go`), and a simulated node's status never changes.
   */
  readonly statusPeriodMs?: number;
  /** Time a pod stays Pending before its containers run, in ms; default 1,000 (§4.10). */
  readonly podStartDelayMs?: number;
  /** Keepalive period in ms; default 15,000 (edgeHub.heartbeat). */
  readonly keepaliveIntervalMs?: number;
  /** How long to wait for a reply, in ms; default 60,000 (metamanager `remoteQueryTimeout`). */
  readonly requestTimeoutMs?: number;
  /**
   * Jittered backoff settings: for redials under the `jittered` policy and for the retry of a failed
   * certificate renewal; default {@link reconnectBackoffDefaults}.
   */
  readonly backoff?: Partial<ReconnectBackoff>;
  /** How the node redials; default `{ kind: 'jittered' }` (see {@link ReconnectOptions}). */
  readonly reconnect?: ReconnectOptions;
  /** The fake machine (capacity, InternalIP = pods' hostIP, labels…). */
  readonly shape?: Partial<NodeShape>;
  /**
   * Send kubelet Events for pod lifecycle; default false, as EdgeCore's `edged.reportEvent` (v1.23.1
   * `staging/src/github.com/kubeedge/api/apis/componentconfig/edgecore/v1alpha2/default.go`: without it
   * the kubelet gets no event client, `edge/pkg/edged/edged.go` MakeKubeClientBridge).
   */
  readonly sendEvents?: boolean;
  /** Clock, default `Date.now` (tests may step it). */
  readonly now?: () => number;
  /** Random source in [0, 1) for the backoff jitter; default `Math.random`. */
  readonly random?: () => number;
  /** Counters every connection of this node adds its frames to (may be shared); default none. */
  readonly counters?: TrafficCounters;
  /** Keep every inbound message on the connection (`EdgeClient.received`); default true. */
  readonly keepReceived?: boolean;
  /**
   * Makes the connection for each dial; default: a new {@link EdgeClient}. Unit tests pass a double that
   * answers like a cloud, to check the node's message sequences without sockets.
   */
  readonly dial?: (options: EdgeClientOptions) => EdgeConnection;
}

/**
 * The connection a simulated node drives, as {@link EdgeClient} provides it: `push` (message, handling)
 * and `close` events, requests matched to replies, ACKs.
 */
export interface EdgeConnection {
  readonly isOpen: boolean;
  connect(): Promise<void>;
  setLinkDelay(ms: number): void;
  send(message: Message): void;
  request(message: Message, timeoutMs: number): Promise<Message>;
  ack(reply: Message): void;
  close(): Promise<void>;
  kill(): void;
  on(event: 'push', listener: (message: Message, handling: InboundHandling) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** The numeric and boolean settings of a node, every one filled in. */
export type SimulatedEdgeNodeSettings = Required<
  Pick<
    SimulatedEdgeNodeOptions,
    | 'leasePeriodMs'
    | 'statusPeriodMs'
    | 'podStartDelayMs'
    | 'keepaliveIntervalMs'
    | 'requestTimeoutMs'
    | 'sendEvents'
  >
>;

/** Defaults of {@link SimulatedEdgeNodeOptions}. */
export const simulatedEdgeNodeDefaults: Readonly<SimulatedEdgeNodeSettings> = Object.freeze({
  leasePeriodMs: 10_000,
  statusPeriodMs: 300_000,
  podStartDelayMs: 1_000,
  keepaliveIntervalMs: 15_000,
  requestTimeoutMs: 60_000,
  sendEvents: false,
});
