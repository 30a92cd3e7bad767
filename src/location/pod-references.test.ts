/**
 * Every place a pod can name a ConfigMap, Secret, PVC or ServiceAccount, one row each. Pods are written in
 * the shape of client-node's `V1Pod` (real Kubernetes field names, checked by tsc), and `V1Pod` itself is
 * checked to fit `PodShape`, so informer objects can be passed as they are.
 */
import type { V1Pod } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refKey } from './object-ref.js';
import { ephemeralClaimName, isMirrorPod, mirrorPodAnnotation, podReferences } from './pod-references.js';
import type { PodShape } from './pod-shape.js';

/** A client-node model class as a plain JSON object type: same fields, same optionality, no class. */
type Json<T> = T extends readonly (infer U)[]
  ? Json<U>[]
  : T extends Date
    ? T
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;
type PodJson = Json<V1Pod>;
type PodSpecJson = NonNullable<PodJson['spec']>;
type ObjectMetaJson = NonNullable<PodJson['metadata']>;
type ContainerJson = PodSpecJson['containers'][number];

type IsAssignable<From, To> = [From] extends [To] ? true : false;
// Fails to compile if an informer object stops fitting PodShape.
const v1PodFitsPodShape: IsAssignable<V1Pod, PodShape> = true;

const main: ContainerJson = { name: 'main', image: 'busybox' };
const defaultSa = 'ServiceAccount/ns/default';

function pod(spec: Partial<PodSpecJson>, metadata: ObjectMetaJson = {}): PodJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'ns', name: 'web-0', uid: 'uid-1', ...metadata },
    spec: { nodeName: 'edge-1', containers: [main], ...spec },
  };
}

function keys(value: PodJson): string[] {
  return podReferences(value).map(refKey);
}

interface Case {
  readonly name: string;
  readonly spec: Partial<PodSpecJson>;
  /** Without the default ServiceAccount, which every case adds unless it names one. */
  readonly expected: readonly string[];
}

const sourceCases: readonly Case[] = [
  // Volumes.
  {
    name: 'volume configMap',
    spec: { volumes: [{ name: 'v', configMap: { name: 'cm' } }] },
    expected: ['ConfigMap/ns/cm'],
  },
  {
    name: 'volume secret',
    spec: { volumes: [{ name: 'v', secret: { secretName: 's' } }] },
    expected: ['Secret/ns/s'],
  },
  {
    name: 'projected configMap and secret sources, not token or downwardAPI sources',
    spec: {
      volumes: [
        {
          name: 'v',
          projected: {
            sources: [
              { configMap: { name: 'cm' } },
              { secret: { name: 's' } },
              { serviceAccountToken: { path: 'token' } },
              { downwardAPI: { items: [] } },
            ],
          },
        },
      ],
    },
    expected: ['ConfigMap/ns/cm', 'Secret/ns/s'],
  },
  {
    name: 'CSI nodePublishSecretRef (KubeEdge misses it)',
    spec: { volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi-creds' } } }] },
    expected: ['Secret/ns/csi-creds'],
  },
  {
    name: 'CSI without nodePublishSecretRef',
    spec: { volumes: [{ name: 'v', csi: { driver: 'd' } }] },
    expected: [],
  },
  {
    name: 'azureFile secretName',
    spec: { volumes: [{ name: 'v', azureFile: { secretName: 'az', shareName: 'share' } }] },
    expected: ['Secret/ns/az'],
  },
  {
    name: 'cephfs secretRef',
    spec: { volumes: [{ name: 'v', cephfs: { monitors: ['m'], secretRef: { name: 'ceph' } } }] },
    expected: ['Secret/ns/ceph'],
  },
  {
    name: 'cinder secretRef',
    spec: { volumes: [{ name: 'v', cinder: { volumeID: 'id', secretRef: { name: 'cinder' } } }] },
    expected: ['Secret/ns/cinder'],
  },
  {
    name: 'flexVolume secretRef',
    spec: { volumes: [{ name: 'v', flexVolume: { driver: 'd', secretRef: { name: 'flex' } } }] },
    expected: ['Secret/ns/flex'],
  },
  {
    name: 'iscsi secretRef',
    spec: {
      volumes: [{ name: 'v', iscsi: { targetPortal: 't', iqn: 'i', lun: 0, secretRef: { name: 'chap' } } }],
    },
    expected: ['Secret/ns/chap'],
  },
  {
    name: 'rbd secretRef',
    spec: { volumes: [{ name: 'v', rbd: { monitors: ['m'], image: 'i', secretRef: { name: 'ceph-rbd' } } }] },
    expected: ['Secret/ns/ceph-rbd'],
  },
  {
    name: 'scaleIO secretRef',
    spec: { volumes: [{ name: 'v', scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'sio' } } }] },
    expected: ['Secret/ns/sio'],
  },
  {
    name: 'storageos secretRef',
    spec: { volumes: [{ name: 'v', storageos: { secretRef: { name: 'sos' } } }] },
    expected: ['Secret/ns/sos'],
  },
  {
    name: 'persistentVolumeClaim claimName',
    spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    expected: ['PersistentVolumeClaim/ns/data'],
  },
  {
    name: 'generic ephemeral volume: the PVC <pod>-<volume>',
    spec: { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] },
    expected: ['PersistentVolumeClaim/ns/web-0-scratch'],
  },
  {
    name: 'volumes that reference no object',
    spec: {
      volumes: [
        { name: 'a', emptyDir: {} },
        { name: 'b', hostPath: { path: '/var' } },
        { name: 'c', downwardAPI: { items: [] } },
      ],
    },
    expected: [],
  },
  // Regular containers.
  {
    name: 'env valueFrom configMapKeyRef and secretKeyRef, not fieldRef',
    spec: {
      containers: [
        {
          name: 'main',
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'D', value: 'plain' },
          ],
        },
      ],
    },
    expected: ['ConfigMap/ns/cm', 'Secret/ns/s'],
  },
  {
    name: 'envFrom configMapRef and secretRef',
    spec: {
      containers: [
        { name: 'main', envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's' } }] },
      ],
    },
    expected: ['ConfigMap/ns/cm', 'Secret/ns/s'],
  },
  {
    name: 'every regular container, not only the first',
    spec: {
      containers: [main, { name: 'sidecar', envFrom: [{ secretRef: { name: 'sidecar-s' } }] }],
    },
    expected: ['Secret/ns/sidecar-s'],
  },
  {
    name: 'imagePullSecrets',
    spec: { imagePullSecrets: [{ name: 'registry' }, { name: 'mirror' }] },
    expected: ['Secret/ns/mirror', 'Secret/ns/registry'],
  },
  // Init and ephemeral containers (KubeEdge misses both).
  {
    name: 'initContainers env and envFrom',
    spec: {
      initContainers: [
        {
          name: 'init',
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'init-s', key: 'k' } } }],
          envFrom: [{ configMapRef: { name: 'init-cm' } }],
        },
      ],
    },
    expected: ['ConfigMap/ns/init-cm', 'Secret/ns/init-s'],
  },
  {
    name: 'ephemeralContainers env and envFrom',
    spec: {
      ephemeralContainers: [
        {
          name: 'debug',
          env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'debug-cm', key: 'k' } } }],
          envFrom: [{ secretRef: { name: 'debug-s' } }],
        },
      ],
    },
    expected: ['ConfigMap/ns/debug-cm', 'Secret/ns/debug-s'],
  },
  // Edge cases.
  {
    name: 'optional references still count',
    spec: {
      volumes: [{ name: 'v', secret: { secretName: 's', optional: true } }],
      containers: [{ name: 'main', envFrom: [{ configMapRef: { name: 'cm', optional: true } }] }],
    },
    expected: ['ConfigMap/ns/cm', 'Secret/ns/s'],
  },
  {
    name: 'empty and missing names are skipped',
    spec: {
      imagePullSecrets: [{ name: '' }, {}],
      volumes: [
        { name: 'a', secret: {} },
        { name: 'b', configMap: { name: '' } },
      ],
      containers: [
        { name: 'main', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: '', key: 'k' } } }] },
      ],
    },
    expected: [],
  },
  {
    name: 'names that cannot be object names (with "/") are skipped',
    spec: { imagePullSecrets: [{ name: 'other-ns/secret' }] },
    expected: [],
  },
  {
    name: 'one object referenced many ways is listed once',
    spec: {
      imagePullSecrets: [{ name: 's' }],
      volumes: [
        { name: 'a', secret: { secretName: 's' } },
        { name: 'b', projected: { sources: [{ secret: { name: 's' } }] } },
      ],
      containers: [{ name: 'main', envFrom: [{ secretRef: { name: 's' } }] }],
      initContainers: [
        { name: 'init', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      ],
    },
    expected: ['Secret/ns/s'],
  },
  {
    name: 'a ConfigMap and a Secret with the same name are distinct',
    spec: {
      volumes: [
        { name: 'a', secret: { secretName: 'x' } },
        { name: 'b', configMap: { name: 'x' } },
      ],
    },
    expected: ['ConfigMap/ns/x', 'Secret/ns/x'],
  },
];

describe('podReferences: each reference source', () => {
  for (const { name, spec, expected } of sourceCases) {
    it(name, () => {
      assert.deepEqual(keys(pod(spec)), [...expected, defaultSa].sort());
    });
  }
});

describe('podReferences: ServiceAccount', () => {
  const table: [string, Partial<PodSpecJson>, string][] = [
    ['serviceAccountName', { serviceAccountName: 'builder' }, 'ServiceAccount/ns/builder'],
    [
      'deprecated serviceAccount when serviceAccountName is empty',
      { serviceAccount: 'legacy' },
      'ServiceAccount/ns/legacy',
    ],
    [
      'serviceAccountName wins over serviceAccount',
      { serviceAccountName: 'a', serviceAccount: 'b' },
      'ServiceAccount/ns/a',
    ],
    ['default when none is named', {}, defaultSa],
    ['default when the name is empty', { serviceAccountName: '' }, defaultSa],
  ];
  for (const [name, spec, expected] of table) {
    it(name, () => {
      assert.deepEqual(keys(pod(spec)), [expected]);
    });
  }
});

describe('podReferences: whole pods', () => {
  it('accepts an informer V1Pod as it is (checked by tsc)', () => {
    assert.equal(v1PodFitsPodShape, true);
  });

  it('uses the pod namespace for every reference', () => {
    const refs = podReferences(
      pod({ volumes: [{ name: 'v', secret: { secretName: 's' } }] }, { namespace: 'tenant-a' }),
    );
    assert.deepEqual(
      refs.map((ref) => ref.namespace),
      ['tenant-a', 'tenant-a'],
    );
  });

  it('grants a mirror pod nothing, however many references it carries', () => {
    const mirror = pod(
      { serviceAccountName: 'sa', volumes: [{ name: 'v', secret: { secretName: 's' } }] },
      { annotations: { [mirrorPodAnnotation]: 'hash' } },
    );
    assert.equal(isMirrorPod(mirror), true);
    assert.deepEqual(podReferences(mirror), []);
  });

  it('references nothing when the pod has no namespace', () => {
    assert.deepEqual(podReferences({ spec: { imagePullSecrets: [{ name: 's' }] } }), []);
  });

  it('returns the same sorted list whatever the order of sources in the spec', () => {
    const forward = pod({
      imagePullSecrets: [{ name: 'z-pull' }],
      volumes: [
        { name: 'a', configMap: { name: 'b-cm' } },
        { name: 'b', persistentVolumeClaim: { claimName: 'a-pvc' } },
      ],
      containers: [{ name: 'main', envFrom: [{ secretRef: { name: 'a-env' } }] }],
    });
    const reversed = pod({
      containers: [{ name: 'main', envFrom: [{ secretRef: { name: 'a-env' } }] }],
      volumes: [
        { name: 'b', persistentVolumeClaim: { claimName: 'a-pvc' } },
        { name: 'a', configMap: { name: 'b-cm' } },
      ],
      imagePullSecrets: [{ name: 'z-pull' }],
    });
    const expected = [
      'ConfigMap/ns/b-cm',
      'PersistentVolumeClaim/ns/a-pvc',
      'Secret/ns/a-env',
      'Secret/ns/z-pull',
      defaultSa,
    ];
    assert.deepEqual(keys(forward), expected);
    assert.deepEqual(keys(reversed), expected);
  });
});

describe('ephemeralClaimName', () => {
  it('joins the pod and volume names with "-", as the ephemeral volume controller does', () => {
    assert.equal(ephemeralClaimName('web-0', 'scratch'), 'web-0-scratch');
  });
});
