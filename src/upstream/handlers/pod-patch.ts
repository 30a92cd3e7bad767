/**
 * `podpatch` (spec §4.2, §4.7): the modern edge's pod status, a strategic-merge patch on
 * `pods/<name>/status`, allowed only for pods bound to the node. The reply's Object is stored by the edge
 * as its `<ns>/pod/<name>` row (errata O2), so a success always carries the full pod.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` patchPod.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import { forbiddenFailure } from '../api-outcome.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, forbid, reply } from '../decision.js';
import { objectRespContent, resourceVersionOf } from '../replies.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, requireNamespace, unsupported } from './context.js';
import { disallowedPatchField, readStatusPatch } from './status-patch.js';

/** The `metadata` fields a pod status patch may carry: the UID precondition the kubelet adds. */
export const podPatchMetadataKeys: readonly string[] = Object.freeze(['uid']);

/** Decides a `podpatch` request: `patch` only; `{"Object": pod, "Err"}`, RV in the header. */
export function decidePodPatch(input: HandlerInput): Decision {
  const shape = 'object-resp';
  if (input.request.operation !== 'patch') return unsupported(input, shape);
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const read = readStatusPatch(input.content);
  if (!read.ok) return malformed(read.message, shape);
  const target = { resource: 'pods', namespace: namespace.value, name: name.value } as const;
  const rejection = denied(
    input,
    { kind: 'pod', namespace: namespace.value, name: name.value },
    target,
    shape,
  );
  if (rejection !== undefined) return rejection;
  if (input.options.authorization === 'node') {
    const field = disallowedPatchField(read.patch.document, podPatchMetadataKeys);
    if (field !== undefined) {
      const failure = forbiddenFailure(
        'pods',
        name.value,
        `a pod status patch may not set ${JSON.stringify(field)}`,
      );
      return forbid('patch-field-not-allowed', failure, shape);
    }
  }
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
