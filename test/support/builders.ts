/**
 * Object builders for tests (downstream/, sync/ and any other stage): realistic objects as a list returns
 * them (no apiVersion or kind), with the `managedFields` a kube-apiserver v1.3x writes for a Deployment's
 * pod running under the kubelet. Lives under test/ so that src/ holds only code the controller runs.
 * @module
 */
import type { KubeObjectShape, PodObject } from '../../src/protocol/index.js';

/** Fields a test may vary on {@link realisticPod}. */
export interface PodVariant {
  readonly name?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly nodeName?: string;
  readonly deletionTimestamp?: string;
  readonly phase?: string;
}

/**
 * An nginx pod of Deployment `web` in namespace `default`, Running on `edge-1`, with a ConfigMap volume,
 * a Secret env var, an image pull secret, the projected service-account token volume and the managed
 * fields of kube-controller-manager (create) and kubelet (status). Fresh object per call.
 */
export function realisticPod(variant: PodVariant = {}): PodObject & Record<string, unknown> {
  const name = variant.name ?? 'web-7c5ddbdf54-x2x7k';
  const pod = {
    metadata: {
      name,
      generateName: 'web-7c5ddbdf54-',
      namespace: 'default',
      uid: variant.uid ?? '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11',
      resourceVersion: variant.resourceVersion ?? '48213',
      creationTimestamp: '2025-11-23T10:12:03Z',
      ...(variant.deletionTimestamp === undefined
        ? {}
        : { deletionTimestamp: variant.deletionTimestamp, deletionGracePeriodSeconds: 30 }),
      labels: { app: 'web', 'pod-template-hash': '7c5ddbdf54' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7c5ddbdf54',
          uid: '0b7c1d7e-4a3f-4c55-8d7e-1f2a3b4c5d6e',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2025-11-23T10:12:03Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:generateName': {},
              'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} },
              'f:ownerReferences': {
                '.': {},
                'k:{"uid":"0b7c1d7e-4a3f-4c55-8d7e-1f2a3b4c5d6e"}': {},
              },
            },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:env': {
                    '.': {},
                    'k:{"name":"API_TOKEN"}': {
                      '.': {},
                      'f:name': {},
                      'f:valueFrom': { '.': {}, 'f:secretKeyRef': {} },
                    },
                  },
                  'f:image': {},
                  'f:imagePullPolicy': {},
                  'f:name': {},
                  'f:ports': {
                    '.': {},
                    'k:{"containerPort":80,"protocol":"TCP"}': {
                      '.': {},
                      'f:containerPort': {},
                      'f:protocol': {},
                    },
                  },
                  'f:resources': {
                    '.': {},
                    'f:limits': { '.': {}, 'f:memory': {} },
                    'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} },
                  },
                  'f:terminationMessagePath': {},
                  'f:terminationMessagePolicy': {},
                  'f:volumeMounts': {
                    '.': {},
                    'k:{"mountPath":"/etc/nginx/conf.d"}': { '.': {}, 'f:mountPath': {}, 'f:name': {} },
                  },
                },
              },
              'f:dnsPolicy': {},
              'f:enableServiceLinks': {},
              'f:imagePullSecrets': { '.': {}, 'k:{"name":"registry-cred"}': {} },
              'f:nodeSelector': {},
              'f:restartPolicy': {},
              'f:schedulerName': {},
              'f:securityContext': {},
              'f:terminationGracePeriodSeconds': {},
              'f:tolerations': {},
              'f:volumes': {
                '.': {},
                'k:{"name":"conf"}': {
                  '.': {},
                  'f:configMap': { '.': {}, 'f:defaultMode': {}, 'f:name': {} },
                  'f:name': {},
                },
              },
            },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2025-11-23T10:12:09Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:status': {
              'f:conditions': {
                'k:{"type":"ContainersReady"}': {
                  '.': {},
                  'f:lastProbeTime': {},
                  'f:lastTransitionTime': {},
                  'f:status': {},
                  'f:type': {},
                },
                'k:{"type":"Initialized"}': {
                  '.': {},
                  'f:lastProbeTime': {},
                  'f:lastTransitionTime': {},
                  'f:status': {},
                  'f:type': {},
                },
                'k:{"type":"PodReadyToStartContainers"}': {
                  '.': {},
                  'f:lastProbeTime': {},
                  'f:lastTransitionTime': {},
                  'f:status': {},
                  'f:type': {},
                },
                'k:{"type":"Ready"}': {
                  '.': {},
                  'f:lastProbeTime': {},
                  'f:lastTransitionTime': {},
                  'f:status': {},
                  'f:type': {},
                },
              },
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:hostIPs': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': { '.': {}, 'k:{"ip":"10.244.1.17"}': { '.': {}, 'f:ip': {} } },
              'f:startTime': {},
            },
          },
          subresource: 'status',
        },
      ],
    },
    spec: {
      volumes: [
        { name: 'conf', configMap: { name: 'web-conf', defaultMode: 420 } },
        {
          name: 'kube-api-access-7xk2p',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } }],
          resources: { limits: { memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } },
          volumeMounts: [
            { name: 'conf', mountPath: '/etc/nginx/conf.d' },
            {
              name: 'kube-api-access-7xk2p',
              readOnly: true,
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            },
          ],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'node-role.kubernetes.io/edge': '' },
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: variant.nodeName ?? 'edge-1',
      securityContext: {},
      imagePullSecrets: [{ name: 'registry-cred' }],
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: variant.phase ?? 'Running',
      conditions: [
        {
          type: 'PodReadyToStartContainers',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-11-23T10:12:08Z',
        },
        {
          type: 'Initialized',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-11-23T10:12:03Z',
        },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-11-23T10:12:09Z' },
        {
          type: 'ContainersReady',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-11-23T10:12:09Z',
        },
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: '2025-11-23T10:12:03Z',
        },
      ],
      hostIP: '192.168.10.21',
      hostIPs: [{ ip: '192.168.10.21' }],
      podIP: '10.244.1.17',
      podIPs: [{ ip: '10.244.1.17' }],
      startTime: '2025-11-23T10:12:03Z',
      containerStatuses: [
        {
          name: 'nginx',
          state: { running: { startedAt: '2025-11-23T10:12:08Z' } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'docker.io/library/nginx:1.27',
          imageID:
            'docker.io/library/nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a',
          containerID: 'containerd://4c1f0d4e9b3a2f7a6c8e5d1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f',
          started: true,
          volumeMounts: [
            { name: 'conf', mountPath: '/etc/nginx/conf.d' },
            {
              name: 'kube-api-access-7xk2p',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
              recursiveReadOnly: 'Disabled',
            },
          ],
        },
      ],
      qosClass: 'Burstable',
    },
  };
  return pod;
}

/** A ConfigMap or Secret in `default` with one data key. Fresh object per call. */
export function realisticObject(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  uid: string,
  resourceVersion: string,
): KubeObjectShape & Record<string, unknown> {
  const object = {
    metadata: {
      name,
      namespace: 'default',
      uid,
      resourceVersion,
      creationTimestamp: '2025-11-23T10:00:00Z',
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2025-11-23T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { '.': {}, 'f:key': {} } },
        },
      ],
    },
    ...(kind === 'Secret' ? { type: 'Opaque', data: { key: 'c2VjcmV0' } } : { data: { key: 'value' } }),
  };
  return object;
}

/** A Node named `name`, labelled as an edge node unless `isEdge` is false. Fresh object per call. */
export function realisticNode(
  name: string,
  options: { readonly isEdge?: boolean; readonly uid?: string; readonly resourceVersion?: string } = {},
): KubeObjectShape & Record<string, unknown> {
  const node = {
    metadata: {
      name,
      uid: options.uid ?? `uid-node-${name}`,
      resourceVersion: options.resourceVersion ?? '100',
      labels: {
        'kubernetes.io/hostname': name,
        ...(options.isEdge === false ? {} : { 'node-role.kubernetes.io/edge': '' }),
      },
      managedFields: [
        { manager: 'edgecore', operation: 'Update', apiVersion: 'v1', time: '2025-11-23T10:00:00Z' },
      ],
    },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  return node;
}
