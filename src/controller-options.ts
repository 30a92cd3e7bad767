/**
 * The options of the composition root (controller.ts) and what a started controller exposes: every
 * setting `run` can pass, each with its unit and default, and the start and stop bounds.
 * @module
 */
import type { CertificateAuthority } from './certs/index.js';
import { runSettingSpecs } from './config/index.js';
import type { DownstreamWorker } from './downstream/index.js';
import type { Hub, HubOptions } from './hub/index.js';
import type { KubeClient } from './kube/index.js';
import type { Logger, Metrics } from './observability/index.js';
import type { SyncWorker } from './sync/index.js';
import type { AuthorizationMode, UpstreamWorker } from './upstream/index.js';

/** Everything `run` can be told. Unset fields take the documented defaults. */
export interface ControllerOptions {
  readonly logger: Logger;
  /** kubeconfig path; default: KUBECONFIG, in-cluster, ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Hub (WebSocket) options; `host`/`port` default to 0.0.0.0:10000. */
  readonly hub?: Partial<HubOptions>;
  /** Certificate server address and port; default 0.0.0.0:10002. */
  readonly httpsHost?: string;
  readonly httpsPort?: number;
  /** Metrics endpoint; default 127.0.0.1:9091. Port 0 picks a free one. */
  readonly metricsHost?: string;
  readonly metricsPort?: number;
  /**
   * Addresses edges dial: the server certificate's IP SANs, and the node annotation `cloudcore`.
   * Default `['127.0.0.1']`.
   */
  readonly advertiseAddress?: readonly string[];
  /** DNS SANs of the server certificate. Default none. */
  readonly dnsNames?: readonly string[];
  /** How often the join token is renewed; default 12 h (KubeEdge tokenRefreshDuration). */
  readonly tokenRefreshDurationMs?: number;
  /** Days an issued edge certificate is valid; default 365. */
  readonly edgeCertSigningDurationDays?: number;
  /** Registry to use (tests pass a fresh one per controller). Default: a new one. */
  readonly metrics?: Metrics;
  /** Reliable-sync repair period for connected nodes; default 60 s. */
  readonly repairIntervalMs?: number;
  /** Upstream (edge requests → API) settings; every field optional. */
  readonly upstream?: UpstreamSettings;
  /**
   * KubeEdge's CA and server certificate files (cloudcore.yaml `tlsCAFile`, …). Used when they exist;
   * missing files fall back to the kubeedge Secrets, as KubeEdge does. Default: Secrets only.
   */
  readonly tlsFiles?: {
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
  };
  /**
   * Aborting it during start stops every part already started and makes the start reject
   * (`EC_RUN_START_FAILED`, "cancelled"); `run` aborts it on SIGTERM. After start, call `stop()`.
   */
  readonly signal?: AbortSignal;
  /**
   * How long the start may take, in ms: waiting for the API server, the first list of every informer,
   * binding the listeners. Default {@link controllerDefaults}`.startupTimeoutMs` (120 s).
   */
  readonly startupTimeoutMs?: number;
  /**
   * Bound on stopping what a failed start had started, in ms; default
   * {@link controllerDefaults}`.shutdownTimeoutMs` (10 s). `stop()` itself is bounded by its caller.
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * User-Agent of every API request; default `edge-controller` (`run` passes `edge-controller/<version>`).
   * Every write also names the field manager `edge-controller` (kube/request-identity.ts).
   */
  readonly userAgent?: string;
  /**
   * The API client's token bucket (`--kube-api-qps`, `--kube-api-burst`; kube/request-limiter.ts). Default
   * `kubeClientLimitDefaults`: KubeEdge's 5 × and 10 × node limit at a node limit of 10,000.
   */
  readonly kubeApi?: { readonly qps: number; readonly burst: number };
}

/** Defaults of the start and stop bounds (`--startup-timeout-seconds`, `--shutdown-timeout-seconds`). */
export const controllerDefaults = Object.freeze({
  // One source of truth: the flags' defaults (config/run-settings.ts), in ms.
  startupTimeoutMs: runSettingSpecs.startupTimeoutSeconds.default * 1000,
  shutdownTimeoutMs: runSettingSpecs.shutdownTimeoutSeconds.default * 1000,
});

/** What `run` can tell the upstream worker. */
export interface UpstreamSettings {
  /** Node authorization of edge requests; default `node` (KubeEdge's default is off, `none`). */
  readonly authorization?: AuthorizationMode;
  /**
   * Impersonate `system:node:<node>` on calls made for a node; default `false` (needs `impersonate` RBAC;
   * see upstream-worker.ts).
   */
  readonly impersonateNodes?: boolean;
  /** Requests in flight overall; default 16. */
  readonly maxInFlight?: number;
}

/** A running controller. */
export interface RunningController {
  readonly hub: Hub;
  readonly downstream: DownstreamWorker;
  readonly sync: SyncWorker;
  readonly upstream: UpstreamWorker;
  readonly client: KubeClient;
  readonly ca: CertificateAuthority;
  readonly metrics: Metrics;
  /** Bound ports (useful with port 0). */
  readonly ports: { readonly hub: number; readonly https: number; readonly metrics: number };
  /**
   * Drains: `/readyz` turns 503 ("shutting down"), then the certificate server, upstream (requests taken
   * are answered), the hub (sessions closed with 1001 so edges reconnect elsewhere), reliable sync (record
   * writes flushed), the informers, the token worker and last the health endpoint stop. Idempotent.
   * Not bounded here: the caller races it with its shutdown timeout.
   */
  stop(): Promise<void>;
}
