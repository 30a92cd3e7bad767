/**
 * The resource-type names that appear as the type token of a KubeEdge resource string
 * (`<ns>/<type>[/<name>]` on the wire), and the special resources that do not follow that form.
 * Source: kubeedge-wire.md §2.2; `kubeedge/kubeedge` v1.23.1
 * `staging/src/github.com/kubeedge/beehive/pkg/core/model/message.go` and `common/constants/default.go`.
 * @module
 */

/**
 * Every resource type KubeEdge v1.23.1 names (spec §2.2), in the spec's order. DynamicController may
 * forward further kinds under a lower-cased name (errata W7); those are not listed because we do not
 * implement DynamicController.
 */
export const resourceTypes = [
  'pod',
  'podlist',
  'podstatus',
  'podpatch',
  'configmap',
  'secret',
  'serviceaccounttoken',
  'serviceaccountaccess',
  'node',
  'nodestatus',
  'nodepatch',
  'event',
  'lease',
  'certificatesigningrequest',
  'rule',
  'ruleendpoint',
  'rulestatus',
  'persistentvolume',
  'persistentvolumeclaim',
  'volumeattachment',
  'volume',
  'service',
  'endpoints',
] as const;

/** A resource-type name of spec §2.2. */
export type ResourceType = (typeof resourceTypes)[number];

/**
 * The resource types an edge may send requests for, i.e. the ones KubeEdge's edgecontroller upstream
 * routes (`cloud/pkg/edgecontroller/controller/upstream.go` dispatchMessage, v1.23.1), minus `rulestatus`,
 * which only the cloud `router` module sends. Every other type is unsupported upstream.
 */
export const upstreamResourceTypes = [
  'nodestatus',
  'podstatus',
  'event',
  'configmap',
  'secret',
  'serviceaccounttoken',
  'persistentvolume',
  'persistentvolumeclaim',
  'volumeattachment',
  'node',
  'nodepatch',
  'podpatch',
  'pod',
  'lease',
  'certificatesigningrequest',
] as const satisfies readonly ResourceType[];

/** A resource type the edge may send a request for. */
export type UpstreamResourceType = (typeof upstreamResourceTypes)[number];

/** The resource of the edge's request for the cluster CA (answered by the hub, spec §4.1 step 7). */
export const k8sCaResource = 'k8s/ca.crt';

/** The resource of keepalive messages (spec §2.1, §4.9). */
export const keepaliveResource = 'node';

/** The namespace token KubeEdge uses for cluster-scoped objects (`models.NullNamespace`, spec §2.1). */
export const nullNamespace = 'null';

/** Resources that do not follow `<ns>/<type>[/<name>]` (spec §2.2 "Special resources"). */
export const specialResources = [k8sCaResource, 'node/connection', 'watchapp/sync', 'Application'] as const;

/** A special resource of spec §2.2. */
export type SpecialResource = (typeof specialResources)[number];

const resourceTypeSet: ReadonlySet<string> = new Set(resourceTypes);
const upstreamResourceTypeSet: ReadonlySet<string> = new Set(upstreamResourceTypes);

/** Whether `value` is a resource type of spec §2.2 (exact, case-sensitive). */
export function isResourceType(value: string): value is ResourceType {
  return resourceTypeSet.has(value);
}

/** Whether `value` is a resource type the edge may send requests for ({@link upstreamResourceTypes}). */
export function isUpstreamResourceType(value: string): value is UpstreamResourceType {
  return upstreamResourceTypeSet.has(value);
}
