/**
 * Composition root of `edge-controller run`: builds every stage from its options and wires them
 * together (STYLE.md B1 rule 4: only this file and main.ts wire things). Today: the API client, the CA
 * and server certificate, the join-token Secret, the informers and downstream, reliable sync, the
 * certificate server, the hub, the upstream worker (edge requests → API) and the metrics endpoint.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CertServer,
  TokenSecretWorker,
  loadCertificateAuthority,
  loadServerCertificate,
} from './certs/index.js';
import type { CertificateAuthority } from './certs/index.js';
import { DownstreamWorker } from './downstream/index.js';
import { Hub } from './hub/index.js';
import type { HubOptions } from './hub/index.js';
import {
  Informer,
  KubeClient,
  SecretStore,
  annotateCloudcore,
  loadKubeConfig,
  objectKey,
} from './kube/index.js';
import type { KubeObject } from './kube/index.js';
import { MetricsServer, createMetrics } from './observability/index.js';
import type { Logger, Metrics } from './observability/index.js';
import { podKey } from './location/index.js';
import { parseMessageId } from './protocol/index.js';
import type { MessageId } from './protocol/index.js';
import { SyncWorker, desiredObjects } from './sync/index.js';
import { UpstreamWorker, resolveUpstreamOptions } from './upstream/index.js';
import type { AuthorizationMode, NodeGraph, UpstreamOutcome } from './upstream/index.js';

/** The part of a PersistentVolume node authorization reads. */
type PersistentVolume = KubeObject & {
  readonly spec?: { readonly claimRef?: { readonly namespace?: string; readonly name?: string } };
};

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
}

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
  /** Stops accepting, closes sessions so edges reconnect elsewhere, stops every worker. */
  stop(): Promise<void>;
}

/** Builds and starts everything; resolves once every listener is bound. */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const log = options.logger;
  const abort = new AbortController();
  const client = new KubeClient(loadKubeConfig({ path: options.kubeconfig }));
  const metrics = options.metrics ?? createMetrics();
  const secrets = new SecretStore({ client });
  const advertiseAddress = options.advertiseAddress ?? ['127.0.0.1'];

  const files = options.tlsFiles;
  const { ca, source: caSource } = await loadCertificateAuthority({
    secrets,
    now: new Date(),
    ...(files !== undefined
      ? { files: { certPath: files.caCert, keyPath: files.caKey, readFile: readIfExists } }
      : {}),
  });
  const { serverCert, source: certSource } = await loadServerCertificate({
    secrets,
    ca,
    now: new Date(),
    ...(files !== undefined
      ? { files: { certPath: files.serverCert, keyPath: files.serverKey, readFile: readIfExists } }
      : {}),
    advertiseAddress,
    ...(options.dnsNames !== undefined ? { dnsNames: options.dnsNames } : {}),
  });
  log.info({ caSource, serverCertSource: certSource }, 'Loaded the CA and the server certificate');

  const tokenWorker = new TokenSecretWorker({
    secrets,
    ca,
    logger: log.child({ component: 'token' }),
    ...(options.tokenRefreshDurationMs !== undefined
      ? { tokenRefreshDurationMs: options.tokenRefreshDurationMs }
      : {}),
  });
  await tokenWorker.start(abort.signal);

  const clusterCaPem = await readClusterCa(client);
  const newId = (): MessageId => {
    const id = parseMessageId(randomUUID());
    if (id === undefined) throw new Error('randomUUID returned an empty id');
    return id;
  };
  const hubLog = log.child({ component: 'hub' });
  // The hub, downstream and sync refer to each other through hooks resolved at call time.
  const downstream: DownstreamWorker = new DownstreamWorker({
    client,
    hub: {
      enqueue: (node, message) => hub.enqueue(node, message),
      forgetNode: (node) => {
        hub.forgetNode(node);
      },
    },
    logger: log.child({ component: 'downstream' }),
    onNodeDeleted: (node) => {
      sync.forgetNode(node).catch((err: unknown) => {
        log.warn({ node, err: String(err) }, 'Could not remove the records of a deleted node');
      });
    },
  });
  const sync: SyncWorker = new SyncWorker({
    client,
    hub: {
      enqueue: (node, message) => hub.enqueue(node, message),
      connectedNodes: () => hub.connectedNodes(),
    },
    logger: log.child({ component: 'sync' }),
    ...(options.repairIntervalMs !== undefined ? { repairIntervalMs: options.repairIntervalMs } : {}),
    desired: {
      desiredFor: (node) =>
        desiredObjects({
          node,
          nodeObject: downstream.nodeObject(node),
          pods: downstream.podsOn(node),
          refs: downstream.objectsFor(node),
          lookups: downstream.lookups,
        }),
      nodeExists: (node) => downstream.nodes.store.get(objectKey(undefined, node)) !== undefined,
    },
  });
  const hub = new Hub({
    tls: { caPem: ca.certPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem },
    metrics: metrics.hub,
    logger: hubLog,
    options: options.hub ?? {},
    hooks: {
      // Resolved at call time: the sink replies through the hub, so it is made after it.
      upstream: {
        handle: (node, message, request) => {
          upstream.handle(node, message, request);
        },
      },
      clusterCaPem: () => clusterCaPem,
      onAck: (node, acked) => {
        sync.onAck(node, acked);
      },
      onSessionOpened: (node) => {
        // Repair at once on connect: whatever the node missed while away is sent now (KubeEdge waits for
        // its 5 s sweep, and never sends what was never recorded).
        sync.repair(node);
        annotateCloudcore(client, node, advertiseAddress[0] ?? '127.0.0.1').catch((err: unknown) => {
          hubLog.warn({ node, err: String(err) }, 'Could not set the cloudcore annotation');
        });
      },
    },
  });
  const volumes = new Informer<PersistentVolume>({
    client,
    path: '/api/v1/persistentvolumes',
    name: 'persistentvolumes',
    logger: log.child({ component: 'upstream' }),
  });
  // Node authorization asks the downstream caches: no API round trip per check.
  const graph: NodeGraph = {
    nodeNeeds: (node, ref) => downstream.location.nodeNeeds(node, ref),
    podOn: (node, namespace, name) => downstream.location.podLocation(podKey(namespace, name))?.node === node,
    // A node may read a PV bound to a claim its pods use (the Node authorizer's PV → PVC edge).
    claimOfVolume: (name) => {
      const claim = volumes.store.get(objectKey(undefined, name))?.spec?.claimRef;
      return claim?.namespace !== undefined && claim.name !== undefined
        ? { namespace: claim.namespace, name: claim.name }
        : undefined;
    },
  };
  const upstreamSettings = options.upstream ?? {};
  const upstream = new UpstreamWorker({
    api: client,
    hub: { enqueue: (node, message) => hub.enqueue(node, message) },
    context: {
      graph,
      options: resolveUpstreamOptions({
        cloudcoreAddress: advertiseAddress[0] ?? '127.0.0.1',
        ...(upstreamSettings.authorization !== undefined
          ? { authorization: upstreamSettings.authorization }
          : {}),
      }),
    },
    logger: log.child({ component: 'upstream' }),
    newId,
    stores: {
      configmaps: (t) => downstream.configMaps.store.get(objectKey(t.namespace, t.name)),
      secrets: (t) => downstream.secrets.store.get(objectKey(t.namespace, t.name)),
      nodes: (t) => downstream.nodes.store.get(objectKey(undefined, t.name)),
    },
    ...(upstreamSettings.impersonateNodes !== undefined
      ? { impersonateNodes: upstreamSettings.impersonateNodes }
      : {}),
    ...(upstreamSettings.maxInFlight !== undefined ? { maxInFlight: upstreamSettings.maxInFlight } : {}),
    onOutcome: (outcome: UpstreamOutcome) => {
      metrics.upstream.requests.inc({
        type: outcome.resourceType,
        operation: outcome.operation,
        result: outcome.result,
      });
      metrics.upstream.latency.observe({ lane: outcome.lane }, outcome.latencyMs / 1000);
      if (outcome.result === 'forbid' || outcome.result === 'invalid') {
        metrics.upstream.rejects.inc({ reason: `${outcome.result}-${outcome.reason ?? 'unknown'}` });
      }
    },
  });
  metrics.upstream.setDepthSource(() => upstream.depth);
  // Caches first: the hub accepts edges only once repair on connect can know what they should have.
  volumes.start(abort.signal);
  await downstream.start(abort.signal);
  await volumes.whenSynced();
  await sync.start(abort.signal);
  const hubAddress = await hub.start();

  const certServer = new CertServer({
    ca,
    serverCert,
    logger: log.child({ component: 'certs' }),
    isNodeConnected: (name) => hub.isConnected(name),
    nodeExists: (name) => nodeExists(client, name),
    onIssuance: (outcome) => {
      metrics.hub.certificateIssuances.inc({
        method: outcome.method,
        result: outcome.reason ?? outcome.result,
      });
    },
    ...(options.httpsHost !== undefined ? { address: options.httpsHost } : {}),
    ...(options.httpsPort !== undefined ? { port: options.httpsPort } : {}),
    allowLegacyEdgeCert: options.hub?.allowLegacyEdgeCert ?? false,
    ...(options.edgeCertSigningDurationDays !== undefined
      ? { edgeCertSigningDurationDays: options.edgeCertSigningDurationDays }
      : {}),
  });
  await certServer.start(abort.signal);

  const metricsServer = new MetricsServer({
    registry: metrics.registry,
    readiness: () => {
      const reasons = [
        ...(downstream.isReady ? [] : ['informers have not synced']),
        ...(hub.isListening ? [] : ['the hub is not listening']),
      ];
      return { ready: reasons.length === 0, reasons };
    },
    nodes: () => hub.nodeStates(),
    ...(options.metricsHost !== undefined ? { host: options.metricsHost } : {}),
    ...(options.metricsPort !== undefined ? { port: options.metricsPort } : {}),
  });
  const metricsAddress = await metricsServer.start();

  const ports = { hub: hubAddress.port, https: certServer.port, metrics: metricsAddress.port };
  log.info({ ...ports }, 'Edge controller started');

  let stopping: Promise<void> | undefined;
  return {
    hub,
    downstream,
    sync,
    upstream,
    client,
    ca,
    metrics,
    ports,
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await certServer.stop();
        // Before the hub: requests already taken are answered while sessions are still open.
        await upstream.stop();
        await hub.stop();
        await sync.stop();
        await downstream.stop();
        await volumes.stop();
        await tokenWorker.stop();
        await metricsServer.stop();
        log.info('Edge controller stopped');
      })();
      return stopping;
    },
  };
}

/** The cluster CA that edges ask for with `k8s/ca.crt`: the kubeconfig's CA. */
async function readClusterCa(client: KubeClient): Promise<string> {
  const cluster = client.kubeConfig.getCurrentCluster();
  if (cluster?.caData !== undefined && cluster.caData !== '') {
    return Buffer.from(cluster.caData, 'base64').toString('utf8');
  }
  if (cluster?.caFile !== undefined && cluster.caFile !== '') return readFile(cluster.caFile, 'utf8');
  return '';
}

async function nodeExists(client: KubeClient, name: string): Promise<boolean> {
  try {
    await client.request({ method: 'GET', path: `/api/v1/nodes/${encodeURIComponent(name)}` });
    return true;
  } catch (err) {
    if ((err as { action?: string }).action === 'absorb') return false;
    throw err;
  }
}

/** A file's bytes, or undefined when it does not exist (KubeEdge's default paths are often absent). */
async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
