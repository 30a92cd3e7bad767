/**
 * Composition root of `edge-controller run`: builds every stage from its options and wires them
 * together (STYLE.md B1 rule 4: only this file and main.ts wire things). Today: the health and metrics
 * endpoint, the API client, the CA and server certificate, the join-token Secret, the shared-informer
 * factory (every informer of the process is built by it, here, and handed to the stages that read it),
 * downstream, reliable sync, the hub, the upstream worker (edge requests → API) and the certificate server.
 *
 * Start and stop follow a Kubernetes component's: `/healthz` is served before anything else and `/readyz`
 * says which step the start is on; an unreachable API server is waited for (up to the startup timeout);
 * any failure stops every part already started, in reverse order, before the error reaches the caller.
 * @module
 */
import { readFile } from 'node:fs/promises';
import {
  CertServer,
  TokenSecretWorker,
  loadCertificateAuthority,
  loadServerCertificate,
} from './certs/index.js';
import { DownstreamWorker } from './downstream/index.js';
import { HaWorker } from './ha/index.js';
import { Hub } from './hub/index.js';
import {
  InformerFactory,
  KubeClient,
  SecretStore,
  loadKubeConfig,
  objectKey,
  apiServerWaitDefaults,
  readClusterCa,
  waitForApiServer,
} from './kube/index.js';
import type { KubeObject } from './kube/index.js';
import { EdgeControllerError } from './errors/index.js';
import { MetricsServer, createMetrics } from './observability/index.js';
import type { Logger, Metrics, Readiness } from './observability/index.js';
import { asStartError, messageOf, readinessOf, stopParts, untilAborted } from './lifecycle.js';
import type { Phase, StartedPart } from './lifecycle.js';
import { podKey } from './location/index.js';
import { newMessageId, parseNodeName } from './protocol/index.js';
import type { NodeName } from './protocol/index.js';
import { SyncWorker, desiredObjects, isEdgeStart, isResyncPending } from './sync/index.js';
import { controllerDefaults } from './controller-options.js';
import type { ControllerOptions, RunningController } from './controller-options.js';
import {
  LeaseRenewalWorker,
  RecentPodDeletions,
  UpstreamWorker,
  resolveUpstreamOptions,
} from './upstream/index.js';
import type { NodeAddress, NodeGraph, UpstreamOutcome } from './upstream/index.js';

export { controllerDefaults } from './controller-options.js';
export type { ControllerOptions, RunningController, UpstreamSettings } from './controller-options.js';

/** The part of a PersistentVolume node authorization reads. */
type PersistentVolume = KubeObject & {
  readonly spec?: { readonly claimRef?: { readonly namespace?: string; readonly name?: string } };
};

/**
 * Builds and starts everything; resolves once every listener is bound and the caches have synced. On any
 * failure, or when `options.signal` aborts, it stops what it had started (bounded by
 * `shutdownTimeoutMs`) and rejects with an `EdgeControllerError` whose code names the failure.
 */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const log = options.logger;
  const startupTimeoutMs = options.startupTimeoutMs ?? controllerDefaults.startupTimeoutMs;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? controllerDefaults.shutdownTimeoutMs;
  const startupDeadline = performance.now() + startupTimeoutMs;
  // Aborted by stop() (or a failed start): every long-running part listens to it.
  const lifetime = new AbortController();
  const cancel =
    options.signal === undefined ? lifetime.signal : AbortSignal.any([lifetime.signal, options.signal]);
  const metrics = options.metrics ?? createMetrics();
  const parts: StartedPart[] = [];
  let phase: Phase = { kind: 'starting', step: 'starting' };
  let nodes: () => unknown = () => [];

  // First: liveness must answer while everything else starts (a slow first list is not a dead process).
  // Its own signal, so that /readyz can say "shutting down" until the very end of a drain.
  const metricsLifetime = new AbortController();
  const metricsServer = new MetricsServer({
    registry: metrics.registry,
    readiness: () => readinessOf(phase),
    nodes: () => nodes(),
    ...(options.metricsHost !== undefined ? { host: options.metricsHost } : {}),
    ...(options.metricsPort !== undefined ? { port: options.metricsPort } : {}),
  });
  const describe = (name: string): void => {
    phase = { kind: 'starting', step: name };
  };
  /**
   * Runs one start step: `/readyz` names it, and it may not outlast the startup timeout (plus `graceMs`
   * for a step that enforces the deadline itself with a better error).
   */
  const step = async <T>(name: string, work: () => Promise<T>, graceMs = 0): Promise<T> => {
    describe(name);
    const timeoutMs = Math.max(0, Math.ceil(startupDeadline - performance.now() + graceMs));
    return untilAborted(work(), AbortSignal.any([cancel, AbortSignal.timeout(timeoutMs)]), () => {
      // The step as /readyz last described it: it may carry the latest failure (the API server wait).
      const current = readinessOf(phase).reasons.join('; ');
      return options.signal?.aborted === true
        ? new EdgeControllerError('EC_RUN_START_FAILED', `the start was cancelled (${current})`, {
            cause: options.signal.reason,
          })
        : new EdgeControllerError(
            'EC_RUN_STARTUP_TIMEOUT',
            `not started within ${String(startupTimeoutMs / 1000)} s (${current})`,
          );
    });
  };

  try {
    const metricsAddress = await step('binding the health and metrics endpoint', () =>
      metricsServer.start(metricsLifetime.signal),
    );
    parts.push({
      name: 'metrics',
      stop: async () => {
        metricsLifetime.abort();
        await metricsServer.stop();
      },
    });
    log.info({ metrics: metricsAddress.port }, 'Serving /healthz, /readyz and /metrics');

    const running = await startStages({
      options,
      log,
      metrics,
      lifetime,
      cancel,
      parts,
      step,
      describe,
      startupDeadline,
    });
    nodes = () => running.nodeRows();
    phase = { kind: 'running', readiness: running.readiness };
    const ports = { ...running.ports, metrics: metricsAddress.port };
    log.info({ ...ports }, 'Edge controller started');

    let stopping: Promise<void> | undefined;
    return {
      ...running.stages,
      metrics,
      ports,
      stop() {
        stopping ??= (async () => {
          phase = { kind: 'stopping' };
          lifetime.abort();
          await stopParts(parts, log);
          log.info('Edge controller stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    phase = { kind: 'stopping' };
    lifetime.abort();
    const error = asStartError(err);
    if (options.signal?.aborted === true) log.info('Edge controller start cancelled');
    else log.error({ err: error, code: error.code }, 'Edge controller failed to start');
    const stopped = await untilAborted(
      stopParts(parts, log).then(() => true),
      AbortSignal.timeout(Math.ceil(shutdownTimeoutMs)),
      () => new Error('timed out'),
    ).catch(() => false);
    if (stopped) log.info({ parts: parts.map((p) => p.name) }, 'Stopped the parts already started');
    else log.warn({ parts: parts.map((p) => p.name) }, 'Stopping the parts already started timed out');
    throw error;
  }
}

/** What {@link startStages} needs from {@link startController}. */
interface StageContext {
  readonly options: ControllerOptions;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly lifetime: AbortController;
  /** Aborts on stop() or when the caller cancels the start. */
  readonly cancel: AbortSignal;
  /** Started parts; each is pushed as soon as it has something to stop. */
  readonly parts: StartedPart[];
  readonly step: <T>(name: string, work: () => Promise<T>, graceMs?: number) => Promise<T>;
  /** Updates what `/readyz` says the current step is doing. */
  readonly describe: (name: string) => void;
  /** `performance.now()` by which the start must be done. */
  readonly startupDeadline: number;
}

/** The stages, started: everything {@link RunningController} exposes, bar metrics and the stop. */
interface StartedStages {
  readonly stages: Omit<RunningController, 'metrics' | 'ports' | 'stop'>;
  readonly ports: { readonly hub: number; readonly https: number };
  readonly hub: Hub;
  readonly readiness: () => Readiness;
  /** `/nodes`: every edge node with its recorded owner, and the hub's state where this replica holds it. */
  readonly nodeRows: () => unknown;
}

/** Builds the stages and starts them in dependency order, registering each in `ctx.parts`. */
async function startStages(ctx: StageContext): Promise<StartedStages> {
  const { options, log, metrics, parts, step } = ctx;
  const abort = ctx.lifetime;
  const kubeConfig = loadKubeConfig({ path: options.kubeconfig });
  const client = new KubeClient({
    kubeConfig,
    ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
    ...(options.kubeApi !== undefined ? { limits: options.kubeApi } : {}),
    metrics: metrics.kube,
  });
  const secrets = new SecretStore({ client });
  const advertiseAddress = options.advertiseAddress ?? ['127.0.0.1'];

  const apiLog = log.child({ component: 'kube' });
  const apiStep = `waiting for the API server at ${client.server}`;
  // The wait ends at the startup deadline by itself, with the API server's own failure as the error
  // (EC_KUBE_UNAVAILABLE, the cause named); the grace keeps the generic timeout from winning that race.
  const version = await step(
    apiStep,
    () =>
      waitForApiServer({
        client,
        signal: ctx.cancel,
        timeoutMs: Math.max(0, ctx.startupDeadline - performance.now()),
        onRetry: (failure, attempt) => {
          // /readyz shows every failure; the log the 1st, 2nd, 4th, 8th… (rate-limited, STYLE rule 31).
          ctx.describe(`${apiStep} (attempt ${String(attempt)} failed: ${failure.message})`);
          if ((attempt & (attempt - 1)) === 0)
            apiLog.warn({ attempt, err: failure.message }, 'The API server did not answer; retrying');
        },
      }),
    apiServerWaitDefaults.attemptTimeoutMs,
  );
  apiLog.info({ server: client.server, version }, 'Reached the API server');

  const files = options.tlsFiles;
  const { ca, serverCert, caSource, certSource } = await step(
    'loading the CA and the server certificate',
    async () => {
      const loadedCa = await loadCertificateAuthority({
        secrets,
        now: new Date(),
        ...(files !== undefined
          ? { files: { certPath: files.caCert, keyPath: files.caKey, readFile: readIfExists } }
          : {}),
      });
      const loadedCert = await loadServerCertificate({
        secrets,
        ca: loadedCa.ca,
        now: new Date(),
        ...(files !== undefined
          ? {
              files: { certPath: files.serverCert, keyPath: files.serverKey, readFile: readIfExists },
            }
          : {}),
        advertiseAddress,
        ...(options.dnsNames !== undefined ? { dnsNames: options.dnsNames } : {}),
      });
      return {
        ca: loadedCa.ca,
        caSource: loadedCa.source,
        serverCert: loadedCert.serverCert,
        certSource: loadedCert.source,
      };
    },
  );
  log.info({ caSource, serverCertSource: certSource }, 'Loaded the CA and the server certificate');

  const tokenWorker = new TokenSecretWorker({
    secrets,
    ca,
    logger: log.child({ component: 'token' }),
    ...(options.tokenRefreshDurationMs !== undefined
      ? { tokenRefreshDurationMs: options.tokenRefreshDurationMs }
      : {}),
  });
  parts.push({ name: 'token', stop: () => tokenWorker.stop() });
  await step('writing the join token Secret', () => tokenWorker.start(abort.signal));

  const clusterCaPem = await step('reading the cluster CA', () => readClusterCa(client));

  const hubLog = log.child({ component: 'hub' });
  // The one place informers are built (client-go SharedInformerFactory): stages ask it for what they read.
  const informers = new InformerFactory({
    client,
    logger: log.child({ component: 'informer' }),
    observer: {
      onList: (informer, list) => {
        metrics.informer.lists.inc({ informer });
        metrics.informer.listDuration.observe({ informer }, list.durationMs / 1000);
      },
      onWatchRestart: (informer, reason) => {
        metrics.informer.watchRestarts.inc({ informer, reason });
      },
      onEvent: (informer, type) => {
        metrics.informer.events.inc({ informer, type });
      },
      onHeard: (informer) => {
        metrics.informer.markHeard(informer);
      },
      onHandlerError: (informer) => {
        metrics.informer.handlerErrors.inc({ informer });
      },
      onMalformed: (informer, what) => {
        metrics.informer.malformed.inc({ informer, what });
      },
    },
  });
  // The hub, downstream and sync refer to each other through hooks resolved at call time.
  const downstream: DownstreamWorker = new DownstreamWorker({
    informers,
    hub: {
      // Through sync: a push leaves only once its record exists (issue 13).
      // Only for nodes this replica owns (issue 14): the new owner of a node repairs it from the records.
      deliver: (node, push) => {
        if (ha.owns(node)) sync.deliver(node, push);
      },
      forgetNode: (node) => {
        // Pushes planned before the node left, still waiting for their turn, must not make its queue again.
        sync.dropPending(node);
        hub.forgetNode(node);
      },
    },
    logger: log.child({ component: 'downstream' }),
    onNodeDeleted: (node) => {
      sync.forgetNode(node);
    },
  });
  const sync: SyncWorker = new SyncWorker({
    client,
    informers,
    hub: {
      enqueue: (node, message) => (ha.owns(node) ? hub.enqueue(node, message) : 'dropped-not-owned'),
      connectedNodes: () => hub.connectedNodes(),
      isConnected: (node) => hub.isConnected(node),
      forgetAcked: (node) => {
        hub.forgetAcked(node);
      },
    },
    logger: log.child({ component: 'sync' }),
    observer: {
      onRecordWrite: (operation, result) => {
        metrics.sync.recordWrites.inc({ operation, result });
      },
      onRepairAction: (action) => {
        metrics.sync.repairActions.inc({ action });
      },
      onResync: (reason) => {
        metrics.sync.resyncs.inc({ reason });
      },
    },
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
      resyncPending: (node) => isResyncPending(downstream.nodes.store.get(objectKey(undefined, node))),
    },
  });
  // This replica's Lease and node ownership (issue 14): several replicas share the fleet through the API.
  const ha: HaWorker = new HaWorker({
    client,
    informers,
    nodes: downstream.nodes.store,
    address: advertiseAddress[0] ?? '127.0.0.1',
    hub: {
      holds: (node) => hub.isConnected(node) || hub.nodeState(node) !== undefined,
      heldNodes: () => [...new Set([...hub.connectedNodes(), ...hub.heldNodes()])],
    },
    release: (node, reason) => {
      metrics.ha.releases.inc({ reason });
      // Another replica holds the node's session now: ours (if still open) is a stale one.
      hub.disconnect(node, 'replaced');
      hub.forgetNode(node);
      sync.releaseNode(node);
    },
    logger: log.child({ component: 'ha' }),
    onClaim: (result) => {
      metrics.ha.claims.inc({ result });
    },
  });
  downstream.nodes.onEvent((event) => {
    const node = parseNodeName(event.object.metadata.name);
    if (node === undefined) return;
    if (event.type === 'delete') ha.nodeDeleted(node);
    else ha.nodeSeen(node, event.object);
  });
  metrics.ha.setSources({
    // Read at every scrape: a count kept up to date, and the hub's node names against two sets.
    nodes: () => [
      { state: 'owned', count: ha.ownedCount() },
      { state: 'held_not_owned', count: ha.countNotOwned(hub.heldNodes()) },
    ],
    liveReplicas: () => ha.liveReplicas().length,
    leader: () => ha.isLeader,
  });
  // Renews the leases of connected nodes when the hub stops and when a session opens (issue 16 item 2).
  const leases = new LeaseRenewalWorker({
    api: client,
    logger: log.child({ component: 'upstream' }),
    onResult: (reason, result) => {
      metrics.upstream.leaseRenewals.inc({ reason, result });
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
        handle: (node, message, request, info) => {
          // An EdgeCore inserts its Node on every start: its store may be new (re-imaged), so it gets
          // everything again (issue 13). The insert is answered only once the resync is written down
          // (the Node's resync-pending annotation): a controller that crashes before that never answers
          // it, and the kubelet registers again when it reconnects, so the start is not lost.
          if (isEdgeStart(node, message)) {
            void sync.resync(node, 'edge-start').then(() => {
              upstream.handle(node, message, request, info);
            });
            return;
          }
          upstream.handle(node, message, request, info);
        },
      },
      clusterCaPem: () => clusterCaPem,
      renewLeases: (renewals, reason) => leases.renew(renewals, reason),
      onAck: (node, acked) => {
        sync.onAck(node, acked);
      },
      // A node cut for cause (over its byte budget, not reading): its waiting requests go, unanswered.
      onSessionClosed: (node, reason) => {
        if (reason === 'over_budget' || reason === 'not_reading') upstream.dropWaiting(node);
      },
      onSessionOpened: (node) => {
        // The session makes this replica the node's owner (the claim, with the `cloudcore` annotation, is
        // written behind it, and only when the Node does not already say so). A replica whose own Lease
        // lapsed owns nothing: the edge redials and finds another.
        if (!ha.sessionOpened(node)) {
          hub.disconnect(node, 'replaced');
          return;
        }
        // Repair at once on connect: whatever the node missed while away (or while another replica owned
        // it) is sent now (KubeEdge waits for its 5 s sweep, and never sends what was never recorded).
        sync.repair(node);
      },
    },
  });
  const volumes = informers.informerFor<PersistentVolume>({
    path: '/api/v1/persistentvolumes',
    name: 'persistentvolumes',
  });
  // Pods each node lost in the last 5 minutes, from the pod informer (never from what a node sends): a
  // node may still record events about them (issue 12).
  const recentPodDeletions = new RecentPodDeletions();
  downstream.pods.onEvent((event) => {
    const node = event.type === 'delete' ? parseNodeName(event.object.spec?.nodeName) : undefined;
    if (node !== undefined) {
      const { namespace, name } = event.object.metadata;
      recentPodDeletions.record(node, namespace ?? '', name, Date.now());
    }
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
    podRecentlyDeletedFrom: (node, namespace, name) =>
      recentPodDeletions.has(node, namespace, name, Date.now()),
    // For a kubelet-serving CSR's SANs: what the node's own Node object says, and which Nodes exist.
    nodeAddresses: (node) => addressesOf(downstream.nodes.store.get(objectKey(undefined, node))),
    isNode: (name) => downstream.nodes.store.get(objectKey(undefined, name)) !== undefined,
  };
  const upstreamSettings = options.upstream ?? {};
  const upstream = new UpstreamWorker({
    api: client,
    // A reply for a node taken over meanwhile would make a queue no session drains (issue 14): dropped.
    // Through sync: a query reply carrying an object (a ConfigMap, a Secret) is stored by the edge like a
    // push, so its record is created before it leaves, or a crash would forget the edge holds it.
    hub: {
      enqueue: (node, message) => {
        if (ha.owns(node)) sync.enqueue(node, message);
      },
    },
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
    newId: newMessageId,
    // Waiting requests are charged to the node's byte budget in the hub (issue 12 item 1).
    memory: hub.upstreamMemory,
    stores: {
      configmaps: (t) => downstream.configMaps.store.get(objectKey(t.namespace, t.name)),
      secrets: (t) => downstream.secrets.store.get(objectKey(t.namespace, t.name)),
      nodes: (t) => downstream.nodes.store.get(objectKey(undefined, t.name)),
      pods: (t) => downstream.pods.store.get(objectKey(t.namespace, t.name)),
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
      // Admission refusals too (`queue-full-node-full`, `-lane-full`, `-evicted`, `-over-budget`, issue 12).
      if (outcome.result === 'forbid' || outcome.result === 'invalid' || outcome.result === 'queue-full') {
        metrics.upstream.rejects.inc({ reason: `${outcome.result}-${outcome.reason ?? 'unknown'}` });
      }
    },
  });
  metrics.upstream.setDepthSource(() => upstream.depth);
  metrics.sync.setSources({
    pendingRecordWrites: () => sync.pendingRecordWrites,
    heldPushes: () => sync.heldPushes,
  });
  // Caches first: the hub accepts edges only once repair on connect can know what they should have.
  // One part for every informer, before sync in the list: on the way down, sync flushes its record
  // writes first, then the informers stop.
  parts.push({ name: 'informers', stop: () => informers.stop() });
  informers.start(abort.signal);
  await step('waiting for the informers to list (pods, configmaps, secrets, nodes)', () =>
    downstream.whenSynced(),
  );
  await step('waiting for the informers to list (persistentvolumes)', () => volumes.whenSynced());
  // The Lease before the hub: a replica is live before it accepts an edge; deleted after the hub closed.
  parts.push({ name: 'ha', stop: () => ha.stop() });
  await step("writing this replica's Lease", () => ha.start(abort.signal));
  parts.push({ name: 'sync', stop: () => sync.stop() });
  await step('installing the reliable-sync CRDs and listing their records', () => sync.start(abort.signal));
  parts.push({ name: 'hub', stop: () => hub.stop() });
  const hubAddress = await step('binding the hub', () =>
    hub.start().catch((err: unknown) => {
      throw new EdgeControllerError(
        'EC_RUN_LISTEN_FAILED',
        `the hub cannot listen on ${hub.options.host}:${String(hub.options.port)}: ${messageOf(err)}`,
        { cause: err },
      );
    }),
  );
  // After the hub in the list, so before it on the way down: requests already taken are answered while
  // sessions are still open.
  parts.push({ name: 'upstream', stop: () => upstream.stop() });

  const certServer = new CertServer({
    ca,
    serverCert,
    logger: log.child({ component: 'certs' }),
    // Connected here, or to another live replica (issue 14): a token join must not steal a live node.
    isNodeConnected: (name) => hub.isConnected(name) || ha.isConnectedElsewhere(name),
    // From the Node informer's store: a flood of /node/{name} costs no API reads (issue 12 item 5).
    nodeExists: (name) =>
      downstream.isReady ? downstream.nodes.store.get(objectKey(undefined, name)) !== undefined : undefined,
    onHandshakeRefused: (reason) => {
      metrics.hub.handshakesRefused.inc({ server: 'certs', reason });
    },
    onBusy: (reason) => {
      metrics.hub.certsBusyRefusals.inc({ reason });
    },
    onIssuance: (outcome) => {
      metrics.hub.certificateIssuances.inc({
        method: outcome.method,
        result: outcome.reason ?? outcome.result,
      });
      // A token join for a node that exists: most likely a rebuilt edge with an empty store. Resync it now;
      // the pushes wait in its queue until it connects (issue 13 item 3).
      const joined = outcome.method === 'token' ? parseNodeName(outcome.nodeName) : undefined;
      if (outcome.result === 'issued' && joined !== undefined && downstream.isEdgeNode(joined)) {
        void sync.resync(joined, 'token-join');
      }
    },
    ...(options.httpsHost !== undefined ? { address: options.httpsHost } : {}),
    ...(options.httpsPort !== undefined ? { port: options.httpsPort } : {}),
    allowLegacyEdgeCert: options.hub?.allowLegacyEdgeCert ?? false,
    ...(options.edgeCertSigningDurationDays !== undefined
      ? { edgeCertSigningDurationDays: options.edgeCertSigningDurationDays }
      : {}),
  });
  parts.push({ name: 'certs', stop: () => certServer.stop() });
  await step('binding the certificate server', () => certServer.start(abort.signal));

  return {
    stages: { hub, downstream, sync, upstream, client, ca },
    ports: { hub: hubAddress.port, https: certServer.port },
    hub,
    nodeRows: () => {
      const held = new Map(hub.nodeStates().map((s) => [s.node as string, s.state]));
      const names = new Set([...downstream.nodes.store.list().map((n) => n.metadata.name), ...held.keys()]);
      return [...names].sort().map((node) => ({
        node,
        owner: ha.ownerOf(node as NodeName) ?? null,
        ...(held.has(node) ? { state: held.get(node) } : {}),
      }));
    },
    readiness: () => {
      const reasons = [
        ...(downstream.isReady ? [] : ['informers have not synced']),
        ...(hub.isListening ? [] : ['the hub is not listening']),
      ];
      return { ready: reasons.length === 0, reasons };
    },
  };
}

/** A Node's `status.addresses`, read defensively (the store holds what the API server sent). */
function addressesOf(node: unknown): readonly NodeAddress[] {
  const status = (node as { status?: { addresses?: unknown } } | undefined)?.status;
  const addresses = Array.isArray(status?.addresses) ? (status.addresses as unknown[]) : [];
  return addresses.flatMap((a) => {
    const { type, address } = (a ?? {}) as { type?: unknown; address?: unknown };
    return typeof type === 'string' && typeof address === 'string' ? [{ type, address }] : [];
  });
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
