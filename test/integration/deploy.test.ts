/**
 * The manifests in deploy/ against a real apiserver: they pass server-side dry-run, the CRDs equal what
 * the controller installs, and the ServiceAccount's RBAC is enough to run the controller through a join,
 * a pod push and its ObjectSync record.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { controllerDefaults } from '../../src/controller.js';
import { binaryPath } from '../../src/local-cluster/index.js';
import { SimulatedEdgeNode } from '../../src/sim/index.js';
import { reliableSyncCrds } from '../../src/sync/index.js';
import type { KubeClient } from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const execFileAsync = promisify(execFile);
const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
const getCluster = useLocalCluster();

function kubectl(kubeconfig: string, args: string[]): Promise<{ stdout: string }> {
  return execFileAsync(binaryPath, ['kubectl', `--kubeconfig=${kubeconfig}`, ...args]);
}

/** A kubeconfig for the controller's ServiceAccount (deploy/rbac.yaml applied), in a fresh directory. */
async function serviceAccountKubeconfig(admin: KubeClient): Promise<{ dir: string; kubeconfig: string }> {
  const issued = await admin.request<{ status: { token: string } }>({
    method: 'POST',
    path: '/api/v1/namespaces/kubeedge/serviceaccounts/edge-controller/token',
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    },
  });
  const adminCluster = admin.kubeConfig.getCurrentCluster();
  assert.ok(adminCluster !== null);
  const dir = await mkdtemp(join(tmpdir(), 'ec-rbac-'));
  const kubeconfig = join(dir, 'sa.kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: local`,
      `  cluster: { server: "${adminCluster.server}", certificate-authority-data: "${adminCluster.caData ?? ''}" }`,
      'users:',
      `- name: edge-controller`,
      `  user: { token: "${issued.status.token}" }`,
      'contexts:',
      '- name: local',
      '  context: { cluster: local, user: edge-controller }',
      'current-context: local',
      '',
    ].join('\n'),
  );
  return { dir, kubeconfig };
}

/** Applies the namespace and RBAC of deploy/. */
async function applyRbac(kubeconfig: string): Promise<void> {
  await kubectl(kubeconfig, [
    'apply',
    '-f',
    join(deployDir, 'namespace.yaml'),
    '-f',
    join(deployDir, 'rbac.yaml'),
  ]);
}

interface Probe {
  httpGet?: { path?: string; port?: string };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface DeploymentManifest {
  spec: {
    template: {
      spec: {
        terminationGracePeriodSeconds?: number;
        containers: {
          args?: string[];
          startupProbe?: Probe;
          livenessProbe?: Probe;
          readinessProbe?: Probe;
        }[];
      };
    };
  };
}

/** The value of `--<name>=<value>` in the container args, or the controller's default. */
function secondsFlag(args: readonly string[], name: string, defaultMs: number): number {
  const given = args.find((a) => a.startsWith(`--${name}=`));
  return given === undefined ? defaultMs / 1000 : Number(given.slice(name.length + 3));
}

describe('deploy manifests', () => {
  it('give the drain and the start the time the controller takes for them', async () => {
    const [doc] = parseAllDocuments(await readFile(join(deployDir, 'deployment.yaml'), 'utf8'));
    const pod = (doc?.toJS() as DeploymentManifest).spec.template.spec;
    const container = pod.containers[0];
    assert.ok(container !== undefined);
    const args = container.args ?? [];
    const shutdownSeconds = secondsFlag(
      args,
      'shutdown-timeout-seconds',
      controllerDefaults.shutdownTimeoutMs,
    );
    const startupSeconds = secondsFlag(args, 'startup-timeout-seconds', controllerDefaults.startupTimeoutMs);
    assert.equal(
      pod.terminationGracePeriodSeconds,
      shutdownSeconds + 5,
      'terminationGracePeriodSeconds is --shutdown-timeout-seconds + 5: the drain ends before SIGKILL',
    );
    const startup = container.startupProbe;
    assert.equal(startup?.httpGet?.path, '/readyz', 'the startupProbe waits for readiness, not liveness');
    const startupBudget = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
    assert.ok(startupBudget >= 300, `startupProbe budget ${String(startupBudget)} s is generous (>= 300 s)`);
    assert.ok(
      startupBudget > startupSeconds,
      'the controller gives up (one clear line, exit 1) before the kubelet kills it',
    );
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  });

  it('apply cleanly with server-side dry-run', async () => {
    const { cluster } = getCluster();
    // A dry-run creates nothing, so the namespace the other objects live in must exist first.
    await kubectl(cluster.kubeconfigPath, ['apply', '-f', join(deployDir, 'namespace.yaml')]);
    const { stdout } = await kubectl(cluster.kubeconfigPath, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '-k',
      deployDir,
    ]);
    assert.match(stdout, /deployment.apps\/edge-controller serverside-applied \(server dry run\)/);
    assert.match(stdout, /clusterrole.rbac.authorization.k8s.io\/edge-controller serverside-applied/);
  });

  it('carry the same reliable-sync CRDs the controller installs', async () => {
    for (const file of ['objectsyncs.yaml', 'clusterobjectsyncs.yaml']) {
      const [doc] = parseAllDocuments(await readFile(join(deployDir, 'crds', file), 'utf8'));
      const crd = doc?.toJS() as { metadata: { name: string } };
      const expected = reliableSyncCrds.find(
        (c) => (c['metadata'] as { name: string }).name === crd.metadata.name,
      );
      assert.deepEqual(crd, expected);
    }
  });

  it('grant the ServiceAccount enough for a full cycle: join, node registration, lease, pod push, pod status (written as edge-controller), record', async () => {
    const { admin, cluster, namespace } = getCluster();
    await applyRbac(cluster.kubeconfigPath);
    const { dir, kubeconfig } = await serviceAccountKubeconfig(admin);
    // Missing permissions show as informers that never sync: bound the start so that fails, not hangs.
    const ctl = await Promise.race([
      startTestController(admin, kubeconfig),
      new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(
            new Error('the controller did not start with the ServiceAccount: RBAC is missing something'),
          );
        }, 90_000).unref();
      }),
    ]);
    try {
      const ns = await namespace('rbac');
      const node = 'rbac-edge';
      // A simulated EdgeCore: it registers its Node, keeps its Lease and reports pod status, all through
      // the controller's ServiceAccount.
      const edge = new SimulatedEdgeNode({
        nodeName: node,
        server: ctl.hubServer,
        join: { httpServer: ctl.httpServer, token: await ctl.token() },
        podStartDelayMs: 100,
      });
      await edge.start();
      try {
        await eventually(() => admin.request({ method: 'GET', path: `/api/v1/nodes/${node}` }));
        // The test's own writes name their manager, so that every other entry is the controller's.
        const created = await admin.request<{ metadata: { uid: string } }>({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/pods?fieldManager=test-admin`,
          body: {
            metadata: { name: 'p' },
            spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
          },
        });
        await eventually(async () => {
          const pod = await admin.request<{ status?: { phase?: string } }>({
            method: 'GET',
            path: `/api/v1/namespaces/${ns}/pods/p`,
          });
          assert.equal(pod.status?.phase, 'Running', 'the status the edge reported was written');
          await admin.request({
            method: 'GET',
            path: `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${ns}/objectsyncs/${node}.${created.metadata.uid}`,
          });
          await admin.request({
            method: 'GET',
            path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`,
          });
        });
        // Who wrote the status the edge reported: the controller, by name (KubeEdge shows `cloudcore`).
        const pod = await admin.request<{
          metadata: { managedFields?: { manager?: string; subresource?: string }[] };
        }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/p` });
        const managers = (pod.metadata.managedFields ?? []).map(
          (f) => `${f.manager ?? '?'}/${f.subresource ?? ''}`,
        );
        assert.ok(
          managers.includes('edge-controller/status'),
          `status written as edge-controller: ${managers.join()}`,
        );
        assert.deepEqual(
          managers.filter((m) => !m.startsWith('edge-controller/') && m !== 'test-admin/'),
          [],
          'no anonymous writer',
        );
        const denied = ctl.logs.filter((line) => line.includes('Forbidden') || line.includes('"code":403'));
        assert.deepEqual(denied, [], 'nothing the controller did was forbidden');
      } finally {
        await edge.stop();
      }
    } finally {
      await ctl.controller.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Issue 13 item 1: an object's record exists before its first push. Without the right to create records
  // the push waits (it would be a push the controller forgets on a crash); with it back, the push goes.
  it('hold a new pod until its record can be created: denied by RBAC, then allowed again', async () => {
    const { admin, cluster, namespace } = getCluster();
    await applyRbac(cluster.kubeconfigPath);
    const { dir, kubeconfig } = await serviceAccountKubeconfig(admin);
    const rolePath = '/apis/rbac.authorization.k8s.io/v1/clusterroles/edge-controller';
    type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[] };
    const setRecordCreate = async (allowed: boolean): Promise<void> => {
      const role = await admin.request<{ rules: Rule[] }>({ method: 'GET', path: rolePath });
      const rules = role.rules.map((rule) =>
        rule.resources?.includes('objectsyncs') === true
          ? {
              ...rule,
              verbs: allowed
                ? [...new Set([...rule.verbs, 'create'])]
                : rule.verbs.filter((v) => v !== 'create'),
            }
          : rule,
      );
      await admin.request({ method: 'PUT', path: rolePath, body: { ...role, rules } });
    };
    const ctl = await startTestController(admin, kubeconfig);
    const node = 'rbac-held-edge';
    const edge = new SimulatedEdgeNode({
      nodeName: node,
      server: ctl.hubServer,
      join: { httpServer: ctl.httpServer, token: await ctl.token() },
      podStartDelayMs: 100,
    });
    try {
      const ns = await namespace('rbac-held');
      await edge.start();
      await eventually(() => admin.request({ method: 'GET', path: `/api/v1/nodes/${node}` }));
      await setRecordCreate(false);
      const created = await admin.request<{ metadata: { uid: string } }>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name: 'held' },
          spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
      const recordPath = `/apis/reliablesyncs.kubeedge.io/v1alpha1/namespaces/${ns}/objectsyncs/${node}.${created.metadata.uid}`;
      // The create was tried and refused at least twice (so it is retried, not given up), and meanwhile
      // the pod is held: not on the edge, no record.
      await eventually(async () => {
        const refused = await ctl.controller.metrics.registry
          .getSingleMetric('edgecontroller_sync_record_writes_total')
          ?.get();
        const failed = refused?.values.find(
          (v) => v.labels['operation'] === 'create' && v.labels['result'] === 'failed',
        );
        assert.ok((failed?.value ?? 0) >= 2, 'the refused create is retried');
      });
      assert.equal(ctl.controller.sync.heldPushes >= 1, true, 'the push is held');
      assert.equal(edge.store.has(`${ns}/pod/held`), false, 'the pod did not reach the edge');
      await assert.rejects(admin.request({ method: 'GET', path: recordPath }), 'no record yet');

      await setRecordCreate(true);
      await eventually(async () => {
        assert.ok(edge.store.has(`${ns}/pod/held`), 'the pod reached the edge once allowed');
        await admin.request({ method: 'GET', path: recordPath });
      });
      assert.equal(ctl.controller.sync.heldPushes, 0);
    } finally {
      await setRecordCreate(true);
      await edge.stop();
      await ctl.controller.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
