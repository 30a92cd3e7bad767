/**
 * Proves the local control plane is real and complete: scheduling, node lifecycle, TokenRequest, the
 * Node authorizer, restarts of the apiserver, and clear failures on bad start-up input. One private
 * cluster for the file, so a short node-monitor grace period is safe here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { TerminalApiError } from '../../src/kube/index.js';
import { binaryPath, registerStandInNode } from '../../src/local-cluster/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { nodeClient } from '../support/node-identity.js';

const execFileAsync = promisify(execFile);
const getCluster = useLocalCluster({ nodeMonitorGracePeriodSeconds: 15 });

interface Condition {
  type: string;
  status: string;
}
interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { conditions?: Condition[] };
}
interface Node {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: Condition[] };
}

describe('local control plane', () => {
  it('serves the pinned Kubernetes release to the admin kubeconfig', async () => {
    const { admin, cluster } = getCluster();
    const version = await admin.request<{ gitVersion: string }>({ method: 'GET', path: '/version' });
    assert.equal(version.gitVersion, 'v1.35.4');
    assert.equal(cluster.ready.kubernetesVersion, 'v1.35.4');
  });

  it('schedules a Deployment onto a Node created through the API', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('sched');
    const node = await registerStandInNode(admin, { name: `${ns}-node`, labels: { 'test-node': ns } });
    try {
      await admin.request({
        method: 'POST',
        path: `/apis/apps/v1/namespaces/${ns}/deployments`,
        body: {
          metadata: { name: 'web' },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { nodeSelector: { 'test-node': ns }, containers: [{ name: 'web', image: 'nginx' }] },
            },
          },
        },
      });
      const pods = await eventually(
        async () => {
          const list = await admin.request<{ items: Pod[] }>({
            method: 'GET',
            path: `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`,
          });
          assert.equal(list.items.length, 3, 'the replicaset controller creates 3 pods');
          for (const pod of list.items)
            assert.equal(pod.spec.nodeName, node.name, 'the scheduler binds each pod');
          return list.items;
        },
        { timeoutMs: 120_000 },
      );
      for (const pod of pods) {
        const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
        assert.equal(scheduled?.status, 'True');
      }
    } finally {
      node.stopRenewing();
    }
  });

  it('marks a node NotReady with the unreachable taint once its lease stops renewing', async () => {
    const { admin } = getCluster();
    // A zone whose nodes are all NotReady is a "full disruption": the node lifecycle controller then
    // stops NoExecute tainting on purpose. A healthy neighbour keeps the zone in its normal state.
    const neighbour = await registerStandInNode(admin, { name: 'lease-healthy-node' });
    const node = await registerStandInNode(admin, { name: 'lease-lapse-node' });
    const path = `/api/v1/nodes/${node.name}`;
    const ready = (n: Node): string | undefined =>
      n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    assert.equal(ready(await admin.request<Node>({ method: 'GET', path })), 'True');
    node.stopRenewing();
    await eventually(
      async () => {
        const n = await admin.request<Node>({ method: 'GET', path });
        assert.equal(ready(n), 'Unknown', 'node lifecycle controller marks the node NotReady (Unknown)');
        const unreachable = (n.spec?.taints ?? []).filter((t) => t.key === 'node.kubernetes.io/unreachable');
        assert.deepEqual(unreachable.map((t) => t.effect).sort(), ['NoExecute', 'NoSchedule']);
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    ).finally(() => {
      neighbour.stopRenewing();
    });
  });

  it('issues a ServiceAccount token through TokenRequest that the apiserver authenticates', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('token');
    const issued = await admin.request<{ status: { token: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/serviceaccounts/default/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    });
    const review = (token: string) =>
      admin.request<{ status: { authenticated?: boolean; user?: { username: string } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/tokenreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
    const good = await review(issued.status.token);
    assert.equal(good.status.authenticated, true);
    assert.equal(good.status.user?.username, `system:serviceaccount:${ns}:default`);
    const forged = await review(issued.status.token.slice(0, -4) + 'AAAA');
    assert.notEqual(forged.status.authenticated, true);
  });

  it('lets a node read a Secret only once a pod bound to it references that Secret (Node authorizer)', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('authz');
    const nodeName = `${ns}-node`;
    for (const name of ['used', 'unused']) {
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/secrets`,
        body: { metadata: { name }, stringData: { k: 'v' } },
      });
    }
    const asNode = await nodeClient(admin, nodeName);
    const readSecret = (name: string) =>
      asNode.request<{ metadata: { name: string } }>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/secrets/${name}`,
      });
    await assert.rejects(
      readSecret('used'),
      (err: unknown) => err instanceof TerminalApiError && err.status === 403,
    );

    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'uses-secret' },
        spec: {
          nodeName,
          containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 's', mountPath: '/s' }] }],
          volumes: [{ name: 's', secret: { secretName: 'used' } }],
        },
      },
    });
    const secret = await eventually(() => readSecret('used'));
    assert.equal(secret.metadata.name, 'used');
    await assert.rejects(
      readSecret('unused'),
      (err: unknown) => err instanceof TerminalApiError && err.status === 403,
    );
  });

  it('keeps its data across a restart of kube-apiserver', async () => {
    const { admin, cluster, namespace } = getCluster();
    const ns = await namespace('restart');
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'kept' }, data: { a: '1' } },
    });
    await cluster.restartApiServer({ downMs: 500 });
    const cm = await eventually(() =>
      admin.request<{ data: { a: string } }>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/configmaps/kept`,
      }),
    );
    assert.equal(cm.data.a, '1');
  });

  it('refuses a second control plane on a data dir that is in use, with a clear message', async () => {
    const { cluster } = getCluster();
    const result = await execFileAsync(binaryPath, ['up', `--data-dir=${cluster.dataDir}`]).then(
      () => ({ code: 0, stderr: '' }),
      (err: unknown) => err as { code: number; stderr: string },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /in use by a running control plane/);
  });

  it('refuses an apiserver port that is taken, with a clear message', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ec-port-test-'));
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await execFileAsync(binaryPath, [
        'up',
        `--data-dir=${dataDir}`,
        `--apiserver-port=${String(port)}`,
      ]).then(
        () => ({ code: 0, stderr: '' }),
        (err: unknown) => err as { code: number; stderr: string },
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`port ${String(port)} on 127.0.0.1 is in use`));
    } finally {
      busy.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
