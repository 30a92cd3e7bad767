/**
 * Node registration (spec §4.5): the Node an edge sends with `insert null/node/<name>` becomes a create
 * request plus, when needed, a label patch made after the create.
 *
 * NodeRestriction forbids a node to create itself with labels in the `kubernetes.io` namespace, yet a
 * KubeEdge edge registers with `node-role.kubernetes.io/edge: ""`, which the cloud's node informer selects
 * on. So those labels are moved out of the create and put back with a JSON merge patch that is not made
 * on the node's behalf (KubeEdge's `createNode`). The node is annotated `cloudcore=<address>`, and the real
 * edge sends the Node without `apiVersion`/`kind` (§4.10), which are set here.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` createNode.
 * @module
 */
import { typeMetaOf } from './api-call.js';
import type { JsonObject } from './content.js';
import type { Node } from './schemas.js';

/** The annotation naming the cloud instance that holds the node (`common/constants` EdgeMappingCloudKey). */
export const cloudcoreAnnotation = 'cloudcore';

/** What a registration asks of the API: the create body and the label patch to make after it. */
export interface RegistrationPlan {
  /** The Node to create: name set, moved labels removed, `cloudcore` annotated, type meta set. */
  readonly create: JsonObject;
  /** The labels removed from the create, to re-add with a merge patch; empty when none were. */
  readonly movedLabels: Readonly<Record<string, string>>;
}

/**
 * Whether a label key is moved out of the create: exactly one `/`, and a prefix that is `kubernetes.io`
 * or ends with `.kubernetes.io`. Keys such as `node-role.kubernetes.io/edge` and `kubernetes.io/hostname`
 * are moved; `k8s.io`-namespaced and unprefixed keys stay (KubeEdge's rule, kept as is).
 */
export function isKubernetesLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length !== 2) return false;
  const [prefix = ''] = parts;
  return prefix === 'kubernetes.io' || prefix.endsWith('.kubernetes.io');
}

/**
 * Plans the registration of `node` under `name` (the resource's name, which wins over the content's, as in
 * KubeEdge) with annotation `cloudcore=<cloudcoreAddress>`. Pure: `node` is not changed.
 */
export function planNodeRegistration(
  node: Readonly<Node>,
  name: string,
  cloudcoreAddress: string,
): RegistrationPlan {
  const labels = node.metadata?.labels ?? {};
  const kept: Record<string, string> = {};
  const moved: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (isKubernetesLabelKey(key)) moved[key] = value;
    else kept[key] = value;
  }
  const metadata = {
    ...node.metadata,
    name,
    labels: kept,
    annotations: { ...node.metadata?.annotations, [cloudcoreAnnotation]: cloudcoreAddress },
  };
  return { create: { ...node, ...typeMetaOf('nodes'), metadata }, movedLabels: moved };
}

/** The merge patch that re-adds the moved labels: `{"metadata":{"labels":{…}}}`, as JSON text. */
export function labelPatch(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify({ metadata: { labels } });
}
