/**
 * Legacy `nodestatus` requests (spec §4.2, deprecated rows; modern edges use `node` insert and
 * `nodepatch`): `insert` registers the node unless it exists, `update` writes a `NodeStatusRequest`.
 * Replies go on `<ns>/node/<name>`, not the request's resource (errata W5).
 *
 * Differences from KubeEdge, deliberate: an `update` that fails is answered with `{"ErrStatus"}` (KubeEdge
 * answers nothing; the edge sent it fire-and-forget, so the reply is only dropped there, but STYLE.md rule
 * 27 wants every failure answered), and a 409 on the status write re-reads and merges again
 * (`conflictRetries`) instead of failing.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` updateNodeStatus,
 * nodeMsgResponse.
 * @module
 */
import type { ResourcePath } from '../../protocol/index.js';
import { buildResource } from '../../protocol/index.js';
import { isConflict, isNotFound } from '../api-outcome.js';
import { foldKeys, isJsonObject, parseContent, parseValue, contentJson } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { mergeNodeStatus } from '../node-status-merge.js';
import { okContent, resourceVersionOf } from '../replies.js';
import type { NodeStatusRequest } from '../schemas.js';
import { nodeSchema, nodeStatusRequestKeys, nodeStatusRequestSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, unsupported } from './context.js';
import { decideRegistration } from './node.js';

/** Decides a `nodestatus` request: `insert` (`"OK"` or an error string) or `update` (`"OK"`, RV). */
export function decideNodeStatus(input: HandlerInput): Decision {
  switch (input.request.operation) {
    case 'insert':
      return decideNodeStatusInsert(input);
    case 'update':
      return decideNodeStatusUpdate(input);
    case 'query':
    case 'delete':
    case 'patch':
      return unsupported(input, 'ok');
  }
}

function nodeReplyResource(input: HandlerInput, name: string): ResourcePath {
  return buildResource({ namespace: input.request.namespace, resourceType: 'node', name });
}

// GET the node; if it exists answer "OK", if not register it from the content (parsed only then, as
// KubeEdge does). Failures are answered as plain strings (`nodeMsgResponse`).
function decideNodeStatusInsert(input: HandlerInput): Decision {
  const shape = 'text';
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const resource = nodeReplyResource(input, name.value);
  const target = { resource: 'nodes', name: name.value } as const;
  const rejection = denied(input, { kind: 'node', name: name.value }, target, shape, resource);
  if (rejection !== undefined) return rejection;
  return callApi({ verb: 'get', target, servedFromCache: false, asNode: true }, (outcome) => {
    if (outcome.ok) return done([reply(okContent, { resource })]);
    if (!isNotFound(outcome.failure)) return apiError(shape, outcome.failure, resource);
    const node = parseContent(nodeSchema, input.content, 'Node');
    if (!node.ok) return malformed(node.message, shape, resource);
    return decideRegistration(input, name.value, node.value, {
      shape,
      resource,
      onSuccess: () => done([reply(okContent, { resource })]),
    });
  });
}

function decideNodeStatusUpdate(input: HandlerInput): Decision {
  const shape = 'ok';
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const resource = nodeReplyResource(input, name.value);
  const json = contentJson(input.content);
  const parsed = json.ok
    ? parseValue(nodeStatusRequestSchema, foldKeys(json.value, nodeStatusRequestKeys), 'NodeStatusRequest')
    : { ok: false as const, message: `invalid NodeStatusRequest: ${json.message}` };
  if (!parsed.ok) return malformed(parsed.message, shape, resource);
  const target = { resource: 'nodes', name: name.value } as const;
  const rejection = denied(input, { kind: 'node', name: name.value }, target, shape, resource);
  if (rejection !== undefined) return rejection;
  return readAndWrite(input, parsed.value, target, resource, 0);
}

function readAndWrite(
  input: HandlerInput,
  request: NodeStatusRequest,
  target: { readonly resource: 'nodes'; readonly name: string },
  resource: ResourcePath,
  attempt: number,
): Decision {
  const shape = 'ok';
  return callApi({ verb: 'get', target, servedFromCache: false, asNode: true }, (read, now) => {
    if (!read.ok) return apiError(shape, read.failure, resource);
    const current = parseValue(nodeSchema, isJsonObject(read.object) ? read.object : {}, 'Node');
    if (!current.ok) return malformed(current.message, shape, resource);
    const body = mergeNodeStatus(current.value, request, now, input.options.nodeUpdateFrequencyMs);
    const update = { verb: 'update', target, subresource: 'status', body, asNode: true } as const;
    return callApi(update, (written) => {
      if (written.ok)
        return done([reply(okContent, { resourceVersion: resourceVersionOf(written.object), resource })]);
      if (isConflict(written.failure) && attempt < input.options.conflictRetries) {
        return readAndWrite(input, request, target, resource, attempt + 1);
      }
      return apiError(shape, written.failure, resource);
    });
  });
}
