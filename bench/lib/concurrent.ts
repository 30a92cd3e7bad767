/**
 * Runs a task per item with at most `limit` in flight: how the benches create 100,000 pods or 300,000
 * records quickly without more requests at once than the API server's in-flight limit takes.
 * @module
 */

/** Calls `task` for every item, `limit` at a time; rejects with the first failure after all settled. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
  onProgress?: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        await task(items[i] as T, i);
      } catch (err) {
        failure ??= err;
      }
      done += 1;
      if (onProgress !== undefined && done % 5000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('a task failed', { cause: failure });
}
