/**
 * The WebSocket codec: one KubeEdge message per frame, as JSON text (spec §1.2; KubeEdge's viaduct
 * no-pack lane, `pkg/viaduct/pkg/lane/wsnopack.go`). Kept apart from the socket (ws `receiver.js` beside
 * `websocket.js`): the hub reads a frame, calls {@link decodeFrame}, and maps a failure to a metric and,
 * past a threshold, a close code. Decoding never throws (STYLE.md rule 28).
 * @module
 */
import { z } from 'zod';
import type { MessageId } from './message-id.js';
import type { Message, MessageHeader, MessageRoute } from './message.js';

/** Why a frame was rejected. Also the `reason` label of the hub's frame-error metric. */
export type FrameErrorReason = 'too_large' | 'not_json' | 'bad_shape';

/** A rejected frame. `detail` names sizes or the failing field, never frame content. */
export interface FrameError {
  readonly reason: FrameErrorReason;
  readonly detail: string;
}

/** The outcome of {@link decodeFrame}. */
export type DecodeResult =
  { readonly ok: true; readonly message: Message } | { readonly ok: false; readonly error: FrameError };

/** Options of {@link decodeFrame}. */
export interface DecodeOptions {
  /**
   * Largest accepted frame, in bytes of UTF-8. Checked before parsing. KubeEdge has no limit on the
   * WebSocket (errata Part A omission 4); the hub's configured value applies. A positive integer.
   */
  readonly maxFrameBytes: number;
}

/**
 * Encodes a message as the JSON text of one WebSocket text frame. Keys come in Go's struct order; empty
 * optional fields are left out (Go `omitempty`); `content` is always present (`null` if undefined).
 * Gorilla's `WriteJSON` also appends `\n`; readers ignore it, so we do not.
 * Throws only if `content` cannot be serialized (a cycle or a BigInt), which is a broken invariant:
 * content comes from JSON or from Kubernetes objects.
 */
export function encodeMessage(message: Message): string {
  const { header, route } = message;
  return JSON.stringify({
    header: {
      msg_id: header.msg_id,
      ...nonEmpty('parent_msg_id', header.parent_msg_id),
      timestamp: header.timestamp,
      ...nonEmpty('resourceversion', header.resourceversion),
      ...(header.sync === true ? { sync: true } : {}),
      ...nonEmpty('type', header.type),
    },
    route: {
      ...nonEmpty('source', route.source),
      ...nonEmpty('destination', route.destination),
      ...nonEmpty('group', route.group),
      ...nonEmpty('operation', route.operation),
      ...nonEmpty('resource', route.resource),
    },
    content: message.content ?? null,
  });
}

// Go's encoding/json accepts `null` for any non-pointer field and leaves the zero value, so `null` in an
// optional field is read as absent. Required fields follow errata Part A omission 5 (strict header types)
// and go a little further: `msg_id` must be non-empty, because a reply to an empty id would carry an
// empty `parent_msg_id` and the edge would store it as a push. `route` must be an object (a real edge
// always sends one). Unknown keys are ignored, as in Go; Go's case-insensitive key matching is not copied.
const optionalString = z.string().nullish();
const envelopeSchema = z.object({
  header: z.object({
    msg_id: z.string().min(1),
    parent_msg_id: optionalString,
    timestamp: z.number().int(),
    resourceversion: optionalString,
    sync: z.boolean().nullish(),
    type: optionalString,
  }),
  route: z.object({
    source: optionalString,
    destination: optionalString,
    group: optionalString,
    operation: optionalString,
    resource: optionalString,
  }),
  content: z.unknown().optional(),
});

type Envelope = z.infer<typeof envelopeSchema>;

const utf8 = new TextDecoder('utf-8'); // stateless without `stream: true`; invalid bytes become U+FFFD, as in Go

/**
 * Decodes one WebSocket frame (text or binary: gorilla's `ReadJSON` accepts both). Never throws.
 * - `too_large`: more than `maxFrameBytes` bytes; decided before any parsing or copying.
 * - `not_json`: not valid JSON text (after UTF-8 decoding).
 * - `bad_shape`: valid JSON that is not a message envelope: `header.msg_id` a non-empty string,
 *   `header.timestamp` an integer, optional header/route fields of the right types, `route` an object.
 * `content` is not validated beyond being JSON; a missing `content` becomes `null`. Empty optional
 * strings and `sync:false` are dropped, so the result matches what Go would re-encode. The returned
 * message is a fresh object holding only known keys; `content` is JSON.parse output, so keys such as
 * `__proto__` in it are own data properties and never touch a prototype.
 */
export function decodeFrame(data: Uint8Array | string, options: DecodeOptions): DecodeResult {
  try {
    const tooLarge = checkSize(data, options.maxFrameBytes);
    if (tooLarge !== undefined) return { ok: false, error: tooLarge };
    const text = typeof data === 'string' ? data : utf8.decode(data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return fail('not_json', err instanceof Error ? err.name : 'unparsable JSON');
    }
    const result = envelopeSchema.safeParse(parsed);
    if (!result.success) return fail('bad_shape', describeIssue(result.error.issues[0]));
    return { ok: true, message: toMessage(result.data) };
  } catch (err) {
    // Nothing above should throw; this keeps the "never throws" promise if a runtime limit is hit
    // (for example a stack overflow on absurdly deep nesting).
    return fail('not_json', err instanceof Error ? err.name : 'decode failed');
  }
}

function checkSize(data: Uint8Array | string, maxFrameBytes: number): FrameError | undefined {
  if (typeof data !== 'string') {
    return data.byteLength > maxFrameBytes
      ? { reason: 'too_large', detail: `frame of ${data.byteLength} bytes exceeds ${maxFrameBytes}` }
      : undefined;
  }
  // Each UTF-16 code unit takes 1 to 3 UTF-8 bytes, so the exact count is needed only in between.
  if (data.length > maxFrameBytes) {
    return { reason: 'too_large', detail: `frame of over ${maxFrameBytes} bytes exceeds ${maxFrameBytes}` };
  }
  if (data.length * 3 <= maxFrameBytes) return undefined;
  const bytes = Buffer.byteLength(data, 'utf8');
  return bytes > maxFrameBytes
    ? { reason: 'too_large', detail: `frame of ${bytes} bytes exceeds ${maxFrameBytes}` }
    : undefined;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid message envelope';
  const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  return `${path}: ${issue.message}`;
}

function fail(reason: FrameErrorReason, detail: string): DecodeResult {
  return { ok: false, error: { reason, detail } };
}

function toMessage(envelope: Envelope): Message {
  const { header: h, route: r } = envelope;
  const header: MessageHeader = {
    msg_id: h.msg_id as MessageId,
    ...nonEmpty('parent_msg_id', h.parent_msg_id as MessageId | null | undefined),
    timestamp: h.timestamp,
    ...nonEmpty('resourceversion', h.resourceversion),
    ...(h.sync === true ? { sync: true } : {}),
    ...nonEmpty('type', h.type),
  };
  const route: MessageRoute = {
    ...nonEmpty('source', r.source),
    ...nonEmpty('destination', r.destination),
    ...nonEmpty('group', r.group),
    ...nonEmpty('operation', r.operation),
    ...nonEmpty('resource', r.resource),
  };
  return { header, route, content: envelope.content ?? null };
}

/** `{ [key]: value }` for a non-empty string, `{}` otherwise (Go `omitempty`). */
function nonEmpty<K extends string, V extends string>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null || value === '' ? {} : ({ [key]: value } as { [P in K]?: V });
}
