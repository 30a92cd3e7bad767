/**
 * `event` requests (spec §4.2, §4.9): the edge's events, written as KubeEdge's client-go
 * `CreateWithEventNamespace` / `UpdateWithEventNamespace` / `PatchWithEventNamespace` do, in the event's
 * own namespace. The edge sends and forgets: no outcome, success, failure or rejection, is ever answered.
 *
 * Authorization: a node may record events only about itself (`involvedObject` Node named after it),
 * about pods bound to it, or about pods deleted from it in the last five minutes (recent-pod-deletions.ts).
 * An update or patch is judged on the STORED event, read once before the write (its involvedObject, never
 * its name: a name is any string the node chose), an update also on its new body, and a patch may not
 * retarget it. Kubernetes itself lets nodes write any event, so this is stricter than the API server, not
 * a duplicate of it.
 * Deliberately unlike KubeEdge, whose strict authorization drops every edge event (errata W2).
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` processEvent;
 * `common/types/types.go` EventPatchInfo.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import type { ApiOutcome } from '../api-outcome.js';
import { forbiddenFailure } from '../api-outcome.js';
import type { ContentResult } from '../content.js';
import { contentJson, foldKeys, isJsonObject, parseContent, parseValue } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, forbid } from '../decision.js';
import type { Event } from '../schemas.js';
import { eventPatchKeys, eventPatchSchema, eventSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireNamespace, unsupported } from './context.js';

// Fields an event patch may not touch: they would move the event to another object or rewrite it whole.
const forbiddenPatchKeys: readonly string[] = Object.freeze([
  'involvedObject',
  'metadata',
  'related',
  '$patch',
  '$retainKeys',
]);

/** An event request's content: the event, and for `patch` the patch text and its first forbidden key. */
interface EventContent {
  readonly event: Event;
  readonly patch?: { readonly text: string; readonly forbiddenKey: string | undefined };
}

/** Decides an `event` request: `insert`, `update` or `patch`; never a reply. */
export function decideEvent(input: HandlerInput): Decision {
  const shape = 'none';
  const { operation } = input.request;
  if (operation !== 'insert' && operation !== 'update' && operation !== 'patch')
    return unsupported(input, shape);
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const content = operation === 'patch' ? readEventPatch(input.content) : readEvent(input.content);
  if (!content.ok) return malformed(content.message, shape);
  const { event, patch } = content.value;

  const eventNamespace = event.metadata?.namespace ?? namespace.value;
  const name = event.metadata?.name ?? input.request.name;
  if (eventNamespace !== namespace.value) {
    return malformed('invalid Event: metadata.namespace differs from the resource', shape);
  }
  if (operation !== 'insert' && (name === undefined || name === ''))
    return malformed('invalid Event: no name', shape);

  const target = { resource: 'events', namespace: eventNamespace, name: name ?? '' } as const;
  const rejection = deniedEvent(input, eventNamespace, event.involvedObject, target);
  if (rejection !== undefined) return rejection;
  if (patch?.forbiddenKey !== undefined && input.options.authorization === 'node') {
    const failure = forbiddenFailure(
      'events',
      target.name,
      `an event patch may not set ${JSON.stringify(patch.forbiddenKey)}`,
    );
    return forbid('patch-field-not-allowed', failure, shape);
  }

  const finish = (outcome: ApiOutcome): Decision =>
    outcome.ok ? done([]) : apiError(shape, outcome.failure);
  const body = withTypeMeta('events', {
    ...event,
    metadata: { ...event.metadata, namespace: eventNamespace, ...(name === undefined ? {} : { name }) },
  });
  if (operation === 'insert') {
    return callApi(
      { verb: 'create', target: { resource: 'events', namespace: eventNamespace }, body, asNode: true },
      finish,
    );
  }
  const write = (): Decision =>
    patch !== undefined
      ? callApi(
          { verb: 'patch', target, patchType: 'strategic-merge', patch: patch.text, asNode: true },
          finish,
        )
      : callApi({ verb: 'update', target, body, asNode: true }, finish);
  if (input.options.authorization !== 'node') return write();
  // An update or patch is judged on the event it would change, as stored: the content's involvedObject is
  // the node's word, and a name is no proof (issue 12: `<own pod>.<anything>` reached other nodes' events).
  // Read with the controller's identity: the Node authorizer gives nodes no `get` on events.
  return callApi({ verb: 'get', target, servedFromCache: false, asNode: false }, (read) => {
    if (!read.ok) return apiError(shape, read.failure);
    const stored = parseValue(eventSchema, isJsonObject(read.object) ? read.object : {}, 'Event');
    if (!stored.ok) return malformed(stored.message, shape);
    return deniedEvent(input, eventNamespace, stored.value.involvedObject, target) ?? write();
  });
}

/** The `forbid` decision when `node` may not write an event about `involvedObject`, else `undefined`. */
function deniedEvent(
  input: HandlerInput,
  namespace: string,
  involvedObject: Event['involvedObject'],
  target: { readonly resource: 'events'; readonly namespace: string; readonly name: string },
): Decision | undefined {
  return denied(input, { kind: 'event', namespace, involvedObject }, target, 'none');
}

function readEvent(content: unknown): ContentResult<EventContent> {
  const parsed = parseContent(eventSchema, content, 'Event');
  return parsed.ok ? { ok: true, value: { event: parsed.value } } : parsed;
}

// `{"event": Event, "patchData": "<strategic-merge patch as JSON text>"}`; keys matched as Go does.
function readEventPatch(content: unknown): ContentResult<EventContent> {
  const json = contentJson(content);
  if (!json.ok) return { ok: false, message: `invalid event patch: ${json.message}` };
  const parsed = parseValue(eventPatchSchema, foldKeys(json.value, eventPatchKeys), 'event patch');
  if (!parsed.ok) return parsed;
  const { event, patchData } = parsed.value;
  let document: unknown;
  try {
    document = JSON.parse(patchData);
  } catch {
    document = undefined;
  }
  if (!isJsonObject(document))
    return { ok: false, message: 'invalid event patch: patchData is not a JSON object' };
  const forbiddenKey = Object.keys(document).find((key) => forbiddenPatchKeys.includes(key));
  return { ok: true, value: { event, patch: { text: patchData, forbiddenKey } } };
}
