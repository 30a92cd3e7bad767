/**
 * The watch wire format: the API server streams one JSON watch event per line
 * (`{"type":"ADDED","object":{...}}`). {@link LineSplitter} cuts a byte stream into lines whatever the
 * chunk boundaries (inside a UTF-8 sequence too); {@link parseWatchLine} turns one line into a typed
 * event or a reason to skip it. Pure: the worker reads the socket, these decide.
 * @module
 */
import { isRecord, toKubeObject } from './object.js';
import type { KubeObject, ObjectShaping } from './object.js';

/** The `Status` carried by a watch ERROR event (code 410 means "relist"). */
export interface WatchStatus {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** One decoded watch event. BOOKMARK carries only a resourceVersion. */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T; readonly resourceVersion: string }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string }
  | { readonly type: 'ERROR'; readonly status: WatchStatus };

/** The outcome of {@link parseWatchLine}: an event, an empty line to ignore, or a malformed line. */
export type WatchLineResult<T> =
  | { readonly ok: true; readonly event: WatchEvent<T> }
  | { readonly ok: true; readonly event: undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes one line. A line that is not JSON, has an unknown `type`, or an object without the fields the
 * informer needs is `{ ok: false }`: the caller counts and skips it (one bad line does not end a watch).
 * Objects are shaped by {@link toKubeObject} (managedFields stripped if asked).
 */
export function parseWatchLine<T extends KubeObject>(
  line: string,
  shaping: ObjectShaping,
): WatchLineResult<T> {
  if (line.trim() === '') return { ok: true, event: undefined };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(value) || !isRecord(value['object'])) return { ok: false, reason: 'no object' };
  const type = value['type'];
  const raw = value['object'];
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED': {
      const object = toKubeObject(raw, shaping) as T | undefined;
      const resourceVersion = object?.metadata.resourceVersion;
      if (object === undefined || resourceVersion === undefined) return { ok: false, reason: 'bad object' };
      return { ok: true, event: { type, object, resourceVersion } };
    }
    case 'BOOKMARK': {
      const metadata = raw['metadata'];
      const resourceVersion = isRecord(metadata) ? metadata['resourceVersion'] : undefined;
      if (typeof resourceVersion !== 'string') return { ok: false, reason: 'bad bookmark' };
      return { ok: true, event: { type, resourceVersion } };
    }
    case 'ERROR': {
      const { code, reason, message } = raw;
      const status: WatchStatus = {
        ...(typeof code === 'number' ? { code } : {}),
        ...(typeof reason === 'string' ? { reason } : {}),
        ...(typeof message === 'string' ? { message } : {}),
      };
      return { ok: true, event: { type, status } };
    }
    default:
      return { ok: false, reason: 'unknown type' };
  }
}

/**
 * Splits a stream of chunks into lines. A line longer than `maxLineChars` is dropped up to its newline
 * and counted in `oversized` (no API object is that large; etcd caps objects at 1.5 MiB), so a broken
 * server cannot grow the buffer without bound.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder();
  readonly #maxLineChars: number;
  #partial = '';
  #skipping = false;
  #oversized = 0;

  constructor(options: { readonly maxLineChars: number }) {
    this.#maxLineChars = options.maxLineChars;
  }

  /** Lines dropped for being too long, so far. */
  get oversized(): number {
    return this.#oversized;
  }

  /** Feeds one chunk and returns the lines it completed (without their `\n`). */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (this.#skipping) this.#skipping = false;
      else {
        const line = this.#partial + text.slice(start, nl);
        if (line.length > this.#maxLineChars) this.#oversized += 1;
        else lines.push(line);
      }
      this.#partial = '';
      start = nl + 1;
    }
    if (!this.#skipping) this.#partial += text.slice(start);
    if (this.#partial.length > this.#maxLineChars) {
      this.#partial = '';
      this.#skipping = true;
      this.#oversized += 1;
    }
    return lines;
  }

  /** Ends the stream: returns the last line if it had no trailing newline. */
  end(): string[] {
    const rest = this.#skipping ? '' : this.#partial + this.#decoder.decode();
    this.#partial = '';
    this.#skipping = false;
    return rest === '' ? [] : [rest];
  }
}
