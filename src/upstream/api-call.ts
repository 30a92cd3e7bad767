/**
 * The API calls an upstream decision asks the worker to make, as plain data: which resource, which verb,
 * which body. {@link httpRequestOf} turns one into the method, path and body of a raw REST request (the
 * shape `kube/`'s `KubeClient.request` takes), so the worker carries it out without knowing resources.
 *
 * Every call says whether it is made on behalf of the node (`asNode`): when impersonation is enabled the
 * worker sends it as `system:node:<node>` in group `system:nodes`, so the API server's Node authorizer and
 * NodeRestriction check it again. KubeEdge does not impersonate the registration label patch or the CSR
 * query (spec §4.5, errata W6), and neither do we: NodeRestriction would refuse the label patch.
 * @module
 */
import type { JsonObject } from './content.js';

/** Group, version, kind and scope of each resource the upstream touches. */
export const kubeResources = Object.freeze({
  nodes: { group: '', version: 'v1', kind: 'Node', namespaced: false },
  pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true },
  secrets: { group: '', version: 'v1', kind: 'Secret', namespaced: true },
  persistentvolumes: { group: '', version: 'v1', kind: 'PersistentVolume', namespaced: false },
  persistentvolumeclaims: { group: '', version: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
  serviceaccounts: { group: '', version: 'v1', kind: 'ServiceAccount', namespaced: true },
  events: { group: '', version: 'v1', kind: 'Event', namespaced: true },
  volumeattachments: { group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', namespaced: false },
  leases: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', namespaced: true },
  certificatesigningrequests: {
    group: 'certificates.k8s.io',
    version: 'v1',
    kind: 'CertificateSigningRequest',
    namespaced: false,
  },
} as const);

/** A resource (plural, lower case, as in REST paths) the upstream reads or writes. */
export type KubeResource = keyof typeof kubeResources;

/** One object. `namespace` is present exactly for namespaced resources. */
export interface ObjectTarget {
  readonly resource: KubeResource;
  readonly namespace?: string;
  readonly name: string;
}

/** A collection to create in. `namespace` is present exactly for namespaced resources. */
export interface CollectionTarget {
  readonly resource: KubeResource;
  readonly namespace?: string;
}

/** Fields every call has. */
interface CallBase {
  /** Made on behalf of the node: impersonate `system:node:<node>` when impersonation is on. */
  readonly asNode: boolean;
}

/**
 * An API call, closed over its verb:
 * - `get`: read one object. `servedFromCache` says an informer store may answer instead (KubeEdge reads
 *   configmaps, secrets, nodes and leases from listers); a cache miss must then be reported as the API's
 *   NotFound (api-outcome.ts `notFoundFailure`).
 * - `create`: POST the body to the collection.
 * - `create-token`: POST a TokenRequest to `serviceaccounts/<name>/token`.
 * - `update`: PUT the whole object (optimistic: the body carries its resourceVersion), optionally `status`.
 * - `patch`: PATCH with a strategic-merge or JSON merge patch given as JSON text, optionally `status`.
 * - `delete`: DELETE with a `DeleteOptions` body.
 */
export type ApiCall =
  | (CallBase & { readonly verb: 'get'; readonly target: ObjectTarget; readonly servedFromCache: boolean })
  | (CallBase & { readonly verb: 'create'; readonly target: CollectionTarget; readonly body: JsonObject })
  | (CallBase & { readonly verb: 'create-token'; readonly target: ObjectTarget; readonly body: JsonObject })
  | (CallBase & {
      readonly verb: 'update';
      readonly target: ObjectTarget;
      readonly subresource?: 'status';
      readonly body: JsonObject;
    })
  | (CallBase & {
      readonly verb: 'patch';
      readonly target: ObjectTarget;
      readonly subresource?: 'status';
      readonly patchType: 'strategic-merge' | 'merge';
      /** The patch document as JSON text, sent as is. */
      readonly patch: string;
    })
  | (CallBase & { readonly verb: 'delete'; readonly target: ObjectTarget; readonly options: JsonObject });

/** The verb of an {@link ApiCall}. */
export type ApiVerb = ApiCall['verb'];

/** A raw REST request: structurally what `KubeClient.request` accepts. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/api/v1/…` or `/apis/<group>/<version>/…`, segments URI-encoded. */
  readonly path: string;
  /** An object (sent as JSON) or JSON text (a patch). Absent for GET. */
  readonly body?: unknown;
  /** Present for PATCH: the patch content type. */
  readonly contentType?: string;
}

const patchContentTypes = Object.freeze({
  'strategic-merge': 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
});

/** The REST request that performs `call`. Pure; the path segments are URI-encoded. */
export function httpRequestOf(call: ApiCall): HttpRequest {
  switch (call.verb) {
    case 'get':
      return { method: 'GET', path: objectPath(call.target) };
    case 'create':
      return { method: 'POST', path: collectionPath(call.target), body: call.body };
    case 'create-token':
      return { method: 'POST', path: `${objectPath(call.target)}/token`, body: call.body };
    case 'update':
      return { method: 'PUT', path: objectPath(call.target, call.subresource), body: call.body };
    case 'patch':
      return {
        method: 'PATCH',
        path: objectPath(call.target, call.subresource),
        body: call.patch,
        contentType: patchContentTypes[call.patchType],
      };
    case 'delete':
      return { method: 'DELETE', path: objectPath(call.target), body: call.options };
  }
}

/** `apiVersion` and `kind` of a resource's objects (`v1`/`Pod`, `coordination.k8s.io/v1`/`Lease`). */
export function typeMetaOf(resource: KubeResource): { apiVersion: string; kind: string } {
  const { group, version, kind } = kubeResources[resource];
  return { apiVersion: group === '' ? version : `${group}/${version}`, kind };
}

/**
 * A copy of `object` with `apiVersion` and `kind` set, as edgecontroller's `SetMetaType` does: the
 * edge's MetaServer store needs them (spec §1.2, errata W2).
 */
export function withTypeMeta(resource: KubeResource, object: JsonObject): JsonObject {
  return { ...object, ...typeMetaOf(resource) };
}

/** `/api/v1` or `/apis/<group>/<version>`, plus `/namespaces/<ns>` when given. */
function basePath(resource: KubeResource, namespace: string | undefined): string {
  const { group, version } = kubeResources[resource];
  const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return namespace === undefined ? root : `${root}/namespaces/${encodeURIComponent(namespace)}`;
}

function collectionPath(target: CollectionTarget): string {
  return `${basePath(target.resource, target.namespace)}/${target.resource}`;
}

function objectPath(target: ObjectTarget, subresource?: string): string {
  const path = `${collectionPath(target)}/${encodeURIComponent(target.name)}`;
  return subresource === undefined ? path : `${path}/${subresource}`;
}
