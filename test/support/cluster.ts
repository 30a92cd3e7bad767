/**
 * One real control plane per test file: `useLocalCluster()` starts it in `before` and stops it in
 * `after`, and hands each test its own namespace (STYLE.md B8).
 * @module
 */
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import type { LocalCluster, LocalClusterOptions } from '../../src/local-cluster/index.js';
import { eventually } from './eventually.js';

export interface TestCluster {
  readonly cluster: LocalCluster;
  /** Admin client (system:masters). */
  readonly admin: KubeClient;
  /** Creates a fresh namespace and waits for its default ServiceAccount. */
  readonly namespace: (prefix?: string) => Promise<string>;
}

/** Registers before/after hooks; the returned getter is valid inside tests. */
export function useLocalCluster(options: Omit<LocalClusterOptions, 'dataDir'> = {}): () => TestCluster {
  let handle: TestCluster | undefined;
  before(async () => {
    const cluster = await startLocalCluster(options);
    const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
    handle = {
      cluster,
      admin,
      namespace: async (prefix = 'test') => {
        const name = `${prefix}-${randomBytes(3).toString('hex')}`;
        await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
        await eventually(() =>
          admin.request({ method: 'GET', path: `/api/v1/namespaces/${name}/serviceaccounts/default` }),
        );
        return name;
      },
    };
  });
  after(async () => {
    if (handle === undefined) return;
    await handle.cluster.stop();
    await rm(handle.cluster.dataDir, { recursive: true, force: true });
  });
  return () => {
    if (handle === undefined) throw new Error('the local cluster did not start (see the before hook)');
    return handle;
  };
}
