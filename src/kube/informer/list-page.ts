/**
 * One page of a paginated list (`GET <path>?limit=N&continue=...`), checked and shaped. List items come
 * without `kind` and `apiVersion`; they are filled in from the list (`ConfigMapList` → `ConfigMap`) so
 * that objects from a list and from a watch have the same shape. Pure.
 * @module
 */
import { isRecord, toKubeObject } from './object.js';
import type { KubeObject } from './object.js';

/** A checked list page. `skipped` counts items without a usable `metadata` (dropped, not cached). */
export type ListPageResult<T> =
  | {
      readonly ok: true;
      readonly items: T[];
      readonly resourceVersion: string;
      /** The token for the next page; absent on the last page. */
      readonly continueToken?: string;
      readonly skipped: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Checks a parsed list response and shapes its items in place (they belong to the caller). */
export function parseListPage<T extends KubeObject>(
  body: unknown,
  options: { readonly stripManagedFields: boolean },
): ListPageResult<T> {
  if (!isRecord(body) || !Array.isArray(body['items'])) return { ok: false, reason: 'no items array' };
  const metadata = body['metadata'];
  const resourceVersion = isRecord(metadata) ? metadata['resourceVersion'] : undefined;
  if (typeof resourceVersion !== 'string' || resourceVersion === '')
    return { ok: false, reason: 'no list resourceVersion' };
  const token = isRecord(metadata) ? metadata['continue'] : undefined;
  const listKind = body['kind'];
  const kind = typeof listKind === 'string' && listKind.endsWith('List') ? listKind.slice(0, -4) : undefined;
  const apiVersion = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : undefined;
  const shaping = {
    stripManagedFields: options.stripManagedFields,
    ...(kind !== undefined && kind !== '' ? { kind } : {}),
    ...(apiVersion !== undefined ? { apiVersion } : {}),
  };
  const items: T[] = [];
  let skipped = 0;
  for (const raw of body['items'] as unknown[]) {
    const object = toKubeObject(raw, shaping) as T | undefined;
    if (object === undefined) skipped += 1;
    else items.push(object);
  }
  return {
    ok: true,
    items,
    resourceVersion,
    ...(typeof token === 'string' && token !== '' ? { continueToken: token } : {}),
    skipped,
  };
}
