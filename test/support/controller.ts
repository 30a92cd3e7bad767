/**
 * A controller started in-process against the file's local cluster, with every listener on a free
 * loopback port, a fresh metrics registry and captured logs; plus edges that join through the real token
 * flow and connect with the certificate they were issued.
 * @module
 */
import { startController } from '../../src/controller.js';
import type { ControllerOptions, RunningController } from '../../src/controller.js';
import { createMetrics } from '../../src/observability/index.js';
import { capturedLogger } from './captured-logger.js';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
import type { EdgeClientOptions, EdgeIdentity } from '../../src/sim/index.js';
import type { KubeClient } from '../../src/kube/index.js';
import { eventually } from './eventually.js';

export interface TestController {
  readonly controller: RunningController;
  /** Every log line written so far (JSON text). */
  readonly logs: string[];
  readonly httpServer: string;
  readonly hubServer: string;
  /** The join token as `keadm gettoken` prints it, read from Secret kubeedge/tokensecret. */
  token(): Promise<string>;
  /** Joins with the token and returns the node's identity. */
  join(nodeName: string): Promise<EdgeIdentity>;
  /** Connects an edge with an identity (default options: keepalive every 500 ms, auto-ACK). */
  connect(identity: EdgeIdentity, options?: Partial<EdgeClientOptions>): Promise<EdgeClient>;
  /** Reads a counter or gauge value from the registry (summed over label sets matching `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Starts a controller; the caller stops it (`controller.stop()`). */
export async function startTestController(
  admin: KubeClient,
  kubeconfig: string,
  options: Partial<Omit<ControllerOptions, 'logger' | 'kubeconfig'>> = {},
): Promise<TestController> {
  const { logger, lines: logs } = capturedLogger();
  const metrics = createMetrics({ collectProcessMetrics: false });
  const controller = await startController({
    logger,
    kubeconfig,
    httpsHost: '127.0.0.1',
    httpsPort: 0,
    metricsPort: 0,
    metrics,
    ...options,
    hub: { host: '127.0.0.1', port: 0, ...options.hub },
  });
  const httpServer = `https://127.0.0.1:${String(controller.ports.https)}`;
  const hubServer = `127.0.0.1:${String(controller.ports.hub)}`;
  const token = async (): Promise<string> =>
    eventually(async () => {
      const secret = await admin.request<{ data?: { tokendata?: string } }>({
        method: 'GET',
        path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
      });
      const data = secret.data?.tokendata;
      if (data === undefined) throw new Error('tokensecret has no tokendata yet');
      return Buffer.from(data, 'base64').toString('utf8');
    });
  return {
    controller,
    logs,
    httpServer,
    hubServer,
    token,
    join: async (nodeName) => joinWithToken({ httpServer, nodeName, token: await token() }),
    connect: async (identity, clientOptions = {}) => {
      const edge = new EdgeClient({
        server: hubServer,
        identity,
        keepaliveIntervalMs: 500,
        ...clientOptions,
      });
      await edge.connect();
      return edge;
    },
    metric: async (name, labels = {}) => {
      const found = await metrics.registry.getSingleMetric(name)?.get();
      return (found?.values ?? [])
        .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}
