/**
 * `podpatch` (spec §4.2, §4.7): the modern edge's pod status, a strategic-merge patch on
 * `pods/<name>/status`, allowed only for pods bound to the node. The reply's Object is stored by the edge
 * as its `<ns>/pod/<name>` row (errata O2), so a success always carries the full pod.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` patchPod.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { objectRespContent, resourceVersionOf } from '../replies.js';
import type { HandlerInput } from './context.js';
import { authorizedPod, malformed, unsupported } from './context.js';
import { readStatusPatch, rejectPatchFields } from './status-patch.js';

/** The `metadata` fields a pod status patch may carry: the UID precondition the kubelet adds. */
export const podPatchMetadataKeys: readonly string[] = Object.freeze(['uid']);

/** Decides a `podpatch` request: `patch` only; `{"Object": pod, "Err"}`, RV in the header. */
export function decidePodPatch(input: HandlerInput): Decision {
  const shape = 'object-resp';
  if (input.request.operation !== 'patch') return unsupported(input, shape);
  const pod = authorizedPod(input, shape);
  if (!pod.ok) return pod.decision;
  const read = readStatusPatch(input.content);
  if (!read.ok) return malformed(read.message, shape);
  const { target } = pod.value;
  const rejected = rejectPatchFields(input, read.patch.document, podPatchMetadataKeys, target, shape);
  if (rejected !== undefined) return rejected;
  const call = {
    verb: 'patch',
    target,
    subresource: 'status',
    patchType: 'strategic-merge',
    patch: read.patch.text,
    asNode: true,
  } as const;
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    const pod = withTypeMeta('pods', isJsonObject(outcome.object) ? outcome.object : {});
    return done([reply(objectRespContent(pod), { resourceVersion: resourceVersionOf(pod) })]);
  });
}
