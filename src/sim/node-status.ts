/**
 * What a simulated EdgeCore says about its Node: the Node it registers (`insert null/node/<n>`, content
 * without apiVersion/kind as a real v1.23.1 edge sends it, kubeedge-wire.md §4.5, §4.10), the `nodepatch`
 * heartbeat patch string, and its Lease in `kube-node-lease`. Follows the kubelet v1.32 that EdgeCore
 * embeds (`pkg/kubelet/kubelet_node_status.go`, `nodestatus/setters.go`, `pkg/kubelet/nodelease`).
 * Pure: time comes in as `now`.
 * @module
 */
import { rfc3339 } from './pod-status.js';

/** The edge node label every KubeEdge node carries; the cloud selects edge nodes by it. */
export const edgeNodeLabel = 'node-role.kubernetes.io/edge';

/** Namespace of node leases. */
export const nodeLeaseNamespace = 'kube-node-lease';

/** The kubelet's `leaseDurationSeconds` default (nodeLeaseDurationSeconds). */
export const leaseDurationSeconds = 40;

/** What the fake machine looks like; every field optional in {@link NodeSpecOptions}. */
export interface NodeShape {
  /** CPU count (capacity `cpu`). */
  readonly cpu: string;
  /** Memory (capacity `memory`). */
  readonly memory: string;
  /** Max pods. */
  readonly pods: string;
  readonly ephemeralStorage: string;
  /** InternalIP address; also the pods' hostIP. */
  readonly internalIP: string;
  /** kubelet read-only port (`daemonEndpoints.kubeletEndpoint.Port`; EdgeCore default 10350). */
  readonly kubeletPort: number;
  /** `nodeInfo.kubeletVersion` as a v1.23.1 EdgeCore reports it. */
  readonly kubeletVersion: string;
  readonly architecture: string;
  /** Extra labels (`--node-labels`), merged over the defaults. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Defaults of {@link NodeShape}. */
export const nodeShapeDefaults: Readonly<NodeShape> = Object.freeze({
  cpu: '2',
  memory: '4025620Ki',
  pods: '110',
  ephemeralStorage: '61255492Ki',
  internalIP: '192.0.2.2',
  kubeletPort: 10350,
  kubeletVersion: 'v1.32.10-kubeedge-v1.23.1',
  architecture: 'amd64',
  labels: Object.freeze({}),
});

/** What {@link registeredNode} needs. */
export interface NodeSpecOptions {
  readonly nodeName: string;
  readonly now: number;
  readonly shape?: Partial<NodeShape>;
}

/** A node condition as the kubelet writes it. */
export interface NodeCondition {
  readonly type: 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'Ready';
  readonly status: 'True' | 'False';
  readonly lastHeartbeatTime: string;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

const conditionTexts: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/** The four healthy conditions, all with heartbeat `now` and transition `since`. */
export function nodeConditions(now: number, since: number): NodeCondition[] {
  return conditionTexts.map((c) => ({
    ...c,
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(since),
  }));
}

/**
 * The Node the edge registers: no apiVersion/kind (the kubelet's typed object; §4.10), the kubelet's
 * well-known labels plus `node-role.kubernetes.io/edge: ""` and `node-role.kubernetes.io/agent: ""` (what
 * keadm join sets), capacity = allocatable, InternalIP and Hostname addresses, nodeInfo, four healthy
 * conditions and the read-only port as `daemonEndpoints.kubeletEndpoint.Port`.
 */
export function registeredNode(options: NodeSpecOptions): Record<string, unknown> {
  const shape = { ...nodeShapeDefaults, ...options.shape };
  const name = options.nodeName;
  const resources = {
    cpu: shape.cpu,
    'ephemeral-storage': shape.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: shape.memory,
    pods: shape.pods,
  };
  return {
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': shape.architecture,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': shape.architecture,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/agent': '',
        [edgeNodeLabel]: '',
        ...shape.labels,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: nodeConditions(options.now, options.now),
      addresses: [
        { type: 'InternalIP', address: shape.internalIP },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: shape.kubeletPort } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '6.1.0-sim',
        osImage: 'Simulated EdgeCore',
        containerRuntimeVersion: 'fakeRuntime://0.1.0',
        kubeletVersion: shape.kubeletVersion,
        operatingSystem: 'linux',
        architecture: shape.architecture,
      },
      images: [],
    },
  };
}

/**
 * The `nodepatch` content of a periodic status update: the kubelet's two-way strategic-merge patch when
 * only the heartbeats moved, i.e. `$setElementOrder/conditions` plus each condition's type and
 * `lastHeartbeatTime`. The first patch after registering is `"{}"` (§4.10); use {@link emptyNodePatch}.
 */
export function nodeHeartbeatPatch(now: number): string {
  const order = conditionTexts.map((c) => ({ type: c.type }));
  return JSON.stringify({
    status: {
      '$setElementOrder/conditions': order,
      conditions: order.map((c) => ({ lastHeartbeatTime: rfc3339(now), type: c.type })),
    },
  });
}

/** The first `nodepatch` a real edge sends after registering (§4.10). */
export const emptyNodePatch = '{}';

/** `metav1.MicroTime` text: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** What {@link nodeLease} needs. */
export interface LeaseOptions {
  readonly nodeName: string;
  readonly now: number;
  /** The Node's UID, for the owner reference (the kubelet sets it once it knows the node). */
  readonly nodeUid?: string;
  /** The lease last returned by the cloud; its metadata (resourceVersion) is kept for an update. */
  readonly previous?: Readonly<Record<string, unknown>>;
}

/**
 * The node Lease the kubelet creates or renews (`pkg/kubelet/nodelease` newLease): in `kube-node-lease`,
 * named after the node, holder = node name, 40 s duration, `renewTime` = now as MicroTime, owned by the
 * Node. An update copies the previous lease (keeping its resourceVersion) and sets a new renewTime.
 */
export function nodeLease(options: LeaseOptions): Record<string, unknown> {
  const previous = options.previous ?? {};
  const previousMeta = isObject(previous.metadata) ? previous.metadata : {};
  const previousSpec = isObject(previous.spec) ? previous.spec : {};
  return {
    ...previous,
    metadata: {
      ...previousMeta,
      name: options.nodeName,
      namespace: nodeLeaseNamespace,
      ...(options.nodeUid !== undefined
        ? {
            ownerReferences: [
              { apiVersion: 'v1', kind: 'Node', name: options.nodeName, uid: options.nodeUid },
            ],
          }
        : {}),
    },
    spec: {
      ...previousSpec,
      holderIdentity: options.nodeName,
      leaseDurationSeconds,
      renewTime: microTime(options.now),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
