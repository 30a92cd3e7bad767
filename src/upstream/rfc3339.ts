/**
 * Kubernetes timestamps (`metav1.Time`): RFC 3339 text, serialized by the API server in UTC with
 * second precision. The legacy status handlers normalize what the edge reports to that form, as
 * KubeEdge's `normalizePodStatus` does with `Rfc3339Copy` (truncation, not rounding), and stamp
 * condition times with the caller's `now`.
 *
 * Source: kubeedge-wire.md §4.4 step 5; `k8s.io/apimachinery/pkg/apis/meta/v1/time.go`.
 * @module
 */

// Go's time.Parse(time.RFC3339, …), which metav1.Time.UnmarshalJSON uses: a 4-digit year, `T`, optional
// fractional seconds, `Z` or a ±hh:mm offset.
const rfc3339Pattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant of an RFC 3339 timestamp in ms since the epoch, fractional seconds dropped, or `undefined`
 * if the text is not RFC 3339 or names an impossible date.
 */
export function parseRfc3339(text: string): number | undefined {
  const match = rfc3339Pattern.exec(text);
  if (match === null) return undefined;
  const [, seconds = '', , zone = ''] = match;
  const ms = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls over some impossible dates (e.g. Feb 30); Go rejects them. Compare the date part.
  const local = zone === 'Z' ? ms : ms + offsetMs(zone);
  return new Date(local).toISOString().startsWith(seconds.slice(0, 10)) ? ms : undefined;
}

/** Whether `text` is an RFC 3339 timestamp Go's `metav1.Time` accepts. */
export function isRfc3339(text: string): boolean {
  return parseRfc3339(text) !== undefined;
}

/** Formats ms since the epoch as the API server does: UTC, whole seconds, `Z` (`2024-11-23T22:13:21Z`). */
export function formatRfc3339(ms: number): string {
  const seconds = Math.floor(ms / 1000) * 1000;
  return new Date(seconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `Rfc3339Copy`: the same instant in UTC with fractional seconds truncated. `null` and `undefined` (Go's
 * zero time) are returned unchanged, as is text that is not RFC 3339 (schemas reject it first).
 */
export function normalizeRfc3339<T extends string | null | undefined>(value: T): T | string {
  if (typeof value !== 'string') return value;
  const ms = parseRfc3339(value);
  return ms === undefined ? value : formatRfc3339(ms);
}

function offsetMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return sign * (hours * 60 + minutes) * 60_000;
}

/**
 * Formats ms since the epoch as a `metav1.MicroTime` (a Lease's `renewTime`): UTC, six fractional digits,
 * `Z` (`2024-11-23T22:13:21.123000Z`), the form the API server itself writes.
 */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
