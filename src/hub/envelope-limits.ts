/**
 * Size limits on the envelope strings of an inbound message, checked right after decoding and before
 * anything answers or forwards it (issue 12 item 1). Replies copy the request's `msg_id` (as
 * `parent_msg_id`), its resource and, for control answers, its source and group; log lines name them. A
 * 1.9 MB `msg_id` echoed in an error reply that waits in a slow node's reply queue is how one edge
 * exhausted the controller's heap. Real EdgeCores send UUIDs and Kubernetes names: a resource is at most
 * `<63-char ns>/<type>/<253-char name>`, far below 1 KiB. Pure.
 * @module
 */
import type { Message } from '../protocol/index.js';

/** The limits, in UTF-8 bytes. */
export interface EnvelopeLimits {
  /** Longest `header.msg_id`. Default 128. */
  readonly maxMsgIdBytes: number;
  /** Longest `route.resource`. Default 1,024. */
  readonly maxResourceBytes: number;
}

/** Why a message was refused; also the `reason` label of `edgecontroller_hub_refused_messages_total`. */
export type EnvelopeRefusal = 'msg_id_too_long' | 'resource_too_long' | 'field_too_long';

/**
 * The verdict. `canReply` is true when the message's own `msg_id` is within its limit, so that an error
 * reply can name it as parent; the reply must then still carry none of the refused fields.
 */
export type EnvelopeVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: EnvelopeRefusal; readonly canReply: boolean };

const ok: EnvelopeVerdict = Object.freeze({ ok: true });

/** Checks one decoded message. Every other header or route string is held to `maxMsgIdBytes`. */
export function checkEnvelope(message: Message, limits: EnvelopeLimits): EnvelopeVerdict {
  const { header, route } = message;
  if (isLonger(header.msg_id, limits.maxMsgIdBytes))
    return { ok: false, reason: 'msg_id_too_long', canReply: false };
  const others = [
    header.parent_msg_id,
    header.resourceversion,
    header.type,
    route.source,
    route.destination,
    route.group,
    route.operation,
  ];
  if (others.some((value) => isLonger(value, limits.maxMsgIdBytes)))
    return { ok: false, reason: 'field_too_long', canReply: true };
  if (isLonger(route.resource, limits.maxResourceBytes))
    return { ok: false, reason: 'resource_too_long', canReply: true };
  return ok;
}

/**
 * The message to build an error reply from for a refused one: its `msg_id` kept (the edge matches the
 * reply by it), every other string dropped, so the reply is a few hundred bytes whatever was sent.
 */
export function replyableStub(message: Message): Message {
  return {
    header: { msg_id: message.header.msg_id, timestamp: message.header.timestamp },
    route: {},
    content: null,
  };
}

/** Whether a string is over `maxBytes` in UTF-8, without encoding it when its length already decides. */
function isLonger(value: string | undefined, maxBytes: number): boolean {
  if (value === undefined) return false;
  if (value.length > maxBytes) return true; // at least one byte per UTF-16 unit
  if (value.length * 3 <= maxBytes) return false; // at most three bytes per unit
  return Buffer.byteLength(value, 'utf8') > maxBytes;
}
