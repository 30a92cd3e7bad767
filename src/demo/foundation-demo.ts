/**
 * The foundation demo (`make demo`): a local control plane, two stand-in nodes kept Ready through the
 * API, and a sample Deployment whose pods the real scheduler binds to them. The full demo with the
 * controller and simulated edges replaces the stand-ins once those exist (issue 7).
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeClient, loadKubeConfig } from '../kube/index.js';
import { binaryPath, projectRoot, registerStandInNode, startLocalCluster } from '../local-cluster/index.js';
import type { Logger } from '../observability/index.js';

/** Options of {@link runFoundationDemo}. */
export interface FoundationDemoOptions {
  readonly logger: Logger;
  /** Number of stand-in nodes. Default 2. */
  readonly nodes?: number;
  /** Replicas of the sample Deployment. Default 4. */
  readonly replicas?: number;
  /** Resolves when the demo should end (Ctrl-C). */
  readonly untilStopped: Promise<void>;
}

interface PodList {
  items: { metadata: { name: string }; spec: { nodeName?: string } }[];
}

/** Runs the demo until `untilStopped` resolves, then stops everything it started. */
export async function runFoundationDemo(options: FoundationDemoOptions): Promise<void> {
  const log = options.logger.child({ component: 'demo' });
  const dataDir = join(projectRoot, '.cache', 'clusters', 'demo');
  const kubeconfigOut = join(projectRoot, '.cache', 'demo.kubeconfig');
  log.info({ dataDir }, 'Starting the local control plane');
  const cluster = await startLocalCluster({
    dataDir,
    kubeconfigOut,
    onLog: (line) => process.stderr.write(line + '\n'),
  });
  const nodes: { stopRenewing(): void }[] = [];
  try {
    const client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
    for (let i = 1; i <= (options.nodes ?? 2); i++) {
      nodes.push(
        await registerStandInNode(client, {
          name: `demo-node-${String(i)}`,
          labels: { 'node-role.kubernetes.io/edge': '' },
        }),
      );
    }
    const replicas = options.replicas ?? 4;
    await client
      .request({
        method: 'POST',
        path: '/apis/apps/v1/namespaces/default/deployments',
        body: sampleDeployment(replicas),
      })
      .catch((err: unknown) => {
        if ((err as { action?: string }).action !== 'reread') throw err; // already there from an earlier run
      });
    log.info({ replicas }, 'Created Deployment default/demo-web; waiting for the scheduler');
    for (let tries = 0; tries < 120; tries++) {
      const pods = await client.request<PodList>({
        method: 'GET',
        path: '/api/v1/namespaces/default/pods?labelSelector=app%3Ddemo-web',
      });
      const bound = pods.items.filter((p) => p.spec.nodeName !== undefined).length;
      if (bound >= replicas) break;
      await delay(500);
    }
    await kubectl(cluster.kubeconfigPath, ['get', 'nodes,pods', '-o', 'wide']);
    process.stdout.write(
      `\nThe pods are scheduled onto stand-in nodes (no kubelet runs them yet, so they stay Pending).\n` +
        `Poke at it:  ${binaryPath} kubectl --kubeconfig ${kubeconfigOut} get pods -o wide\n` +
        `Press Ctrl-C to stop and clean up.\n`,
    );
    await options.untilStopped;
  } finally {
    for (const n of nodes) n.stopRenewing();
    await cluster.stop();
    log.info('Demo stopped; nothing left running');
  }
}

function sampleDeployment(replicas: number): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo-web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'demo-web' } },
      template: {
        metadata: { labels: { app: 'demo-web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '50m', memory: '32Mi' } } },
          ],
        },
      },
    },
  };
}

function kubectl(kubeconfig: string, args: string[]): Promise<void> {
  return new Promise((done) => {
    spawn(binaryPath, ['kubectl', `--kubeconfig=${kubeconfig}`, ...args], { stdio: 'inherit' }).on(
      'exit',
      () => {
        done();
      },
    );
  });
}
