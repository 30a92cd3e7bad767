/**
 * The fleet the latency benchmarks run on: a namespace, N edge Nodes, one joined and connected EdgeClient
 * per node, and M pods bound to each node.
 * @module
 */
import type { KubeClient } from '../../src/kube/index.js';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
import type { ControllerProcess } from './controller-process.js';
import { readJoinToken } from './controller-process.js';
import { createEdgeNode } from './edge-node.js';

/** One bound pod of the fleet. */
export interface FleetPod {
  readonly pod: string;
  readonly node: string;
}

/** What {@link createFleet} made. */
export interface Fleet {
  /** Connected edges by node name, in node order. */
  readonly edges: ReadonlyMap<string, EdgeClient>;
  readonly pods: readonly FleetPod[];
  closeAll(): Promise<void>;
}

/** Options of {@link createFleet}. */
export interface FleetOptions {
  readonly admin: KubeClient;
  readonly controller: ControllerProcess;
  readonly namespace: string;
  readonly nodes: number;
  readonly podsPerNode: number;
  /** Called with each edge before it connects (to subscribe to its pushes). */
  readonly onEdge?: (edge: EdgeClient) => void;
}

/** Creates the namespace and Nodes, joins and connects an edge per node, then creates the pods. */
export async function createFleet(o: FleetOptions): Promise<Fleet> {
  const { admin, controller } = o;
  await admin.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: o.namespace } },
  });
  const names = Array.from({ length: o.nodes }, (_, i) => `bench-edge-${String(i)}`);
  for (const name of names) await createEdgeNode(admin, name);
  const token = await readJoinToken(admin);
  const httpServer = `https://127.0.0.1:${String(controller.ports.https)}`;
  const edges = new Map<string, EdgeClient>();
  for (const name of names) {
    const identity = await joinWithToken({ httpServer, nodeName: name, token });
    const edge = new EdgeClient({ server: `127.0.0.1:${String(controller.ports.hub)}`, identity });
    o.onEdge?.(edge);
    await edge.connect();
    edges.set(name, edge);
  }
  const pods: FleetPod[] = [];
  for (const node of names) {
    for (let p = 0; p < o.podsPerNode; p++) {
      const pod = `${node}-p${String(p)}`;
      pods.push({ pod, node });
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${o.namespace}/pods`,
        body: {
          metadata: { name: pod },
          spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
    }
  }
  return {
    edges,
    pods,
    closeAll: async () => {
      await Promise.all([...edges.values()].map((e) => e.close()));
    },
  };
}
