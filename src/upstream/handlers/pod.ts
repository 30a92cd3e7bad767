/**
 * `pod` requests (spec §4.2): `insert` creates a mirror pod (the API object of a static pod on the edge),
 * `delete` deletes a pod bound to the node once the edge has stopped it, and answers a delete of a pod
 * that is already gone with "OK" plus a pushed `delete` of the edge's row (pod-gone.ts, issue 11).
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` createPod,
 * deletePod; errata O7.
 * @module
 */
import { typeMetaOf, withTypeMeta } from '../api-call.js';
import { isNotFound, isRecreatedConflict } from '../api-outcome.js';
import type { JsonObject } from '../content.js';
import { isJsonObject, parseContent, parseValue } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { staleReportDelete } from '../pod-status-merge.js';
import { objectRespContent, okContent, resourceVersionOf } from '../replies.js';
import { deleteOptionsSchema, podSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import {
  denied,
  deniedPod,
  malformed,
  podTargetOf,
  requireName,
  requireNamespace,
  unsupported,
} from './context.js';
import { readUnboundPod } from './pod-gone.js';

/** The annotation that marks a mirror pod (`kubernetes.io/config.mirror`). */
export const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/** Decides a `pod` request: `insert` (ObjectResp) or `delete` (`"OK"`). */
export function decidePod(input: HandlerInput): Decision {
  switch (input.request.operation) {
    case 'insert':
      return decidePodInsert(input);
    case 'delete':
      return decidePodDelete(input);
    case 'query':
    case 'update':
    case 'patch':
      return unsupported(input, 'ok');
  }
}

function decidePodInsert(input: HandlerInput): Decision {
  const shape = 'object-resp';
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const parsed = parseContent(podSchema, input.content, 'Pod');
  if (!parsed.ok) return malformed(parsed.message, shape);
  const pod = parsed.value;
  const metadata = pod.metadata ?? {};
  if (
    (metadata.namespace ?? namespace.value) !== namespace.value ||
    (metadata.name ?? name.value) !== name.value
  ) {
    return malformed('invalid Pod: metadata.namespace/name differ from the resource', shape);
  }
  const access = {
    kind: 'create-mirror-pod',
    nodeName: pod.spec?.nodeName,
    isMirror: metadata.annotations != null && Object.hasOwn(metadata.annotations, mirrorPodAnnotation),
    ownerReferences: metadata.ownerReferences ?? [],
  } as const;
  const target = { resource: 'pods', namespace: namespace.value, name: name.value } as const;
  const rejection = denied(input, access, target, shape);
  if (rejection !== undefined) return rejection;
  const body = {
    ...pod,
    ...typeMetaOf('pods'),
    metadata: { ...metadata, namespace: namespace.value, name: name.value },
  };
  const call = {
    verb: 'create',
    target: { resource: 'pods', namespace: namespace.value },
    body,
    asNode: true,
  } as const;
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    const created = withTypeMeta('pods', isJsonObject(outcome.object) ? outcome.object : {});
    return done([reply(objectRespContent(created), { resourceVersion: resourceVersionOf(created) })]);
  });
}

/**
 * The delete options of a `pod` delete: a string content is the legacy form, the pod's UID, meaning grace
 * period 0 with a UID precondition; `null` means defaults; an object is `DeleteOptions`.
 */
export function podDeleteOptions(
  content: unknown,
): { ok: true; options: JsonObject } | { ok: false; message: string } {
  if (typeof content === 'string')
    return { ok: true, options: { gracePeriodSeconds: 0, preconditions: { uid: content } } };
  if (content === null || content === undefined) return { ok: true, options: {} };
  const parsed = parseValue(deleteOptionsSchema, content, 'DeleteOptions');
  return parsed.ok ? { ok: true, options: parsed.value } : { ok: false, message: parsed.message };
}

// The edge treats only the exact string "OK" as success (errata O7). NotFound and a failed UID
// precondition (the pod was re-created) mean the pod the edge knew is gone: success, as in KubeEdge.
// A pod the cache no longer binds to the node is read first (pod-gone.ts): if it is gone, the edge gets
// "OK" and a pushed delete of its row, instead of the 403 that left the row on the edge for good.
function decidePodDelete(input: HandlerInput): Decision {
  const shape = 'ok';
  const pod = podTargetOf(input, shape);
  if (!pod.ok) return pod.decision;
  const options = podDeleteOptions(input.content);
  if (!options.ok) return malformed(options.message, shape);
  const { namespace, name, target } = pod.value;
  const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...options.options };
  const deletePod = (): Decision =>
    callApi({ verb: 'delete', target, options: body, asNode: true }, (outcome) => {
      if (outcome.ok || isNotFound(outcome.failure) || isRecreatedConflict(outcome.failure)) {
        return done([reply(okContent)]);
      }
      return apiError(shape, outcome.failure);
    });
  if (deniedPod(input, pod.value, shape) === undefined) return deletePod();
  const uid = preconditionUid(options.options);
  return readUnboundPod(input, pod.value, shape, uid, {
    onGone: () => done([reply(okContent), staleReportDelete(namespace, name, uid)]),
    onBound: deletePod,
  });
}

/** The UID precondition of delete options, if any: the incarnation the edge means. */
function preconditionUid(options: JsonObject): string | undefined {
  const preconditions = options.preconditions;
  if (!isJsonObject(preconditions)) return undefined;
  const uid = preconditions.uid;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}
