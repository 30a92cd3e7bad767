/**
 * A Node registered straight through the API and kept Ready by renewing its Lease, with no kubelet
 * behind it. The scheduler binds pods to it and the node lifecycle controller treats it like any node, so
 * tests and the foundation demo can exercise scheduling and NotReady handling before edges exist.
 * @module
 */
import type { KubeClient } from '../kube/index.js';

/** Options of {@link registerStandInNode}. */
export interface StandInNodeOptions {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Lease renewal period; default 2000 ms. */
  readonly renewIntervalMs?: number;
}

/** A registered stand-in node. */
export interface StandInNode {
  readonly name: string;
  /** Stops renewing the lease (the node lifecycle controller then marks the node NotReady). */
  stopRenewing(): void;
}

/** Creates the Node (if absent), reports it Ready with capacity, and renews its Lease until stopped. */
export async function registerStandInNode(client: KubeClient, options: StandInNodeOptions): Promise<StandInNode> {
  const { name } = options;
  await client
    .request({
      method: 'POST',
      path: '/api/v1/nodes',
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { ...options.labels } } },
    })
    .catch((err: unknown) => {
      if ((err as { action?: string }).action !== 'reread') throw err; // 409: already registered
    });
  await reportReady(client, name);
  await renewLease(client, name);
  const timer = setInterval(() => {
    void renewLease(client, name).catch(() => undefined); // the next tick retries
  }, options.renewIntervalMs ?? 2000);
  return {
    name,
    stopRenewing: () => {
      clearInterval(timer);
    },
  };
}

async function reportReady(client: KubeClient, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const resources = { cpu: '8', memory: '16Gi', pods: '110' };
  await client.request({
    method: 'PATCH',
    path: `/api/v1/nodes/${name}/status`,
    contentType: 'application/strategic-merge-patch+json',
    body: {
      status: {
        capacity: resources,
        allocatable: resources,
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'StandInReady',
            message: 'stand-in node registered through the API',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    },
  });
}

async function renewLease(client: KubeClient, name: string): Promise<void> {
  const renewTime = new Date().toISOString().replace('Z', '000Z'); // MicroTime: microsecond precision
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  try {
    await client.request({
      method: 'PATCH',
      path,
      contentType: 'application/merge-patch+json',
      body: { spec: { renewTime } },
    });
  } catch (err) {
    if ((err as { action?: string }).action !== 'absorb') throw err;
    await client.request({
      method: 'POST',
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
      },
    });
  }
}
