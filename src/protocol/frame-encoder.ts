/**
 * The outbound frame encoder that serializes each content object once (issue 15 item 1). A ConfigMap
 * change received by N nodes is one `Message.content` object shared by N messages that differ only in
 * their header (`msg_id`, time); encoding each message whole cost one `JSON.stringify` of the content per
 * node (about 4.8 ms per node for 1 MiB). Here the content's JSON bytes are kept per content object (a
 * WeakMap: they live exactly as long as some queue still holds the content) and each frame is the node's
 * own header and route spliced around them: a copy, about a hundred times cheaper than a stringify.
 * Pushes of one ConfigMap or Secret version from different paths (a pod added per node, a repair) share
 * one content object for this to work (shared-content.ts).
 *
 * The frame is byte for byte what {@link encodeMessage} returns, as UTF-8 (codec.test.ts proves it on
 * varied messages). Pure: no I/O; the cache is the encoder's own state, one encoder per hub.
 *
 * Promised: a content object is serialized at most once per encoder, however many frames carry it.
 * Not promised: that a content object changed after its first encode is re-serialized. Content is
 * read-only by contract (`Message.content`, `PushSpec.content`); an object mutated in place would be
 * sent as it was at its first encode.
 * @module
 */
import { encodeMessage } from './codec.js';
import type { Message } from './message.js';

/** Options of {@link FrameEncoder}. */
export interface FrameEncoderOptions {
  /**
   * Called once per content object serialized (a cache miss), with the message that carried it first
   * and the size of the content's JSON in bytes. Scalar contents (strings, numbers, `null`) are written
   * inline and never reported: they are not shared and cost little.
   */
  readonly onContentEncoded?: (message: Message, bytes: number) => void;
}

/** `{"content":` — the length of the wrapper around the content's JSON (see {@link contentJson}). */
const contentKeyLength = '{"content":'.length;
const closingBrace = 0x7d; // `}`
/** How {@link encodeMessage} ends a message whose content is `null`. */
const nullTail = 'null}';

/** Encodes outbound frames, sharing each content object's serialization among all its frames. */
export class FrameEncoder {
  readonly #cache = new WeakMap<object, Buffer>();
  readonly #onContentEncoded: ((message: Message, bytes: number) => void) | undefined;

  constructor(options: FrameEncoderOptions = {}) {
    this.#onContentEncoded = options.onContentEncoded;
  }

  /**
   * The frame of `message` as UTF-8 bytes: exactly `Buffer.from(encodeMessage(message))`. Throws as
   * {@link encodeMessage} does, only for content that cannot be serialized (a cycle, a BigInt).
   */
  encode(message: Message): Buffer {
    const content = this.#contentBytes(message);
    // Content that JSON leaves out (a function, a symbol): the key goes too, as in encodeMessage.
    if (content === undefined) return Buffer.from(encodeMessage(message), 'utf8');
    // encodeMessage with `null` content ends in `"content":null}`: the node's own header and route, then
    // the shared bytes in place of `null`.
    const head = encodeMessage({ header: message.header, route: message.route, content: null });
    const prefix = head.slice(0, head.length - nullTail.length);
    const prefixBytes = Buffer.byteLength(prefix, 'utf8');
    const frame = Buffer.allocUnsafe(prefixBytes + content.length + 1);
    frame.write(prefix, 0, 'utf8');
    content.copy(frame, prefixBytes);
    frame[frame.length - 1] = closingBrace;
    return frame;
  }

  /** Bytes of `message`'s frame, without building it when its content is already encoded. */
  byteLength(message: Message): number {
    const content = this.#contentBytes(message);
    if (content === undefined) return Buffer.byteLength(encodeMessage(message), 'utf8');
    const head = encodeMessage({ header: message.header, route: message.route, content: null });
    return Buffer.byteLength(head, 'utf8') - nullTail.length + 1 + content.length;
  }

  /** The content's JSON bytes, from the cache for an object; `undefined` when JSON leaves it out. */
  #contentBytes(message: Message): Buffer | undefined {
    const content: unknown = message.content ?? null;
    if (typeof content !== 'object' || content === null) {
      const json = contentJson(content);
      return json === undefined ? undefined : Buffer.from(json, 'utf8');
    }
    const cached = this.#cache.get(content);
    if (cached !== undefined) return cached;
    const json = contentJson(content);
    if (json === undefined) return undefined;
    const bytes = Buffer.from(json, 'utf8');
    this.#cache.set(content, bytes);
    this.#onContentEncoded?.(message, bytes.length);
    return bytes;
  }
}

/**
 * The JSON of `content` as the value of key `content`, or `undefined` when JSON leaves the key out.
 * Stringified inside `{content}` rather than alone so that a `toJSON(key)` sees the same key as in
 * {@link encodeMessage}.
 */
function contentJson(content: unknown): string | undefined {
  const wrapped = JSON.stringify({ content });
  if (wrapped.length === 2) return undefined; // `{}`
  return wrapped.slice(contentKeyLength, -1);
}
