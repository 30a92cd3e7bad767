/**
 * The CustomResourceDefinitions of reliable sync, as data for the sync worker to create when absent:
 * KubeEdge's own `objectsyncs.reliablesyncs.kubeedge.io` and `clusterobjectsyncs.reliablesyncs.kubeedge.io`
 * (`kubeedge/kubeedge` v1.23.1 `build/crds/reliablesyncs/objectsync_v1alpha1.yaml` and
 * `cluster_objectsync_v1alpha1.yaml`, unchanged on master), same schema and descriptions, so a cluster can
 * move between KubeEdge's CloudCore and ours with its records intact. Both have the `status` subresource.
 * The `controller-gen` annotation is left out: we did not generate them.
 * @module
 */
import { reliableSyncsGroup } from './record.js';

const typeMetaProperties = {
  apiVersion: {
    description:
      'APIVersion defines the versioned schema of this representation of an object.\n' +
      'Servers should convert recognized schemas to the latest internal value, and\n' +
      'may reject unrecognized values.\n' +
      'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  },
  kind: {
    description:
      'Kind is a string value representing the REST resource this object represents.\n' +
      'Servers may infer this from the endpoint the client submits requests to.\n' +
      'Cannot be updated.\n' +
      'In CamelCase.\n' +
      'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  },
  metadata: { type: 'object' },
};

const specAndStatus = {
  spec: {
    description: 'ObjectSyncSpec stores the details of objects that persist to the edge.',
    properties: {
      objectAPIVersion: {
        description:
          'ObjectAPIVersion is the APIVersion of the object\nthat was successfully persist to the edge node.',
        type: 'string',
      },
      objectKind: {
        description: 'ObjectType is the kind of the object\nthat was successfully persist to the edge node.',
        type: 'string',
      },
      objectName: {
        description: 'ObjectName is the name of the object\nthat was successfully persist to the edge node.',
        type: 'string',
      },
    },
    type: 'object',
  },
  status: {
    description: 'ObjectSyncStatus stores the resourceversion of objects that persist to the edge.',
    properties: {
      objectResourceVersion: {
        description:
          'ObjectResourceVersion is the resourceversion of the object\nthat was successfully persist to the edge node.',
        type: 'string',
      },
    },
    type: 'object',
  },
};

function crd(
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
  description: string,
): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${reliableSyncsGroup}` },
    spec: {
      group: reliableSyncsGroup,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [
        {
          name: 'v1alpha1',
          schema: {
            openAPIV3Schema: {
              description,
              properties: { ...typeMetaProperties, ...specAndStatus },
              type: 'object',
            },
          },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
  };
}

/** `objectsyncs.reliablesyncs.kubeedge.io`: namespaced records. Deep-frozen; clone before changing. */
export const objectSyncCrd: Readonly<Record<string, unknown>> = deepFreeze(
  crd(
    'ObjectSync',
    'objectsyncs',
    'Namespaced',
    'ObjectSync stores the state of the namespaced object that was successfully persisted to the edge node.\n' +
      'ObjectSync name is a concatenation of the node name which receiving the object and the object UUID.',
  ),
);

/** `clusterobjectsyncs.reliablesyncs.kubeedge.io`: records of cluster-scoped objects. Deep-frozen. */
export const clusterObjectSyncCrd: Readonly<Record<string, unknown>> = deepFreeze(
  crd(
    'ClusterObjectSync',
    'clusterobjectsyncs',
    'Cluster',
    'ClusterObjectSync stores the state of the cluster level, nonNamespaced object that was successfully persisted to the edge node.\n' +
      'ClusterObjectSync name is a concatenation of the node name which receiving the object and the object UUID.',
  ),
);

/** Both CRDs, to create when absent (GET by name, 404 → create; 409 on create means another won). */
export const reliableSyncCrds: readonly Readonly<Record<string, unknown>>[] = Object.freeze([
  objectSyncCrd,
  clusterObjectSyncCrd,
]);

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
