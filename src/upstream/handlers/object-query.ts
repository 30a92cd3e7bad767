/**
 * The shared query flow (KubeEdge's `queryInner` and `queryLease`): authorize, read one object, authorize
 * again on what was read when the rule depends on the object, and answer with the object or the failure.
 * Used by the configmap, secret, PV, PVC, VolumeAttachment, node, CSR and lease queries.
 *
 * Source: kubeedge-wire.md §4.2, §4.3; `kubeedge/kubeedge` v1.23.1
 * `cloud/pkg/edgecontroller/controller/upstream.go` queryInner, kubeClientGet, queryLease.
 * @module
 */
import type { KubeResource, ObjectTarget } from '../api-call.js';
import { kubeResources, withTypeMeta } from '../api-call.js';
import type { Access } from '../authorize.js';
import type { JsonObject } from '../content.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { objectReply, objectRespContent } from '../replies.js';
import type { HandlerInput } from './context.js';
import { denied, requireName, requireNamespace, unsupported } from './context.js';

/** How one resource type is queried. */
export interface QuerySpec {
  readonly resource: KubeResource;
  /** Whether an informer store may answer (KubeEdge reads configmaps, secrets, nodes, leases from listers). */
  readonly servedFromCache: boolean;
  /** Whether the read is made on the node's behalf (KubeEdge's CSR query is not, errata W6). */
  readonly asNode: boolean;
  /**
   * `object`: bare object or `{"ErrStatus"}` (node query); `stored-object`: bare object or
   * `{"Object":null,"Err"}`, so the edge does not store a failure as the object (decision.ts);
   * `object-resp`: `{"Object","Err"}` (lease query).
   */
  readonly shape: 'object' | 'stored-object' | 'object-resp';
  /** The access checked before the read, if the rule needs only the request. */
  readonly before?: (target: ObjectTarget) => Access;
  /** The access checked on the object read, if the rule needs the object. */
  readonly after?: (object: JsonObject) => Access;
}

/**
 * Decides a `query`: other operations get a 405 in the type's shape. Cluster-scoped resources ignore the
 * namespace the edge sends (`null`, or `default` for VolumeAttachments and CSRs). A success is the object
 * with `apiVersion`/`kind` set; in the `object` and `stored-object` shapes its resourceVersion goes to
 * the header (the reply then goes through the ACK path and records sync), in the `object-resp` shape it
 * does not (as KubeEdge). A failure, NotFound included, is answered as such: a missing lease is
 * `{"Object":null,"Err":{"ErrStatus":{…404…}}}`, which makes the kubelet create it (§4.10, errata O3);
 * a missing ConfigMap or Secret is answered in that shape too, which the edge does not store.
 */
export function decideQuery(input: HandlerInput, spec: QuerySpec): Decision {
  const { shape } = spec;
  if (input.request.operation !== 'query') return unsupported(input, shape);
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  let target: ObjectTarget = { resource: spec.resource, name: name.value };
  if (kubeResources[spec.resource].namespaced) {
    const namespace = requireNamespace(input, shape);
    if (!namespace.ok) return namespace.decision;
    target = { ...target, namespace: namespace.value };
  }
  if (spec.before !== undefined) {
    const rejection = denied(input, spec.before(target), target, shape);
    if (rejection !== undefined) return rejection;
  }
  const call = { verb: 'get', target, servedFromCache: spec.servedFromCache, asNode: spec.asNode } as const;
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    const object = isJsonObject(outcome.object) ? outcome.object : {};
    if (spec.after !== undefined) {
      const rejection = denied(input, spec.after(object), target, shape);
      if (rejection !== undefined) return rejection;
    }
    if (shape === 'object-resp') return done([reply(objectRespContent(withTypeMeta(spec.resource, object)))]);
    const { content, resourceVersion } = objectReply(spec.resource, object);
    return done([reply(content, { resourceVersion })]);
  });
}
