/**
 * `podpatch` (spec §4.2, §4.7): the modern edge's pod status, a strategic-merge patch on
 * `pods/<name>/status`, allowed only for pods bound to the node. The reply's Object is stored by the edge
 * as its `<ns>/pod/<name>` row (errata O2), so a success always carries the full pod, and a reply about
 * a pod whose delete is queued for the node never does (pod-gone.ts, issue 11).
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` patchPod.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import type { JsonObject } from '../content.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import { callApi, done, reply } from '../decision.js';
import { failedPodRespContent, objectRespContent, resourceVersionOf } from '../replies.js';
import type { HandlerInput, PodTarget } from './context.js';
import { deniedPod, malformed, podTargetOf, unsupported } from './context.js';
import { podPatchGone, readUnboundPod } from './pod-gone.js';
import { readStatusPatch, rejectPatchFields } from './status-patch.js';

/** The `metadata` fields a pod status patch may carry: the UID precondition the kubelet adds. */
export const podPatchMetadataKeys: readonly string[] = Object.freeze(['uid']);

/**
 * Decides a `podpatch` request: `patch` only; `{"Object": pod, "Err"}`, RV in the header. A failed call
 * is answered as KubeEdge answers it: `Object` the empty Pod, never `null` (replies.ts
 * `failedPodRespContent`). Once the pod's delete is queued for the node (the cache no longer binds it
 * there), the reply is NotFound, never the pod: the edge would store it as its row again (issue 11).
 */
export function decidePodPatch(input: HandlerInput): Decision {
  const shape = 'object-resp';
  if (input.request.operation !== 'patch') return unsupported(input, shape);
  const pod = podTargetOf(input, shape);
  if (!pod.ok) return pod.decision;
  const rejection = deniedPod(input, pod.value, shape);
  if (rejection === undefined)
    return patchPod(input, pod.value, input.graph.podOn(input.node, pod.value.namespace, pod.value.name));
  const read = readStatusPatch(input.content);
  const uid = read.ok ? uidPrecondition(read.patch.document) : undefined;
  return readUnboundPod(input, pod.value, shape, uid, {
    onGone: () => podPatchGone(pod.value),
    onBound: () => patchPod(input, pod.value, false),
  });
}

/**
 * Reads, checks and sends the patch. `isBoundInCache`: the cache bound the pod to the node when the
 * request was decided, so a cache that no longer does when the call returns means the pod's delete was
 * queued for the node meanwhile, and the patched pod must not be sent.
 */
function patchPod(input: HandlerInput, pod: PodTarget, isBoundInCache: boolean): Decision {
  const shape = 'object-resp';
  const read = readStatusPatch(input.content);
  if (!read.ok) return malformed(read.message, shape);
  const { target } = pod;
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
    if (!outcome.ok) {
      const failure = outcome.failure;
      return { action: 'done', result: 'api-error', emit: [reply(failedPodRespContent(failure))], failure };
    }
    // The graph is live: the worker emits this decision's reply in the same turn, so no delete can be
    // queued between this check and the reply being queued.
    if (isBoundInCache && !input.graph.podOn(input.node, pod.namespace, pod.name)) return podPatchGone(pod);
    const patched = withTypeMeta('pods', isJsonObject(outcome.object) ? outcome.object : {});
    return done([reply(objectRespContent(patched), { resourceVersion: resourceVersionOf(patched) })]);
  });
}

/** The kubelet's UID precondition in a status patch (`metadata.uid`), if any. */
function uidPrecondition(document: JsonObject): string | undefined {
  const metadata = document.metadata;
  const uid = isJsonObject(metadata) ? metadata.uid : undefined;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}
