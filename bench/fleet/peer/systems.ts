/**
 * The two systems the peer benchmark compares, behind one shape: our controller (`edge-controller run`
 * as its own process) and KubeEdge CloudCore v1.23.1 (cloudcore-process.ts), each started with the same
 * node limit (both derive the API client's QPS and burst from it: 5 × and 10 ×), each on loopback ports,
 * each making its own CA and join token. Between two systems {@link cleanUp} removes what a run left in
 * the cluster, so each starts from the same state.
 * @module
 */
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../../src/kube/index.js';
import { readJoinToken, startControllerProcess } from '../../lib/controller-process.js';
import { startCloudCore } from './cloudcore-process.js';
import { sampleProcess } from './process-sampler.js';

/** Which system. */
export type SystemName = 'ours' | 'cloudcore';

/** A started system: where edges join and connect, and its process id for the sampler. */
export interface RunningSystem {
  readonly name: SystemName;
  readonly pid: number;
  /** `host:port` of the WebSocket hub. */
  readonly hubServer: string;
  /** `https://host:port` of the certificate server. */
  readonly httpServer: string;
  /** The join token (`<ca hash>.<jwt>`), from Secret kubeedge/tokensecret. */
  readonly token: string;
  /** Resolves with the exit code or signal once the process is gone (a crash or an OOM kill, mid-run). */
  readonly exited: Promise<number | string | null>;
  stop(): Promise<void>;
}

/** What starting a system needs. */
export interface SystemContext {
  readonly admin: KubeClient;
  readonly kubeconfig: string;
  /** Scratch directory of this run (CloudCore's config and log go under it). */
  readonly workDir: string;
  readonly nodeLimit: number;
  /** A label for this start (`ours-1`), for CloudCore's directory. */
  readonly label: string;
  /**
   * SIGKILL the system when its RSS passes this many MiB, before the kernel's OOM killer picks a process
   * on a machine others share; the exit then reads `SIGKILL (RSS guard at … MiB)`. Default 6,144.
   */
  readonly maxRssMiB?: number;
}

/** Starts `name` and resolves once edges can join (the token exists) and connect. */
export async function startSystem(name: SystemName, ctx: SystemContext): Promise<RunningSystem> {
  const system = await startUnguarded(name, ctx);
  const limitKiB = (ctx.maxRssMiB ?? 6144) * 1024;
  let trippedKiB: number | undefined;
  const guard = setInterval(() => {
    sampleProcess(system.pid).then(
      (s) => {
        if (s.rssKiB > limitKiB && trippedKiB === undefined) {
          trippedKiB = s.rssKiB;
          process.kill(system.pid, 'SIGKILL');
        }
      },
      () => undefined, // gone: its exit says why
    );
  }, 1000);
  const exited = system.exited.then((how) => {
    clearInterval(guard);
    return trippedKiB === undefined
      ? how
      : `${String(how)} (RSS guard at ${(trippedKiB / 1024).toFixed(0)} MiB)`;
  });
  return {
    ...system,
    exited,
    stop: async () => {
      clearInterval(guard);
      await system.stop();
    },
  };
}

async function startUnguarded(name: SystemName, ctx: SystemContext): Promise<RunningSystem> {
  if (name === 'ours') {
    const controller = await startControllerProcess(ctx.kubeconfig, {
      args: [`--node-limit=${String(ctx.nodeLimit)}`],
    });
    const pid = controller.process.pid;
    if (pid === undefined) throw new Error('the controller has no pid');
    return {
      name,
      pid,
      hubServer: `127.0.0.1:${String(controller.ports.hub)}`,
      httpServer: `https://127.0.0.1:${String(controller.ports.https)}`,
      token: await readJoinToken(ctx.admin),
      exited: controller.exited,
      stop: () => controller.stop(),
    };
  }
  const cloudcore = await startCloudCore(ctx.admin, {
    kubeconfig: ctx.kubeconfig,
    dir: join(ctx.workDir, ctx.label),
    nodeLimit: ctx.nodeLimit,
  });
  const pid = cloudcore.process.pid;
  if (pid === undefined) throw new Error('cloudcore has no pid');
  return {
    name,
    pid,
    hubServer: cloudcore.hubServer,
    httpServer: cloudcore.httpServer,
    token: await readJoinToken(ctx.admin),
    exited: cloudcore.exited,
    stop: () => cloudcore.stop(),
  };
}

const edgeSelector = encodeURIComponent('node-role.kubernetes.io/edge');
const recordsApi = '/apis/reliablesyncs.kubeedge.io/v1alpha1';

/**
 * Removes what a system and its edges left, once the system is stopped: the bench namespaces' pods
 * (forced, the edges are gone) and the namespaces, the edge Nodes and their Leases, every ObjectSync and
 * ClusterObjectSync, and the Secrets and ConfigMaps in `kubeedge` (CA, token, CloudCore's tunnel-port
 * record), so the next system makes its own. Resolves once no edge Node, pod or record is left.
 */
export async function cleanUp(admin: KubeClient, namespaces: readonly string[]): Promise<void> {
  const force = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 };
  const ignoreMissing = async (p: Promise<unknown>): Promise<void> => {
    try {
      await p;
    } catch (err) {
      if (!/404|not ?found/i.test(String(err))) throw err;
    }
  };
  for (const ns of namespaces) {
    await ignoreMissing(
      admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods`, body: force }),
    );
    await ignoreMissing(
      admin.request({ method: 'DELETE', path: `${recordsApi}/namespaces/${ns}/objectsyncs` }),
    );
    await ignoreMissing(admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}` }));
  }
  await ignoreMissing(admin.request({ method: 'DELETE', path: `${recordsApi}/clusterobjectsyncs` }));
  await ignoreMissing(
    admin.request({ method: 'DELETE', path: `/api/v1/nodes?labelSelector=${edgeSelector}` }),
  );
  await ignoreMissing(
    admin.request({
      method: 'DELETE',
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    }),
  );
  await ignoreMissing(admin.request({ method: 'DELETE', path: '/api/v1/namespaces/kubeedge/secrets' }));
  await ignoreMissing(admin.request({ method: 'DELETE', path: '/api/v1/namespaces/kubeedge/configmaps' }));
  const deadline = performance.now() + 120_000;
  for (;;) {
    const left = await leftovers(admin, namespaces);
    if (left === '') return;
    if (performance.now() > deadline) throw new Error(`clean-up left ${left}`);
    await delay(500);
  }
}

// What is still there, as a short phrase ('' when clean).
async function leftovers(admin: KubeClient, namespaces: readonly string[]): Promise<string> {
  type List = { items: unknown[] };
  const nodes = await admin.request<List>({
    method: 'GET',
    path: `/api/v1/nodes?labelSelector=${edgeSelector}`,
  });
  const records = await admin.request<List>({ method: 'GET', path: `${recordsApi}/objectsyncs` });
  let pods = 0;
  for (const ns of namespaces) {
    pods += (await admin.request<List>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods` })).items
      .length;
  }
  const parts = [
    nodes.items.length > 0 ? `${String(nodes.items.length)} edge nodes` : '',
    records.items.length > 0 ? `${String(records.items.length)} ObjectSyncs` : '',
    pods > 0 ? `${String(pods)} pods` : '',
  ].filter((p) => p !== '');
  return parts.join(', ');
}
