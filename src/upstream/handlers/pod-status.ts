/**
 * Legacy `podstatus` update (spec §4.2, §4.4): `<ns>/podstatus/<name>` with one `PodStatusRequest`, or
 * the list form `<ns>/podstatus` with an array of them, each answered on its own (errata O6: one reply per
 * element, all with the request's id as parent). Per element: read the pod; if it is gone or has another
 * UID, answer "OK" and push its `delete` to the edge; else merge (pod-status-merge.ts), write the status
 * and answer "OK"; a terminated pod with a deletionTimestamp is then deleted.
 *
 * Authorization is decided on the pod just read (its `spec.nodeName`), which is fresher than any cache.
 * Differences from KubeEdge, deliberate: a 409 on the status write re-reads and merges again
 * (`conflictRetries`); the final delete carries a UID precondition, so it cannot hit a re-created pod; a
 * list whose content does not decode is answered once with a 400 (KubeEdge answers nothing); a list longer
 * than `maxPodStatusListEntries` (default 256) is answered once with a 400 naming the limit, before any
 * API call (issue 12: a 10,000-entry list used to stop after 100 calls with an internal error).
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` updatePodStatus,
 * unmarshalPodStatusMessage, podStatusResponse.
 * @module
 */
import { badRequestFailure, isConflict, isNotFound } from '../api-outcome.js';
import { contentJson, foldKeys, isJsonObject, parseValue } from '../content.js';
import type { ContentResult } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, invalid, reply } from '../decision.js';
import {
  isStaleReport,
  isTerminatedAndDeleting,
  mergePodStatus,
  staleReportDelete,
} from '../pod-status-merge.js';
import { okContent } from '../replies.js';
import type { PodStatusRequest } from '../schemas.js';
import { podSchema, podStatusRequestKeys, podStatusRequestSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireNamespace, unsupported } from './context.js';

const shape = 'ok';

/** Decides a `podstatus` request: `update` only; `"OK"` or `{"ErrStatus"}` per reported pod. */
export function decidePodStatus(input: HandlerInput): Decision {
  if (input.request.operation !== 'update') return unsupported(input, shape);
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const json = contentJson(input.content);
  if (!json.ok) return malformed(`invalid PodStatusRequest: ${json.message}`, shape);
  const { name } = input.request;
  if (name === undefined) {
    if (!Array.isArray(json.value)) return malformed('invalid PodStatusRequest list: not an array', shape);
    const max = input.options.maxPodStatusListEntries;
    if (json.value.length > max) {
      // Refused whole and up front: no API call, one reply (options.ts `maxPodStatusListEntries` says why).
      const message = `PodStatusRequest list of ${String(json.value.length)} entries is longer than the ${String(max)} allowed; send at most ${String(max)} per list`;
      return invalid('list-too-long', badRequestFailure(message), shape);
    }
    const requests: PodStatusRequest[] = [];
    for (const [index, element] of json.value.entries()) {
      const parsed = readRequest(element, `PodStatusRequest list element ${String(index)}`);
      if (!parsed.ok) return malformed(parsed.message, shape);
      requests.push(parsed.value);
    }
    return {
      action: 'fan-out',
      decisions: requests.map((request) => decideElement(input, namespace.value, request, 0)),
    };
  }
  const parsed = readRequest(json.value, 'PodStatusRequest');
  if (!parsed.ok) return malformed(parsed.message, shape);
  if (parsed.value.Name !== name)
    return malformed('invalid PodStatusRequest: Name differs from the resource', shape);
  return decideElement(input, namespace.value, parsed.value, 0);
}

function readRequest(value: unknown, what: string): ContentResult<PodStatusRequest> {
  return parseValue(podStatusRequestSchema, foldKeys(value, podStatusRequestKeys), what);
}

function decideElement(
  input: HandlerInput,
  namespace: string,
  request: PodStatusRequest,
  attempt: number,
): Decision {
  const target = { resource: 'pods', namespace, name: request.Name } as const;
  return callApi({ verb: 'get', target, servedFromCache: false, asNode: true }, (read, now) => {
    if (!read.ok && !isNotFound(read.failure)) return apiError(shape, read.failure);
    const current = read.ok
      ? parseValue(podSchema, isJsonObject(read.object) ? read.object : {}, 'Pod')
      : undefined;
    if (current !== undefined && !current.ok) return malformed(current.message, shape);
    const pod = current?.value;
    if (pod === undefined || isStaleReport(pod, request.UID)) {
      return done([reply(okContent), staleReportDelete(namespace, request.Name, request.UID)]);
    }
    const rejection = denied(input, { kind: 'bound-pod', nodeName: pod.spec?.nodeName }, target, shape);
    if (rejection !== undefined) return rejection;
    const merged = mergePodStatus(pod, request.Status ?? {}, now);
    const update = {
      verb: 'update',
      target,
      subresource: 'status',
      body: { ...pod, status: merged },
      asNode: true,
    } as const;
    return callApi(update, (written) => {
      if (!written.ok) {
        return isConflict(written.failure) && attempt < input.options.conflictRetries
          ? decideElement(input, namespace, request, attempt + 1)
          : apiError(shape, written.failure);
      }
      const writtenPod = parseValue(podSchema, isJsonObject(written.object) ? written.object : {}, 'Pod');
      if (!writtenPod.ok || !isTerminatedAndDeleting(writtenPod.value, merged))
        return done([reply(okContent)]);
      const options = {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: writtenPod.value.metadata?.uid ?? pod.metadata?.uid ?? '' },
      };
      // The "OK" goes out before the delete, as in KubeEdge; a failed delete is counted, not answered.
      return callApi(
        { verb: 'delete', target, options, asNode: true },
        (deleted) =>
          deleted.ok || isNotFound(deleted.failure) ? done([]) : apiError('none', deleted.failure),
        [reply(okContent)],
      );
    });
  });
}
