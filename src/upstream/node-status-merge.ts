/**
 * The legacy `nodestatus` update merge (spec §4.2, deprecated row): how a `NodeStatusRequest` from an old
 * edge is combined with the Node the API server has before `UpdateStatus`. Modern edges send `nodepatch`
 * instead. Pure; `now` is a parameter.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` updateNodeStatus;
 * `cloud/pkg/edgecontroller/constants/service.go`, `types/nvidia.go`.
 * @module
 */
import { formatRfc3339, parseRfc3339 } from './rfc3339.js';
import type { Node, NodeStatusRequest } from './schemas.js';

/** The extended resource whose devices also get a health annotation. */
export const nvidiaGpuResource = 'nvidia.com/gpu';

/** The annotation listing NVIDIA GPU ids as healthy (`NvidiaGPUStatusAnnotationKey`). */
export const gpuStatusAnnotation = 'huawei.com/gpu-status';

/**
 * The Node to write with `UpdateStatus`: `current` with its status replaced by the reported one, where
 * - a condition whose `lastHeartbeatTime` is missing or older than `nodeUpdateFrequencyMs` is stamped
 *   `now` (the edge may replay a status cached while it was offline);
 * - each extended resource becomes an annotation `<resource name>: <JSON list>`, and a non-empty
 *   `nvidia.com/gpu` list also sets `huawei.com/gpu-status` to `[{"id":…,"healthy":true},…]`;
 * - `status.volumesAttached` is kept from `current` (kube-controller-manager owns it), and so is the
 *   kubelet port when `current` has a non-zero one.
 *
 * Returns a new Node; neither argument is changed. Quantities are written as received, not canonicalized.
 */
export function mergeNodeStatus(
  current: Readonly<Node>,
  request: Readonly<NodeStatusRequest>,
  now: number,
  nodeUpdateFrequencyMs: number,
): Node {
  const node = structuredClone(current) as Node;
  const status = structuredClone(request.Status ?? {});
  for (const condition of status.conditions ?? []) {
    const beat =
      typeof condition.lastHeartbeatTime === 'string' ? parseRfc3339(condition.lastHeartbeatTime) : undefined;
    if (beat === undefined || now - beat > nodeUpdateFrequencyMs)
      condition.lastHeartbeatTime = formatRfc3339(now);
  }

  const annotations: Record<string, string> = { ...node.metadata?.annotations };
  for (const [name, list] of Object.entries(request.ExtendResources ?? {})) {
    const resources = (list ?? []).map((er) => ({
      ...(er.name ? { name: er.name } : {}),
      ...(er.type ? { type: er.type } : {}),
      capacity: String(er.capacity ?? '0'),
    }));
    if (name === nvidiaGpuResource && resources.length > 0) {
      annotations[gpuStatusAnnotation] = JSON.stringify(
        resources.map((er) => ({ id: er.name ?? '', healthy: true })),
      );
    }
    annotations[name] = list === null ? 'null' : JSON.stringify(resources);
  }
  node.metadata = { ...node.metadata, annotations };

  const kept = current.status;
  if (kept?.volumesAttached == null) delete status.volumesAttached;
  else status.volumesAttached = structuredClone(kept.volumesAttached);
  const port = kept?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (port !== undefined && port !== 0) {
    status.daemonEndpoints = {
      ...status.daemonEndpoints,
      kubeletEndpoint: { ...status.daemonEndpoints?.kubeletEndpoint, Port: port },
    };
  }
  node.status = status;
  return node;
}
