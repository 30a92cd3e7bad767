/**
 * The API writes the peer scenarios make, the same for both systems: a namespace, pods bound by
 * `spec.nodeName` (scheduling is not what is measured), annotation patches, with a small concurrency so
 * that the writer itself is not the bottleneck, and a poll of Node readiness.
 * @module
 */
import type { KubeClient } from '../../../src/kube/index.js';

/** A pod to create: its name and the node it is bound to. */
export interface BoundPod {
  readonly name: string;
  readonly node: string;
}

/** Creates namespace `ns` (an existing one is fine). */
export async function createNamespace(admin: KubeClient, ns: string): Promise<void> {
  try {
    await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  } catch (err) {
    if (!/409|already ?exists/i.test(String(err))) throw err;
  }
}

/** Runs `work` over `items`, at most `concurrency` at a time, in order of start. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (item === undefined) return;
      await work(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Creates the pods in `ns`; `onCreated` is told each one as its POST returns. */
export async function createPods(
  admin: KubeClient,
  ns: string,
  pods: readonly BoundPod[],
  options: { readonly concurrency?: number; readonly onCreated?: (pod: BoundPod) => void } = {},
): Promise<void> {
  await forEachLimited(pods, options.concurrency ?? 16, async (pod) => {
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: pod.name },
        spec: { nodeName: pod.node, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    options.onCreated?.(pod);
  });
}

/** Sets one annotation on a pod (merge patch). */
export async function annotatePod(
  admin: KubeClient,
  ns: string,
  pod: string,
  key: string,
  value: string,
): Promise<void> {
  await admin.request({
    method: 'PATCH',
    path: `/api/v1/namespaces/${ns}/pods/${pod}`,
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { [key]: value } } },
  });
}

/** The annotation `key` of a stored object's content, if it is a Kubernetes object carrying it. */
export function annotationOf(content: unknown, key: string): string | undefined {
  const annotations = (content as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata
    ?.annotations;
  const value = annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Names of the Nodes starting with `prefix` whose Ready condition is not True. */
export async function notReadyNodes(admin: KubeClient, prefix: string): Promise<string[]> {
  type NodeList = {
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  const list = await admin.request<NodeList>({ method: 'GET', path: '/api/v1/nodes' });
  return list.items
    .filter((n) => n.metadata.name.startsWith(prefix))
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') !== true)
    .map((n) => n.metadata.name);
}
