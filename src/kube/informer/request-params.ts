/**
 * The query strings of list and watch requests. Pure; the one place that spells the API's parameter
 * names, so a test can read them.
 * @module
 */

/** Label and field selectors, as the API server takes them (`node-role.kubernetes.io/edge`). */
export interface Selectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * The path of one list page. No `resourceVersion`: the first page is a consistent read of the latest
 * state, and the following pages continue that same snapshot through the `continue` token.
 */
export function listPath(
  path: string,
  page: Selectors & { readonly limit: number; readonly continueToken?: string },
): string {
  const query = new URLSearchParams();
  query.set('limit', String(page.limit));
  if (page.continueToken !== undefined) query.set('continue', page.continueToken);
  addSelectors(query, page);
  return `${path}?${query.toString()}`;
}

/**
 * The path of a watch from `resourceVersion` (events after it), with bookmarks so that the resume point
 * advances on quiet resources too, and a server-side timeout so that every watch ends in bounded time.
 */
export function watchPath(
  path: string,
  watch: Selectors & { readonly resourceVersion: string; readonly timeoutSeconds: number },
): string {
  const query = new URLSearchParams();
  query.set('watch', 'true');
  query.set('allowWatchBookmarks', 'true');
  query.set('resourceVersion', watch.resourceVersion);
  query.set('timeoutSeconds', String(watch.timeoutSeconds));
  addSelectors(query, watch);
  return `${path}?${query.toString()}`;
}

function addSelectors(query: URLSearchParams, selectors: Selectors): void {
  if (selectors.labelSelector !== undefined && selectors.labelSelector !== '')
    query.set('labelSelector', selectors.labelSelector);
  if (selectors.fieldSelector !== undefined && selectors.fieldSelector !== '')
    query.set('fieldSelector', selectors.fieldSelector);
}
