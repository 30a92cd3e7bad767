/**
 * `lease` requests (spec §4.2, §4.9, §4.10): the node heartbeat of the modern edge, on
 * `kube-node-lease/lease/<node>`. `query` reads it (a missing lease must be answered
 * `{"Object":null,"Err":{"ErrStatus":{…404…}}}` or the kubelet re-queries forever instead of creating it),
 * `insert` creates it and `update` writes it (optimistically: a stale resourceVersion gets a 409 the
 * kubelet handles by reading again). Every answer is an ObjectResp. A node may touch only its own lease.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go`
 * createOrUpdateLease, queryLease; errata W5 (a content-decode failure there is a plain string on a node
 * resource; we answer an ObjectResp with a 400 instead, which the edge can decode).
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import { isJsonObject, parseContent } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { objectRespContent } from '../replies.js';
import { leaseSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, requireNamespace, unsupported } from './context.js';
import { decideQuery } from './object-query.js';

/** Decides a `lease` request: `query`, `insert`, `update`; always `{"Object","Err"}`. */
export function decideLease(input: HandlerInput): Decision {
  const shape = 'object-resp';
  switch (input.request.operation) {
    case 'query':
      return decideQuery(input, {
        resource: 'leases',
        servedFromCache: true,
        asNode: true,
        shape,
        before: (target) => ({ kind: 'lease', namespace: target.namespace ?? null, name: target.name }),
      });
    case 'insert':
    case 'update':
      return decideLeaseWrite(input, input.request.operation);
    case 'delete':
    case 'patch':
      return unsupported(input, shape);
  }
}

function decideLeaseWrite(input: HandlerInput, operation: 'insert' | 'update'): Decision {
  const shape = 'object-resp';
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const target = { resource: 'leases', namespace: namespace.value, name: name.value } as const;
  const access = { kind: 'lease', namespace: namespace.value, name: name.value } as const;
  const rejection = denied(input, access, target, shape);
  if (rejection !== undefined) return rejection;
  const parsed = parseContent(leaseSchema, input.content, 'Lease');
  if (!parsed.ok) return malformed(parsed.message, shape);
  const lease = parsed.value;
  const metadata = lease.metadata ?? {};
  // The authorized name is the resource's; a body naming another lease would write that one instead.
  if (
    (metadata.namespace ?? namespace.value) !== namespace.value ||
    (metadata.name ?? name.value) !== name.value
  ) {
    return malformed('invalid Lease: metadata.namespace/name differ from the resource', shape);
  }
  const body = withTypeMeta('leases', {
    ...lease,
    metadata: { ...metadata, namespace: namespace.value, name: name.value },
  });
  const call =
    operation === 'insert'
      ? ({
          verb: 'create',
          target: { resource: 'leases', namespace: namespace.value },
          body,
          asNode: true,
        } as const)
      : ({ verb: 'update', target, body, asNode: true } as const);
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    return done([
      reply(objectRespContent(withTypeMeta('leases', isJsonObject(outcome.object) ? outcome.object : {}))),
    ]);
  });
}
