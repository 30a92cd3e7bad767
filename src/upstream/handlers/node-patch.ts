/**
 * `nodepatch` (spec §4.2, §4.9, §4.10): the modern edge's node status, a strategic-merge patch on
 * `nodes/<name>/status`. The reply's Object is how the edge refreshes its own node row, which serves the
 * kubelet's node reads (errata O2), so a success always carries the full node.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` patchNode.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { objectRespContent, resourceVersionOf } from '../replies.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, unsupported } from './context.js';
import { patchedLabelKeys, readStatusPatch, rejectPatchFields } from './status-patch.js';

/** The `metadata` fields a node status patch may carry (the kubelet patches labels and annotations too). */
export const nodePatchMetadataKeys: readonly string[] = Object.freeze([
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
]);

/** Decides a `nodepatch` request: `patch` only; `{"Object": node, "Err"}`, RV in the header. */
export function decideNodePatch(input: HandlerInput): Decision {
  const shape = 'object-resp';
  if (input.request.operation !== 'patch') return unsupported(input, shape);
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const read = readStatusPatch(input.content);
  if (!read.ok) return malformed(read.message, shape);
  const { document, text } = read.patch;
  const target = { resource: 'nodes', name: name.value } as const;
  const rejection = denied(
    input,
    { kind: 'node', name: name.value, labelKeys: patchedLabelKeys(document) },
    target,
    shape,
  );
  if (rejection !== undefined) return rejection;
  const rejected = rejectPatchFields(input, document, nodePatchMetadataKeys, target, shape);
  if (rejected !== undefined) return rejected;
  const call = {
    verb: 'patch',
    target,
    subresource: 'status',
    patchType: 'strategic-merge',
    patch: text,
    asNode: true,
  } as const;
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    const node = withTypeMeta('nodes', isJsonObject(outcome.object) ? outcome.object : {});
    return done([reply(objectRespContent(node), { resourceVersion: resourceVersionOf(node) })]);
  });
}
