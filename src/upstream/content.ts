/**
 * Reading a request's `content` as KubeEdge's upstream controller does, but without throwing: a string
 * content is already-serialized JSON (beehive `GetContentData` returns its bytes), anything else is the
 * decoded JSON value itself. Every handler reads its content through here, then validates it with a zod
 * schema from schemas.ts; a failure becomes an `invalid` decision with a 400 reply, never an exception
 * (STYLE.md rules 20, 28).
 *
 * Source: kubeedge-wire.md §1.2; `kubeedge/kubeedge` v1.23.1
 * `staging/src/github.com/kubeedge/beehive/pkg/core/model/message.go` GetContentData.
 * @module
 */
import type { z } from 'zod';

/** A decoded JSON object (never an array or null). Values are not validated. */
export type JsonObject = { readonly [key: string]: unknown };

/** Whether `value` is a plain JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A read that either produced a value or explains, without echoing content, why not. */
export type ContentResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * The content as a JSON value: a string is parsed as JSON text (what Go's `json.Unmarshal(GetContentData())`
 * sees), anything else is returned as is. `null` stays `null`.
 */
export function contentJson(content: unknown): ContentResult<unknown> {
  if (typeof content !== 'string') return { ok: true, value: content ?? null };
  try {
    return { ok: true, value: JSON.parse(content) as unknown };
  } catch {
    return { ok: false, message: `content is a string of ${content.length} characters that is not JSON` };
  }
}

/**
 * The content as JSON text: a string as is (a patch travels as a JSON string, spec §4.2), anything else
 * serialized, as Go re-marshals non-string content.
 */
export function contentText(content: unknown): string {
  return typeof content === 'string' ? content : JSON.stringify(content ?? null);
}

/**
 * Reads `content` as JSON and validates it with `schema`. The message names at most three failing paths
 * and what was expected there, never the values (the reply goes back to the edge, and the worker may log
 * it; STYLE.md rule 33).
 */
export function parseContent<S extends z.ZodType>(
  schema: S,
  content: unknown,
  what: string,
): ContentResult<z.output<S>> {
  const json = contentJson(content);
  if (!json.ok) return { ok: false, message: `invalid ${what}: ${json.message}` };
  return parseValue(schema, json.value, what);
}

/** Validates an already-decoded value with `schema`; the message is built as in {@link parseContent}. */
export function parseValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): ContentResult<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
  const more = result.error.issues.length > 3 ? ` (+${result.error.issues.length - 3} more)` : '';
  return { ok: false, message: `invalid ${what}: ${issues.join('; ')}${more}` };
}

/**
 * Renames keys of `value` that match one of `keys` case-insensitively to that exact spelling, as Go's
 * `encoding/json` matches untagged struct fields (`PodStatusRequest{UID,Name,Status}`). An exact match
 * wins over a folded one. Non-objects are returned unchanged.
 */
export function foldKeys(value: unknown, keys: readonly string[]): unknown {
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const key of keys) {
    if (Object.hasOwn(value, key)) continue;
    const match = Object.keys(value).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    if (match === undefined) continue;
    out[key] = value[match];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- renaming a decoded JSON key
    delete out[match];
  }
  return out;
}
