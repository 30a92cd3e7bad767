/**
 * `node` requests (spec §4.2, §4.5): `insert` registers the node, `query` reads it, `update` merges the
 * labels and annotations the edge sends into it. A node may touch only its own Node, and may not set
 * `node-restriction.kubernetes.io` labels (not even through the un-impersonated registration patch).
 *
 * Differences from KubeEdge, deliberate: a failed `update` is answered with `{"ErrStatus"}` (KubeEdge
 * answers nothing, errata O6; the edge sent it fire-and-forget and drops the reply, but STYLE.md rule 27
 * wants every failure answered); undecodable `insert` content gets a 400 ObjectResp instead of a plain
 * string (errata W5), which the edge can decode.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` registerNode,
 * createNode, queryNode, updateNode.
 * @module
 */
import type { ResourcePath } from '../../protocol/index.js';
import { withTypeMeta } from '../api-call.js';
import { parseContent } from '../content.js';
import { isJsonObject } from '../content.js';
import type { Decision, ReplyShape } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { labelPatch, planNodeRegistration } from '../node-registration.js';
import { objectRespContent, okContent, resourceVersionOf } from '../replies.js';
import type { Node } from '../schemas.js';
import { nodeSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, unsupported } from './context.js';
import { decideQuery } from './object-query.js';

/** Decides a `node` request: `insert` (ObjectResp), `query` (bare Node), `update` (`"OK"`). */
export function decideNode(input: HandlerInput): Decision {
  switch (input.request.operation) {
    case 'insert':
      return decideNodeInsert(input);
    case 'query':
      return decideQuery(input, {
        resource: 'nodes',
        servedFromCache: true,
        asNode: true,
        shape: 'object',
        before: (target) => ({ kind: 'node', name: target.name }),
      });
    case 'update':
      return decideNodeUpdate(input);
    case 'delete':
    case 'patch':
      return unsupported(input, 'object');
  }
}

/** How a registration answers: the reply after success, and the shape (and resource) of failures. */
export interface RegistrationReply {
  readonly shape: ReplyShape;
  readonly resource?: ResourcePath;
  readonly onSuccess: (node: Record<string, unknown>) => Decision;
}

/**
 * The registration flow shared by `node` insert and legacy `nodestatus` insert: authorize (own name, no
 * `node-restriction.kubernetes.io` labels), create the node on its behalf with the `kubernetes.io` labels
 * removed and `cloudcore` annotated, then, if labels were removed, merge-patch them back NOT on its
 * behalf (NodeRestriction would refuse). A failed create is answered at once (an existing node gives
 * `AlreadyExists`, on which the kubelet reads the node instead, errata O3); a failed label patch too, as
 * in KubeEdge.
 */
export function decideRegistration(
  input: HandlerInput,
  name: string,
  node: Node,
  answer: RegistrationReply,
): Decision {
  const labelKeys = Object.keys(node.metadata?.labels ?? {});
  const rejection = denied(
    input,
    { kind: 'node', name, labelKeys },
    { resource: 'nodes', name },
    answer.shape,
    answer.resource,
  );
  if (rejection !== undefined) return rejection;
  const plan = planNodeRegistration(node, name, input.options.cloudcoreAddress);
  const create = { verb: 'create', target: { resource: 'nodes' }, body: plan.create, asNode: true } as const;
  return callApi(create, (created) => {
    if (!created.ok) return apiError(answer.shape, created.failure, answer.resource);
    if (Object.keys(plan.movedLabels).length === 0) return answer.onSuccess(objectOf(created.object));
    const patch = {
      verb: 'patch',
      target: { resource: 'nodes', name },
      patchType: 'merge',
      patch: labelPatch(plan.movedLabels),
      asNode: false,
    } as const;
    return callApi(patch, (patched) =>
      patched.ok
        ? answer.onSuccess(objectOf(patched.object))
        : apiError(answer.shape, patched.failure, answer.resource),
    );
  });
}

function decideNodeInsert(input: HandlerInput): Decision {
  const shape = 'object-resp';
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const node = parseContent(nodeSchema, input.content, 'Node');
  if (!node.ok) return malformed(node.message, shape);
  return decideRegistration(input, name.value, node.value, {
    shape,
    onSuccess: (created) => done([reply(objectRespContent(withTypeMeta('nodes', created)))]),
  });
}

// KubeEdge GETs the node, merges labels and annotations and strategic-merge-patches the whole node back,
// which carries its resourceVersion and can revert concurrent spec edits. A patch of only the two maps
// has the same effect on them, needs no read and cannot clobber anything else.
function decideNodeUpdate(input: HandlerInput): Decision {
  const shape = 'ok';
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const node = parseContent(nodeSchema, input.content, 'Node');
  if (!node.ok) return malformed(node.message, shape);
  const labels = node.value.metadata?.labels ?? {};
  const annotations = node.value.metadata?.annotations ?? {};
  const access = { kind: 'node', name: name.value, labelKeys: Object.keys(labels) } as const;
  const rejection = denied(input, access, { resource: 'nodes', name: name.value }, shape);
  if (rejection !== undefined) return rejection;
  const patch = {
    verb: 'patch',
    target: { resource: 'nodes', name: name.value },
    patchType: 'strategic-merge',
    patch: JSON.stringify({ metadata: { labels, annotations } }),
    asNode: true,
  } as const;
  return callApi(patch, (outcome) =>
    outcome.ok
      ? done([reply(okContent, { resourceVersion: resourceVersionOf(outcome.object) })])
      : apiError(shape, outcome.failure),
  );
}

function objectOf(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? { ...value } : {};
}
