/**
 * The list half of list-watch: reads a whole collection page by page (`limit` + `continue`), so that no
 * single response body holds 100,000 pods (~300 MB of JSON, past V8's largest string at ~140k pods).
 * All pages are one consistent snapshot at the returned resourceVersion, which the watch resumes from.
 * Shell: it does the requests; list-page.ts checks each reply.
 * @module
 */
import { toApiError } from '../api-errors.js';
import { InformerError } from './informer-error.js';
import { parseListPage } from './list-page.js';
import type { ListWatchClient } from './informer-options.js';
import type { KubeObject } from './object.js';
import { listPath } from './request-params.js';
import type { Selectors } from './request-params.js';

/** What {@link listAll} needs. */
export interface ListRequest extends Selectors {
  readonly client: ListWatchClient;
  readonly path: string;
  readonly pageSize: number;
  readonly stripManagedFields: boolean;
  /** Restarts from page one allowed when a `continue` token expires (410) mid-list. */
  readonly maxListRestarts: number;
  readonly signal: AbortSignal;
}

/** A complete list. */
export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
  readonly pages: number;
  /** Items dropped for lacking usable metadata. */
  readonly skipped: number;
  /** Times the list started over after its `continue` token expired. */
  readonly restarts: number;
}

/**
 * Lists every object. Throws the API failure classified by {@link toApiError} (a 410 on page one, or
 * after `maxListRestarts` restarts, has action `relist`), or {@link InformerError}
 * `EC_INFORMER_MALFORMED_LIST` for a reply that is not a list.
 */
export async function listAll<T extends KubeObject>(req: ListRequest): Promise<ListResult<T>> {
  let restarts = 0;
  for (;;) {
    try {
      return { ...(await listOnce<T>(req)), restarts };
    } catch (err) {
      // A continue token is only valid while etcd still holds its revision (about 5 min, compaction).
      // On expiry the snapshot is lost; start over rather than mix two snapshots.
      if (!(err instanceof ExpiredContinue) || restarts >= req.maxListRestarts) {
        throw err instanceof ExpiredContinue ? err.apiError : err;
      }
      restarts += 1;
    }
  }
}

class ExpiredContinue extends Error {
  constructor(readonly apiError: Error) {
    super('continue token expired', { cause: apiError });
  }
}

async function listOnce<T extends KubeObject>(req: ListRequest): Promise<Omit<ListResult<T>, 'restarts'>> {
  const items: T[] = [];
  let continueToken: string | undefined;
  let resourceVersion = '';
  let pages = 0;
  let skipped = 0;
  do {
    const path = listPath(req.path, {
      limit: req.pageSize,
      ...(continueToken !== undefined ? { continueToken } : {}),
      ...(req.labelSelector !== undefined ? { labelSelector: req.labelSelector } : {}),
      ...(req.fieldSelector !== undefined ? { fieldSelector: req.fieldSelector } : {}),
    });
    let body: unknown;
    try {
      body = await req.client.request<unknown>({ method: 'GET', path, signal: req.signal });
    } catch (err) {
      const apiError = toApiError(err, { verb: 'LIST', resource: req.path });
      if (apiError.action === 'relist' && continueToken !== undefined) throw new ExpiredContinue(apiError);
      throw apiError;
    }
    const page = parseListPage<T>(body, { stripManagedFields: req.stripManagedFields });
    if (!page.ok) {
      throw new InformerError('EC_INFORMER_MALFORMED_LIST', `LIST ${req.path}: ${page.reason}`);
    }
    pages += 1;
    skipped += page.skipped;
    for (const item of page.items) items.push(item);
    // Every page reports the snapshot's resourceVersion; the first page's is the one that counts.
    if (resourceVersion === '') resourceVersion = page.resourceVersion;
    continueToken = page.continueToken;
  } while (continueToken !== undefined);
  return { items, resourceVersion, pages, skipped };
}
