/**
 * `volumeattachment` query (spec §4.2; the edge sends namespace `default` for this cluster-scoped kind):
 * a VolumeAttachment read from the API, answered only when it attaches to the requesting node. That is
 * known only from the object (`spec.nodeName`), so the check runs after the read.
 * @module
 */
import type { JsonObject } from '../content.js';
import { isJsonObject } from '../content.js';
import type { Decision } from '../decision.js';
import type { HandlerInput } from './context.js';
import { decideQuery } from './object-query.js';

/**
 * Decides a `volumeattachment` request: `query` only; bare VolumeAttachment, or `{"Object":null,"Err"}`
 * on failure, which the edge does not store.
 */
export function decideVolumeAttachment(input: HandlerInput): Decision {
  return decideQuery(input, {
    resource: 'volumeattachments',
    servedFromCache: false,
    asNode: true,
    shape: 'stored-object',
    after: (object) => ({ kind: 'read-volume-attachment', attachedNode: attachedNodeOf(object) }),
  });
}

function attachedNodeOf(object: JsonObject): string | undefined {
  const spec = object.spec;
  if (!isJsonObject(spec)) return undefined;
  return typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
}
