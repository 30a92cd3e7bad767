/**
 * The watch half of list-watch: one watch request from a resourceVersion, read line by line until the
 * server ends it, it fails, or the watchdog finds it silent. Each decoded event goes to the caller in
 * order; the caller decides what the end means (resume, relist, back off). Shell: the socket is here,
 * the decoding is in watch-lines.ts.
 * @module
 */
import { httpFailure, toApiError } from '../api-errors.js';
import type { InformerClock, ListWatchClient } from './informer-options.js';
import type { KubeObject } from './object.js';
import { watchPath } from './request-params.js';
import type { Selectors } from './request-params.js';
import { LineSplitter, parseWatchLine } from './watch-lines.js';
import type { WatchEvent } from './watch-lines.js';

/** A watch event the caller applies (ERROR events are handled here). */
export type AppliedWatchEvent<T> = Exclude<WatchEvent<T>, { readonly type: 'ERROR' }>;

/** What {@link runWatch} needs. */
export interface WatchRequest<T> extends Selectors {
  readonly client: ListWatchClient;
  readonly path: string;
  /** Deliver events after this version. */
  readonly resourceVersion: string;
  readonly timeoutSeconds: number;
  /** End the watch with `watchdog` once nothing arrived for this long. */
  readonly watchdogMs: number;
  readonly maxLineChars: number;
  readonly stripManagedFields: boolean;
  readonly clock: InformerClock;
  readonly signal: AbortSignal;
  /** Receives every event in stream order; must not throw. */
  readonly onEvent: (event: AppliedWatchEvent<T>) => void;
  /** Called once per malformed or oversized line (skipped). */
  readonly onMalformed: () => void;
}

/** How a watch ended without failing. */
export interface WatchEnd {
  /**
   * `closed`: the server ended it (its timeout); `watchdog`: it was silent too long;
   * `gone`: an ERROR event said the resourceVersion is too old (410), so the caller must relist.
   */
  readonly reason: 'closed' | 'watchdog' | 'gone';
  /** Events delivered, bookmarks included. */
  readonly events: number;
}

/**
 * Runs one watch. Resolves with how it ended; throws the failure classified by {@link toApiError}
 * (HTTP 410 has action `relist`; a non-410 ERROR event is classified by its status code), or
 * `signal.reason` once `signal` aborts. The request is always closed when this settles.
 */
export async function runWatch<T extends KubeObject>(req: WatchRequest<T>): Promise<WatchEnd> {
  req.signal.throwIfAborted();
  const controller = new AbortController();
  const abort = (): void => {
    controller.abort(req.signal.reason);
  };
  req.signal.addEventListener('abort', abort, { once: true });
  let lastActivityMs = req.clock.now();
  const watchdogState = { isIdle: false };
  // The watchdog sleeps until the idle deadline, then re-checks: activity since only moves it later.
  const watchdog = (async () => {
    for (;;) {
      const idleMs = req.clock.now() - lastActivityMs;
      if (idleMs >= req.watchdogMs) {
        watchdogState.isIdle = true;
        controller.abort(new Error(`watch silent for ${String(req.watchdogMs)} ms`));
        return;
      }
      await req.clock.sleep(req.watchdogMs - idleMs, controller.signal);
    }
  })().catch(() => undefined);

  const shaping = { stripManagedFields: req.stripManagedFields };
  let events = 0;
  const handle = (line: string): 'gone' | undefined => {
    const parsed = parseWatchLine<T>(line, shaping);
    if (!parsed.ok) {
      req.onMalformed();
      return undefined;
    }
    const event = parsed.event;
    if (event === undefined) return undefined;
    if (event.type === 'ERROR') {
      const failure = toApiError(httpFailure(event.status.code ?? 500, JSON.stringify(event.status)), {
        verb: 'WATCH',
        resource: req.path,
      });
      if (failure.action === 'relist') return 'gone';
      throw failure;
    }
    events += 1;
    req.onEvent(event);
    return undefined;
  };

  try {
    const path = watchPath(req.path, {
      resourceVersion: req.resourceVersion,
      timeoutSeconds: req.timeoutSeconds,
      ...(req.labelSelector !== undefined ? { labelSelector: req.labelSelector } : {}),
      ...(req.fieldSelector !== undefined ? { fieldSelector: req.fieldSelector } : {}),
    });
    const body = await req.client.openStream({ path, signal: controller.signal });
    lastActivityMs = req.clock.now();
    const splitter = new LineSplitter({ maxLineChars: req.maxLineChars });
    let oversized = 0;
    for await (const chunk of body) {
      lastActivityMs = req.clock.now();
      for (const line of splitter.push(chunk)) if (handle(line) === 'gone') return { reason: 'gone', events };
      for (; oversized < splitter.oversized; oversized += 1) req.onMalformed();
    }
    for (const line of splitter.end()) if (handle(line) === 'gone') return { reason: 'gone', events };
    return { reason: 'closed', events };
  } catch (err) {
    if (watchdogState.isIdle) return { reason: 'watchdog', events };
    if (req.signal.aborted) throw req.signal.reason;
    throw toApiError(err, { verb: 'WATCH', resource: req.path });
  } finally {
    controller.abort();
    req.signal.removeEventListener('abort', abort);
    await watchdog;
  }
}
