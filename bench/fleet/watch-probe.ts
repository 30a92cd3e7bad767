/**
 * When the API server's watch told of each `bench/seq` change of the fleet's pods: a second watcher beside
 * the controller's, in the bench process. The API server sends a watch event to every watcher of the
 * resource when the write is committed, so this time stands for when the controller's informer could
 * first have heard of it; it splits a change's time from write to edge into the API server's part (write →
 * watch event) and ours with the simulated edge's (watch event → edge stored). The bench process is
 * loaded too, so a late reading here makes the API's part look longer, never ours.
 * @module
 */
import type { KubeClient } from '../../src/kube/index.js';
import { LineSplitter } from '../../src/kube/informer/watch-lines.js';

/** A running probe: `seenAt` maps a `bench/seq` value to the first wall time (ms) a watch event carried it. */
export interface WatchProbe {
  readonly seenAt: ReadonlyMap<string, number>;
  stop(): void;
}

interface PodEvent {
  readonly object?: { readonly metadata?: { readonly annotations?: Record<string, string> } };
}

/** Starts watching the pods of `namespace` from now on. */
export async function startWatchProbe(admin: KubeClient, namespace: string): Promise<WatchProbe> {
  const list = await admin.request<{ metadata: { resourceVersion: string } }>({
    method: 'GET',
    path: `/api/v1/namespaces/${namespace}/pods?limit=1`,
  });
  const abort = new AbortController();
  const stream = await admin.openStream({
    path: `/api/v1/namespaces/${namespace}/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
    signal: abort.signal,
  });
  const seenAt = new Map<string, number>();
  const lines = new LineSplitter({ maxLineChars: 4 * 1048576 });
  void (async () => {
    try {
      for await (const chunk of stream) {
        const now = performance.timeOrigin + performance.now();
        for (const line of lines.push(chunk)) {
          const seq = (JSON.parse(line) as PodEvent).object?.metadata?.annotations?.['bench/seq'];
          if (seq !== undefined && !seenAt.has(seq)) seenAt.set(seq, now);
        }
      }
    } catch {
      // stopped, or the stream broke: the changes it missed have no reading
    }
  })();
  return {
    seenAt,
    stop: () => {
      abort.abort();
    },
  };
}
