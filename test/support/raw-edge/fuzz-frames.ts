/**
 * Seeded fuzz frames: random mutations of valid KubeEdge frames (wrong types, odd lengths, unicode and
 * invalid UTF-8, deep nesting, huge numbers, missing fields, extra keys, byte-level damage, binary
 * frames). The same seed gives the same frames, so a failure reproduces from the seed the run printed.
 * @module
 */
import { prng } from '../prng.js';

/** One fuzz frame and what it was made by. */
export interface FuzzFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
  /** The mutation that made it (for the report). */
  readonly kind: string;
  /**
   * Whether the frame still parses as a message envelope (JSON object with a non-empty string msg_id,
   * an integer timestamp and a route object). A hub counts the others as malformed and disconnects a
   * peer that sends too many of them, so the fuzz driver changes connection before that.
   */
  readonly envelope: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const operations = [
  'insert',
  'update',
  'delete',
  'query',
  'patch',
  'response',
  'error',
  'keepalive',
  'upload',
  'ping',
  'config',
  'connect',
  'UpdateNodeActionStatus',
  '',
];
const types = [
  'pod',
  'podlist',
  'podstatus',
  'podpatch',
  'configmap',
  'secret',
  'serviceaccounttoken',
  'node',
  'nodestatus',
  'nodepatch',
  'event',
  'lease',
  'certificatesigningrequest',
  'persistentvolume',
  'persistentvolumeclaim',
  'volumeattachment',
  'volume',
  'rule',
  'twin',
  'membership',
];
const sources = [
  'edged',
  'websocket',
  'metamanager',
  'edgecontroller',
  'cloudhub',
  'metaserver',
  'twin',
  'router_eventbus',
  '',
];
const groups = ['meta', 'resource', 'user', 'twin', 'func', 'taskmanager', ''];
const weirdStrings = [
  '',
  ' ',
  'null',
  '..',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '😀',
  'ⅈ',
  'a/b/c/d/e/f',
  '/',
  '//',
  '\\',
  '"',
  '{',
  '__proto__',
  'constructor',
  'kube-system',
  'system:node:other',
];

/** A generator of fuzz frames for one edge (its own node name goes into some resources). */
export class FuzzFrames {
  readonly #random: () => number;
  readonly #node: string;

  constructor(seed: number, nodeName: string) {
    this.#random = prng(seed);
    this.#node = nodeName;
  }

  /** The next frame. */
  next(): FuzzFrame {
    const base = this.#valid();
    const roll = this.#random();
    if (roll < 0.05) return this.#frame(base, 'valid');
    if (roll < 0.35) return this.#frame(this.#mutateStructure(base), 'structure');
    if (roll < 0.5) return this.#frame(this.#mutateContent(base), 'content');
    if (roll < 0.6) return this.#textDamage(JSON.stringify(base));
    if (roll < 0.7) return this.#binary(JSON.stringify(base));
    if (roll < 0.78) return this.#deepNesting();
    if (roll < 0.86) return this.#hugeNumbers(base);
    if (roll < 0.93) return this.#unicode(base);
    return this.#frame(this.#longFields(base), 'long');
  }

  #frame(message: Json, kind: string): FuzzFrame {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch {
      text = '{}';
    }
    return { data: text, binary: this.#random() < 0.1, kind, envelope: isEnvelope(message) };
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T;
  }

  #int(max: number): number {
    return Math.floor(this.#random() * max);
  }

  #id(): string {
    const hex = (n: number): string =>
      Array.from({ length: n }, () => '0123456789abcdef'[this.#int(16)] ?? '0').join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  }

  /** A frame a real edge could send. */
  #valid(): { [key: string]: Json } {
    const type = this.#pick(types);
    const ns = this.#pick(['default', 'null', 'kube-node-lease', 'kube-system', 'fuzz']);
    const name =
      this.#random() < 0.5 ? this.#node : `${this.#pick(['p', 'cm', 's', 'other'])}-${String(this.#int(20))}`;
    const resource =
      this.#random() < 0.1 ? 'k8s/ca.crt' : `${ns}/${type}${this.#random() < 0.9 ? `/${name}` : ''}`;
    const header: { [key: string]: Json } = { msg_id: this.#id(), timestamp: Date.now() };
    if (this.#random() < 0.3) header['parent_msg_id'] = this.#id();
    if (this.#random() < 0.2) header['resourceversion'] = String(this.#int(1e6));
    const content = this.#content(type, name);
    return {
      header,
      route: {
        source: this.#pick(sources),
        group: this.#pick(groups),
        operation: this.#pick(operations),
        resource,
      },
      content,
    };
  }

  #content(type: string, name: string): Json {
    switch (this.#int(6)) {
      case 0:
        return null;
      case 1:
        return this.#pick(['OK', 'ping', '{}', '{"status":{"phase":"Running"}}', '']);
      case 2:
        return {
          metadata: { name, namespace: 'default', uid: this.#id(), labels: { a: 'b' } },
          spec: { nodeName: this.#random() < 0.5 ? this.#node : 'other', holderIdentity: name },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        };
      case 3:
        return [{ UID: this.#id(), Name: name, Status: { phase: 'Running' } }];
      case 4:
        return { Object: { kind: type }, Err: null };
      default:
        return { event: { metadata: { name: `${name}.${String(this.#int(1e9))}` } }, patchData: '{}' };
    }
  }

  #randomValue(depth = 0): Json {
    switch (this.#int(depth > 3 ? 5 : 7)) {
      case 0:
        return null;
      case 1:
        return this.#random() < 0.5;
      case 2:
        return this.#pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE]);
      case 3:
        return this.#pick(weirdStrings);
      case 4:
        return this.#id();
      case 5:
        return Array.from({ length: this.#int(4) }, () => this.#randomValue(depth + 1));
      default: {
        const out: { [key: string]: Json } = {};
        for (let i = this.#int(4); i > 0; i--)
          out[this.#pick([...weirdStrings, 'kind', 'metadata'])] = this.#randomValue(depth + 1);
        return out;
      }
    }
  }

  /** Removes, retypes or adds fields of the header, route or envelope. */
  #mutateStructure(message: { [key: string]: Json }): Json {
    const out = structuredClone(message);
    for (let n = 1 + this.#int(3); n > 0; n--) {
      const part = this.#pick(['header', 'route', 'root']);
      const target = part === 'root' ? out : out[part];
      if (typeof target !== 'object' || target === null || Array.isArray(target)) continue;
      const keys = Object.keys(target);
      const key = this.#random() < 0.8 && keys.length > 0 ? this.#pick(keys) : this.#pick(weirdStrings);
      if (this.#random() < 0.4) Reflect.deleteProperty(target, key);
      else target[key] = this.#randomValue();
    }
    if (this.#random() < 0.05) return this.#randomValue();
    return out;
  }

  #mutateContent(message: { [key: string]: Json }): Json {
    return { ...message, content: this.#randomValue() };
  }

  /** Damages the JSON text: truncation, a flipped or inserted character, a duplicated slice. */
  #textDamage(text: string): FuzzFrame {
    const at = this.#int(text.length);
    let damaged: string;
    switch (this.#int(4)) {
      case 0:
        damaged = text.slice(0, at);
        break;
      case 1:
        damaged = text.slice(0, at) + String.fromCharCode(this.#int(0x80)) + text.slice(at + 1);
        break;
      case 2:
        damaged = text.slice(0, at) + text.slice(this.#int(text.length)) + text.slice(at);
        break;
      default:
        damaged = text + this.#pick(['', ' ', '\n', 'x', '}', ',{}', '\u0000']);
    }
    return { data: damaged, binary: false, kind: 'text-damage', envelope: parsesAsEnvelope(damaged) };
  }

  /** A binary frame: the JSON as bytes with some of them replaced (invalid UTF-8), or random bytes. */
  #binary(text: string): FuzzFrame {
    const bytes = this.#random() < 0.3 ? Buffer.alloc(this.#int(512)) : Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i++)
      if (this.#random() < 0.02 || bytes.length < 512) bytes[i] = this.#int(256);
    return { data: bytes, binary: true, kind: 'binary', envelope: false };
  }

  /** Arrays or objects nested thousands deep, in the content or as the whole frame. */
  #deepNesting(): FuzzFrame {
    const depth = this.#pick([100, 1_000, 10_000, 100_000]);
    const asObject = this.#random() < 0.5;
    const open = asObject ? '{"a":' : '[';
    const close = asObject ? '}' : ']';
    const inner = open.repeat(depth) + '1' + close.repeat(depth);
    const whole = this.#random() < 0.5;
    const data = whole
      ? inner
      : `{"header":{"msg_id":"${this.#id()}","timestamp":${String(Date.now())}},"route":{"source":"edged","group":"meta","operation":"update","resource":"default/podstatus/${this.#node}"},"content":${inner}}`;
    return { data, binary: false, kind: 'deep-nesting', envelope: !whole };
  }

  #hugeNumbers(message: { [key: string]: Json }): FuzzFrame {
    const number = this.#pick([
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '0.0000000000000000000001',
      '-0',
      '9007199254740993',
      '1' + '0'.repeat(400),
    ]);
    const text = JSON.stringify(message);
    const field = this.#pick(['timestamp', 'msg_id', 'content']);
    const replaced =
      field === 'timestamp'
        ? text.replace(/"timestamp":\d+/, `"timestamp":${number}`)
        : field === 'msg_id'
          ? text.replace(/"msg_id":"[^"]*"/, `"msg_id":${number}`)
          : text.replace(/"content":.*}$/, `"content":${number}}`);
    return { data: replaced, binary: false, kind: 'huge-number', envelope: parsesAsEnvelope(replaced) };
  }

  #unicode(message: { [key: string]: Json }): FuzzFrame {
    const odd = Array.from({ length: 1 + this.#int(64) }, () =>
      this.#random() < 0.5 ? this.#pick(weirdStrings) : String.fromCodePoint(this.#int(0x10ffff)),
    ).join('');
    const out = structuredClone(message);
    const route = out['route'] as { [key: string]: Json };
    const where = this.#pick(['resource', 'operation', 'source', 'msg_id', 'content']);
    if (where === 'msg_id') (out['header'] as { [key: string]: Json })['msg_id'] = odd;
    else if (where === 'content') out['content'] = { metadata: { name: odd } };
    else route[where] = where === 'resource' ? `default/pod/${odd}` : odd;
    // JSON.stringify escapes lone surrogates; write some raw so the frame itself is not valid UTF-8.
    return { ...this.#frame(out, 'unicode'), binary: this.#random() < 0.2 };
  }

  /** Long msg_id, resource or content (up to 64 KiB; rarely 1 MiB). */
  #longFields(message: { [key: string]: Json }): Json {
    const out = structuredClone(message);
    const size = this.#random() < 0.002 ? 1024 * 1024 : 128 + this.#int(64 * 1024);
    const long = 'x'.repeat(size);
    const route = out['route'] as { [key: string]: Json };
    switch (this.#int(4)) {
      case 0:
        (out['header'] as { [key: string]: Json })['msg_id'] = long;
        break;
      case 1:
        route['resource'] = `default/pod/${long}`;
        break;
      case 2:
        (out['header'] as { [key: string]: Json })['parent_msg_id'] = long;
        break;
      default:
        out['content'] = long;
    }
    return out;
  }
}

function parsesAsEnvelope(text: string): boolean {
  try {
    return isEnvelope(JSON.parse(text) as Json);
  } catch {
    return false;
  }
}

/** Whether `value` is what a KubeEdge hub parses as a message envelope (see {@link FuzzFrame.envelope}). */
export function isEnvelope(value: Json): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const header = value['header'];
  const route = value['route'];
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return false;
  if (typeof route !== 'object' || route === null || Array.isArray(route)) return false;
  const id = header['msg_id'];
  const ts = header['timestamp'];
  if (typeof id !== 'string' || id === '' || typeof ts !== 'number' || !Number.isInteger(ts)) return false;
  // Issue 12's envelope limits: a msg_id over 128 bytes (and other header strings) or a resource over
  // 1 KiB is refused like a malformed frame.
  if (Buffer.byteLength(id) > 128) return false;
  if (typeof route['resource'] === 'string' && Buffer.byteLength(route['resource']) > 1024) return false;
  if (
    ['parent_msg_id', 'resourceversion', 'type'].some(
      (k) => typeof header[k] === 'string' && Buffer.byteLength(header[k]) > 128,
    )
  )
    return false;
  if (
    ['source', 'destination', 'group', 'operation'].some(
      (k) => typeof route[k] === 'string' && Buffer.byteLength(route[k]) > 128,
    )
  )
    return false;
  const optionalString = (v: Json | undefined): boolean =>
    v === undefined || v === null || typeof v === 'string';
  if (!['parent_msg_id', 'resourceversion', 'type'].every((k) => optionalString(header[k]))) return false;
  if (!(header['sync'] === undefined || header['sync'] === null || typeof header['sync'] === 'boolean'))
    return false;
  return ['source', 'destination', 'group', 'operation', 'resource'].every((k) => optionalString(route[k]));
}
