/**
 * Pod requests (`podpatch`, pod `delete`) about a pod that the location cache no longer binds to the
 * requesting node. The cache forgets a pod in the same turn that downstream queues the pod's `delete` for
 * the node (downstream-worker.ts `#onPod`), so "not bound in the cache" is either "its delete is queued
 * for this node" (the pod is gone, or is another incarnation), "another node's pod", or a cache that lags
 * a new binding. A read tells them apart (issue 11). It is served from the pod informer's store when the
 * store has the pod (the edge learnt of every pod it names through that store, so the store is at least
 * as fresh), and goes to the API only on a miss (a pod gone from the store, or a mirror pod the informer
 * has not seen yet): a node naming pods that exist costs no API read, and one naming pods that do not
 * costs at most one read per request it got admitted, within its per-node caps (issue 12):
 * - gone: a podpatch is answered NotFound with KubeEdge's empty Pod as `Object`, never the pod (the edge
 *   would store it again) and never `null`; a delete is answered "OK", as KubeEdge answers a delete of a
 *   missing pod, plus a pushed `delete` of the edge's row, since the edge removes a pod row only on a
 *   delete from the cloud (kubeedge/kubeedge v1.23.1 `edge/pkg/metamanager/process.go` processDelete
 *   forwards the edge's own delete and waits for the cloud's);
 * - bound to this node: the request goes on, authorized on the read (as `podstatus` does);
 * - bound elsewhere: 403, as before.
 * @module
 */
import { isNotFound, notFoundFailure } from '../api-outcome.js';
import type { JsonObject } from '../content.js';
import { isJsonObject } from '../content.js';
import type { Decision, ReplyShape } from '../decision.js';
import { apiError, callApi, reply } from '../decision.js';
import { failedPodRespContent } from '../replies.js';
import type { HandlerInput, PodTarget } from './context.js';
import { denied } from './context.js';

/** What to do with the pod once the read has decided. */
export interface PodReadBranches {
  /** The pod is gone for the edge: not found, or another incarnation than the request's UID. */
  readonly onGone: () => Decision;
  /** The pod is bound to the requesting node (the cache lags): carry the request out. */
  readonly onBound: () => Decision;
}

/**
 * Reads `pod` (store first, then the API) and takes a branch of `branches`, or answers in `shape`: 403 when the pod is
 * bound to another node, the read's failure when it failed otherwise. `uid` is the incarnation the edge
 * means (a UID precondition), if it named one: another UID under the same name means its pod is gone.
 */
export function readUnboundPod(
  input: HandlerInput,
  pod: PodTarget,
  shape: ReplyShape,
  uid: string | undefined,
  branches: PodReadBranches,
): Decision {
  const { target } = pod;
  return callApi({ verb: 'get', target, servedFromCache: true, asNode: true }, (read) => {
    if (!read.ok) return isNotFound(read.failure) ? branches.onGone() : apiError(shape, read.failure);
    // Only the identity and the binding matter here; the API server's object needs no validation.
    const current = isJsonObject(read.object) ? read.object : {};
    if (uid !== undefined && uid !== '' && stringAt(current, 'metadata', 'uid') !== uid) {
      return branches.onGone();
    }
    const nodeName = stringAt(current, 'spec', 'nodeName');
    const rejection = denied(input, { kind: 'bound-pod', nodeName }, target, shape);
    return rejection ?? branches.onBound();
  });
}

/**
 * The podpatch reply for a pod that is gone for the node: NotFound, `Object` KubeEdge's empty Pod. A
 * result of `api-error`, as the API's own NotFound would be.
 */
export function podPatchGone(pod: PodTarget): Decision {
  const failure = notFoundFailure('pods', pod.name);
  return { action: 'done', result: 'api-error', emit: [reply(failedPodRespContent(failure))], failure };
}

function stringAt(object: JsonObject, field: string, key: string): string | undefined {
  const inner = object[field];
  const value = isJsonObject(inner) ? inner[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}
