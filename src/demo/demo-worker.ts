/**
 * `make demo`: a real local control plane, the controller, N simulated EdgeCores that join with the
 * token, and a Deployment of M pods that use a ConfigMap and a Secret. A live line shows nodes joined and
 * Ready, pods Running, messages/s and ACK latency while it converges; then a summary and the commands to
 * poke at it. Ctrl-C stops everything it started.
 * @module
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createWriteStream } from 'node:fs';
import { startController } from '../controller.js';
import { KubeClient, loadKubeConfig } from '../kube/index.js';
import { binaryPath, projectRoot, startLocalCluster } from '../local-cluster/index.js';
import { createLogger, createMetrics } from '../observability/index.js';
import type { Logger } from '../observability/index.js';
import { SimulatedEdgeNode } from '../sim/index.js';
import { demoObjects } from './demo-objects.js';
import { summarize } from './demo-status.js';
import type { DemoCounts } from './demo-status.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly logger: Logger;
  /** Simulated edge nodes; default 50. */
  readonly nodes?: number;
  /** Replicas of the demo Deployment; default 200. */
  readonly pods?: number;
  /** Resolves when the demo should end (Ctrl-C). */
  readonly untilStopped: Promise<void>;
}

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}
interface PodList {
  items: { status?: { phase?: string } }[];
}

/** Runs the demo until `untilStopped` resolves, then stops everything it started. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const nodeCount = options.nodes ?? 50;
  const podCount = options.pods ?? 200;
  const log = options.logger.child({ component: 'demo' });
  const dataDir = join(projectRoot, '.cache', 'clusters', 'demo');
  const kubeconfigOut = join(projectRoot, '.cache', 'demo.kubeconfig');
  const controllerLog = join(projectRoot, '.cache', 'demo-controller.log');
  await rm(dataDir, { recursive: true, force: true }); // a clean cluster every run
  log.info({ dataDir }, 'Starting the local control plane');
  const cluster = await startLocalCluster({ dataDir, kubeconfigOut });
  const logFile = createWriteStream(controllerLog);
  const metrics = createMetrics();
  const controller = await startController({
    logger: createLogger({ level: 'info', destination: logFile }),
    kubeconfig: cluster.kubeconfigPath,
    hub: { host: '127.0.0.1', port: 0 },
    httpsHost: '127.0.0.1',
    httpsPort: 0,
    metricsPort: 0,
    metrics,
  });
  const nodes: SimulatedEdgeNode[] = [];
  try {
    const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
    const token = await readToken(admin);
    const started = performance.now();
    const httpServer = `https://127.0.0.1:${String(controller.ports.https)}`;
    const server = `127.0.0.1:${String(controller.ports.hub)}`;
    for (let i = 1; i <= nodeCount; i++) {
      const node = new SimulatedEdgeNode({
        nodeName: `edge-${String(i).padStart(3, '0')}`,
        server,
        join: { httpServer, token },
        podStartDelayMs: 500,
      });
      nodes.push(node);
      void node.start().catch(() => undefined); // a node that fails keeps retrying with backoff
    }
    for (const object of demoObjects(podCount)) {
      await admin.request({ method: 'POST', path: object.path, body: object.body });
    }
    process.stdout.write(
      `Controller: hub ${server}, certificates ${httpServer}, metrics http://127.0.0.1:${String(controller.ports.metrics)}/metrics, log ${controllerLog}\n`,
    );
    let previous: DemoCounts | undefined;
    let converged = false;
    const deadline = performance.now() + 300_000;
    while (!converged && performance.now() < deadline) {
      const counts = await countNow(admin, metrics, performance.now() - started);
      const line = summarize(counts, previous, nodeCount, podCount);
      process.stdout.write(process.stdout.isTTY ? `\r${line}   ` : `${line}\n`);
      previous = counts;
      converged = counts.nodesReady >= nodeCount && counts.podsRunning >= podCount;
      if (!converged) {
        await Promise.race([delay(1000), options.untilStopped]);
        if (await isSettled(options.untilStopped)) return;
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const kubectl = `${binaryPath} kubectl --kubeconfig ${kubeconfigOut}`;
    process.stdout.write(
      `\n\n${converged ? `Converged in ${seconds}s` : `Not converged after ${seconds}s`}: ` +
        `${String(nodeCount)} simulated edge nodes Ready, ${String(podCount)} pods Running.\n\n` +
        `Poke at it (another terminal):\n` +
        `  ${kubectl} get nodes\n` +
        `  ${kubectl} scale deployment demo-web --replicas=${String(podCount + 20)}\n` +
        `  ${kubectl} patch configmap demo-config -p '{"data":{"greeting":"hello again"}}'\n` +
        `  ${kubectl} get objectsyncs -o custom-columns=NAME:.metadata.name,KIND:.spec.objectKind,OBJECT:.spec.objectName,ACKED_RV:.status.objectResourceVersion\n` +
        `    (each node's ObjectSync for demo-config moves to the ConfigMap's new resourceVersion once the node ACKs it)\n` +
        `  curl -s http://127.0.0.1:${String(controller.ports.metrics)}/metrics | grep edgecontroller_hub\n\n` +
        `Press Ctrl-C to stop; nothing is left running.\n`,
    );
    await options.untilStopped;
  } finally {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await controller.stop();
    logFile.end();
    await cluster.stop();
    log.info('Demo stopped; nothing left running');
  }
}

async function readToken(admin: KubeClient): Promise<string> {
  for (;;) {
    try {
      const secret = await admin.request<{ data?: { tokendata?: string } }>({
        method: 'GET',
        path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
      });
      if (secret.data?.tokendata !== undefined)
        return Buffer.from(secret.data.tokendata, 'base64').toString('utf8');
    } catch {
      // not written yet
    }
    await delay(200);
  }
}

async function countNow(
  admin: KubeClient,
  metrics: ReturnType<typeof createMetrics>,
  elapsedMs: number,
): Promise<DemoCounts> {
  const [nodes, pods] = await Promise.all([
    admin.request<NodeList>({
      method: 'GET',
      path: '/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fedge',
    }),
    admin.request<PodList>({
      method: 'GET',
      path: '/api/v1/namespaces/default/pods?labelSelector=app%3Ddemo-web',
    }),
  ]);
  const value = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    return (metric?.values ?? [])
      .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return {
    elapsedMs,
    nodesJoined: nodes.items.length,
    nodesReady: nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length,
    podsRunning: pods.items.filter((p) => p.status?.phase === 'Running').length,
    messagesIn: await value('edgecontroller_hub_messages_total', { direction: 'in' }),
    messagesOut: await value('edgecontroller_hub_messages_total', { direction: 'out' }),
    ...(await ackTotals(metrics)),
  };
}

async function ackTotals(
  metrics: ReturnType<typeof createMetrics>,
): Promise<{ ackSumSeconds: number; ackCount: number }> {
  const histogram = await metrics.registry.getSingleMetric('edgecontroller_hub_ack_latency_seconds')?.get();
  const pick = (suffix: string): number =>
    (histogram?.values ?? [])
      .filter((v) => (v as { metricName?: string }).metricName?.endsWith(suffix) === true)
      .reduce((sum, v) => sum + v.value, 0);
  return { ackSumSeconds: pick('_sum'), ackCount: pick('_count') };
}

async function isSettled(promise: Promise<void>): Promise<boolean> {
  return Promise.race([promise.then(() => true), Promise.resolve(false)]);
}
