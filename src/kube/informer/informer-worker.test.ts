/**
 * The informer loop against a scripted {@link ListWatchClient} and a stepped clock: the paths that a
 * real API server produces only rarely (410 on a watch or mid-list, silent connections, failures in a
 * row, handlers that throw). The happy path and restarts run against a real API server in
 * test/integration/informer.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isEdgeControllerError } from '../../errors/index.js';
import { httpFailure, toApiError } from '../api-errors.js';
import type { RawRequest, StreamRequest } from '../client.js';
import { indexPodsByNodeName } from './indexes.js';
import type { PodPlacement } from './indexes.js';
import { Informer } from './informer-worker.js';
import { objectKey } from './object.js';
import type {
  InformerClock,
  InformerOptions,
  ListWatchClient,
  WatchRestartReason,
} from './informer-options.js';
import type { InformerEvent } from './store.js';

/** Time that moves only when the test says so. */
class SteppedClock implements InformerClock {
  #nowMs = 0;
  #sleepers: { atMs: number; resolve: () => void }[] = [];

  now(): number {
    return this.#nowMs;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const sleeper = { atMs: this.#nowMs + ms, resolve };
      this.#sleepers.push(sleeper);
      signal.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal.reason as Error);
      });
    });
  }

  /** Durations of the pending sleeps, shortest first. */
  get pendingMs(): number[] {
    return this.#sleepers.map((s) => s.atMs - this.#nowMs).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    this.#nowMs += ms;
    const due = this.#sleepers.filter((s) => s.atMs <= this.#nowMs);
    this.#sleepers = this.#sleepers.filter((s) => s.atMs > this.#nowMs);
    for (const s of due) s.resolve();
  }
}

/** One open watch: the test writes lines into it, ends it or breaks it. */
class ScriptedWatch implements AsyncIterable<Uint8Array> {
  readonly query: URLSearchParams;
  #queue: (string | Error | null)[] = [];
  #wake: (() => void) | undefined;
  isClosed = false;

  constructor(path: string, signal: AbortSignal) {
    this.query = new URL(path, 'https://api').searchParams;
    signal.addEventListener('abort', () => {
      this.isClosed = true;
      this.#put(new Error('aborted'));
    });
  }

  send(event: object | string): void {
    this.#put(`${typeof event === 'string' ? event : JSON.stringify(event)}\n`);
  }
  end(): void {
    this.#put(null);
  }
  fail(err: Error): void {
    this.#put(err);
  }

  #put(item: string | Error | null): void {
    this.#queue.push(item);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      while (this.#queue.length === 0) await new Promise<void>((r) => (this.#wake = r));
      const item = this.#queue.shift();
      if (item === null || item === undefined) return;
      if (typeof item !== 'string') throw item;
      yield new TextEncoder().encode(item);
    }
  }
}

type ListReply = (query: URLSearchParams) => unknown;

/** A scripted API: list replies are taken in order; each watch is handed to the test. */
class ScriptedApi implements ListWatchClient {
  readonly listQueries: URLSearchParams[] = [];
  readonly watches: ScriptedWatch[] = [];
  listReplies: ListReply[] = [];
  watchFailures: Error[] = [];

  request<T>(req: RawRequest): Promise<T> {
    const query = new URL(req.path, 'https://api').searchParams;
    this.listQueries.push(query);
    const reply = this.listReplies.shift();
    if (reply === undefined) return Promise.reject(apiFailure(503));
    try {
      return Promise.resolve(reply(query) as T);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  openStream(req: StreamRequest): Promise<AsyncIterable<Uint8Array>> {
    const failure = this.watchFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const watch = new ScriptedWatch(req.path, req.signal);
    this.watches.push(watch);
    return Promise.resolve(watch);
  }
}

function apiFailure(status: number): Error {
  return toApiError(httpFailure(status, JSON.stringify({ kind: 'Status', code: status })), {
    verb: 'GET',
    resource: '/api/v1/pods',
  });
}

const pod = (name: string, rv: string, nodeName?: string): PodPlacement => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  ...(nodeName !== undefined ? { spec: { nodeName } } : {}),
});

const list =
  (rv: string, items: PodPlacement[], continueToken?: string): ListReply =>
  () => ({
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: rv, continue: continueToken },
    items,
  });

/** Lets the informer's promises run until `condition` holds (no time passes). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (condition()) return;
    await nextTurn();
  }
  assert.fail(`never happened: ${what}`);
}

function harness(options: Partial<InformerOptions<PodPlacement>> = {}) {
  const api = new ScriptedApi();
  const clock = new SteppedClock();
  const events: string[] = [];
  const restarts: WatchRestartReason[] = [];
  const counts = { handlerErrors: 0, malformed: 0, lists: [] as { items: number; pages: number }[] };
  const informer = new Informer<PodPlacement>({
    client: api,
    path: '/api/v1/pods',
    name: 'pods',
    clock,
    random: () => 0.5,
    pageSize: 2,
    indexes: { byNode: indexPodsByNodeName },
    observer: {
      onWatchRestart: (_name, reason) => restarts.push(reason),
      onHandlerError: () => (counts.handlerErrors += 1),
      onMalformed: () => (counts.malformed += 1),
      onList: (_name, l) => counts.lists.push({ items: l.items, pages: l.pages }),
    },
    ...options,
  });
  informer.onEvent((e) => events.push(describe1(e)));
  const controller = new AbortController();
  return { api, clock, events, restarts, counts, informer, controller };
}

function describe1(e: InformerEvent<PodPlacement>): string {
  const at = (o: PodPlacement): string => `${o.metadata.name}@${o.metadata.resourceVersion ?? ''}`;
  switch (e.type) {
    case 'add':
      return `add ${at(e.object)}`;
    case 'update':
      return `update ${at(e.old)}->${e.object.metadata.resourceVersion ?? ''}`;
    case 'delete':
      return `delete ${at(e.object)}${e.finalStateUnknown ? ' unknown' : ''}`;
  }
}

describe('Informer (scripted API)', () => {
  it('lists, reports synced, then watches from the list resourceVersion with bookmarks and a timeout', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [pod('a', '1', 'n1'), pod('b', '2')])];
    assert.equal(h.informer.hasSynced, false);
    h.informer.start(h.controller.signal);
    await h.informer.whenSynced();
    assert.equal(h.informer.hasSynced, true);
    assert.deepEqual(h.events, ['add a@1', 'add b@2']);
    await until(() => h.api.watches.length === 1, 'watch opened');
    const q = h.api.watches[0]?.query;
    assert.equal(q?.get('resourceVersion'), '10');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    assert.equal(q.get('timeoutSeconds'), '450');

    const w = h.api.watches[0];
    w?.send({ type: 'MODIFIED', object: pod('b', '11', 'n1') });
    w?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } });
    w?.send({ type: 'DELETED', object: pod('a', '13', 'n1') });
    await until(() => h.informer.resourceVersion === '13', 'events applied');
    assert.deepEqual(h.events.slice(2), ['update b@2->11', 'delete a@13']);
    assert.deepEqual(
      h.informer.store.byIndex('byNode', 'n1').map((p) => p.metadata.name),
      ['b'],
    );
    await h.informer.stop();
    assert.equal(w?.isClosed, true);
  });

  it('resumes from the last resourceVersion without relisting when the server ends a watch', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [pod('a', '1')])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    h.api.watches[0]?.end();
    await until(() => h.api.watches.length === 2, 'watch reopened');
    assert.equal(h.api.watches[1]?.query.get('resourceVersion'), '20');
    assert.equal(h.api.listQueries.length, 1);
    assert.deepEqual(h.restarts, ['closed']);
    assert.deepEqual(h.clock.pendingMs, [180_000], 'only the watchdog waits: no backoff');
    h.controller.abort();
    await h.informer.stop();
  });

  it('relists on a watch ERROR 410 and deletes vanished objects with finalStateUnknown', async () => {
    const h = harness();
    h.api.listReplies = [
      list('10', [pod('a', '1'), pod('b', '2')]),
      list('30', [pod('b', '25'), pod('c', '26')]),
    ];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    h.api.watches[0]?.send({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    await until(() => h.api.watches.length === 2, 'watch reopened after relist');
    assert.deepEqual(h.clock.pendingMs, [180_000], 'relisted at once: only the watchdog waits');
    assert.deepEqual(h.events, ['add a@1', 'add b@2', 'update b@2->25', 'add c@26', 'delete a@1 unknown']);
    assert.equal(h.api.watches[1]?.query.get('resourceVersion'), '30');
    assert.equal(h.api.watches[0]?.isClosed, true);
    assert.deepEqual(h.restarts, ['gone']);
    await h.informer.stop();
  });

  it('relists when opening the watch fails with HTTP 410, backing off when the list was just made', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [pod('a', '1')]), list('40', [])];
    h.api.watchFailures = [apiFailure(410)];
    h.informer.start(h.controller.signal);
    await until(() => h.restarts.length === 1, 'watch refused');
    assert.deepEqual(h.restarts, ['gone']);
    assert.deepEqual(h.clock.pendingMs, [600], 'a 410 straight after a list could loop: backed off');
    h.clock.advance(600);
    await until(() => h.api.watches.length === 1, 'watch opened after relist');
    assert.equal(h.api.watches[0]?.query.get('resourceVersion'), '40');
    assert.deepEqual(h.events, ['add a@1', 'delete a@1 unknown']);
    await h.informer.stop();
  });

  it('starts a paginated list over when its continue token expires, and lists every page', async () => {
    const h = harness();
    h.api.listReplies = [
      list('10', [pod('a', '1'), pod('b', '1')], 'page2'),
      () => {
        throw apiFailure(410);
      },
      list('11', [pod('a', '1'), pod('b', '1')], 'page2'),
      list('11', [pod('c', '1')]),
    ];
    h.informer.start(h.controller.signal);
    await h.informer.whenSynced();
    assert.deepEqual(
      h.api.listQueries.map((q) => `${q.get('limit') ?? ''}:${q.get('continue') ?? ''}`),
      ['2:', '2:page2', '2:', '2:page2'],
    );
    assert.deepEqual(h.counts.lists, [{ items: 3, pages: 2 }]);
    await until(() => h.api.watches.length === 1, 'watch opened');
    assert.equal(h.api.watches[0]?.query.get('resourceVersion'), '11');
    await h.informer.stop();
  });

  it('backs off with growing, jittered delays on failures, resumes from the last version, and resets', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } });
    h.api.watches[0]?.fail(new Error('socket hang up'));
    h.api.watchFailures = [apiFailure(503)];
    await until(() => h.restarts.length === 1, 'backing off');
    // The first watch delivered a bookmark, so its failure is the first in a row: 800 * (1 - 0.5 * 0.5).
    assert.deepEqual(h.clock.pendingMs, [600]);
    h.clock.advance(600);
    await until(() => h.clock.pendingMs[0] === 1200, 'second, longer backoff');
    h.clock.advance(1200);
    await until(() => h.api.watches.length === 2, 'watch reopened');
    assert.equal(h.api.watches[1]?.query.get('resourceVersion'), '15');
    assert.equal(h.api.listQueries.length, 1, 'a failure is not a reason to relist');
    assert.deepEqual(h.restarts, ['error', 'error']);
    h.api.watches[1].send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '16' } } });
    h.api.watches[1].fail(new Error('socket hang up'));
    await until(() => h.restarts.length === 3, 'third failure');
    assert.deepEqual(h.clock.pendingMs, [600], 'a watch that delivered something starts a new streak');
    await h.informer.stop();
  });

  it('restarts a watch on which nothing arrived for watchdogMs, from the same resourceVersion', async () => {
    const h = harness({ watchdogMs: 60_000 });
    h.api.listReplies = [list('10', [])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.clock.advance(30_000);
    h.api.watches[0]?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } });
    await until(() => h.informer.resourceVersion === '11', 'bookmark seen');
    h.clock.advance(30_000);
    await nextTurn();
    assert.equal(h.api.watches.length, 1, 'a bookmark counts as activity');
    h.clock.advance(30_000);
    await until(() => h.api.watches.length === 2, 'watch restarted by the watchdog');
    assert.equal(h.api.watches[0]?.isClosed, true);
    assert.equal(h.api.watches[1]?.query.get('resourceVersion'), '11');
    assert.deepEqual(h.restarts, ['watchdog']);
    await h.informer.stop();
  });

  it('counts a throwing handler and still delivers to the other handlers and later events', async () => {
    const h = harness();
    h.informer.onEvent(() => {
      throw new Error('handler bug');
    });
    const after: string[] = [];
    h.informer.onEvent((e) => after.push(e.type));
    h.api.listReplies = [list('10', [pod('a', '1')])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send({ type: 'ADDED', object: pod('b', '11') });
    await until(() => h.informer.store.size === 2, 'event applied');
    assert.deepEqual(h.events, ['add a@1', 'add b@11']);
    assert.deepEqual(after, ['add', 'add']);
    assert.equal(h.counts.handlerErrors, 2);
    await h.informer.stop();
  });

  it('skips and counts malformed lines without ending the watch', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send('{not json');
    h.api.watches[0]?.send({ type: 'ADDED', object: { metadata: {} } });
    h.api.watches[0]?.send({ type: 'ADDED', object: pod('a', '11') });
    await until(() => h.informer.store.size === 1, 'good event applied');
    assert.equal(h.counts.malformed, 2);
    assert.equal(h.api.watches.length, 1);
    await h.informer.stop();
  });

  it('gives a handler registered late an add for every cached object', async () => {
    const h = harness();
    h.api.listReplies = [list('10', [pod('a', '1'), pod('b', '2')])];
    h.informer.start(h.controller.signal);
    await h.informer.whenSynced();
    const late: string[] = [];
    const off = h.informer.onEvent((e) => late.push(describe1(e)));
    assert.deepEqual(late.sort(), ['add a@1', 'add b@2']);
    off();
    await h.informer.stop();
  });

  it('keeps retrying a failing first list and rejects whenSynced with EC_INFORMER_STOPPED on stop', async () => {
    const h = harness();
    h.informer.start(h.controller.signal);
    await until(() => h.clock.pendingMs.length === 1, 'backing off after the first failed list');
    h.clock.advance(h.clock.pendingMs[0] ?? 0);
    await until(() => h.api.listQueries.length === 2, 'list retried');
    h.controller.abort();
    await assert.rejects(
      h.informer.whenSynced(),
      (err: unknown) => isEdgeControllerError(err) && (err.code as string) === 'EC_INFORMER_STOPPED',
    );
    await h.informer.stop();
  });
});

describe('Informer (metrics hooks and transform)', () => {
  it('reports each store change once by type, and every time it heard from the server', async () => {
    const seen: string[] = [];
    const h = harness({
      observer: {
        onEvent: (name, type) => seen.push(`${name} ${type}`),
        onHeard: (name) => seen.push(`${name} heard`),
      },
    });
    h.informer.onEvent(() => undefined); // a second handler: still one event reported per change
    h.api.listReplies = [list('10', [pod('a', '1')])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    const w = h.api.watches[0];
    w?.send({ type: 'MODIFIED', object: pod('a', '11') });
    w?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } });
    w?.send({ type: 'DELETED', object: pod('a', '13') });
    await until(() => h.informer.resourceVersion === '13', 'events applied');
    assert.deepEqual(seen, [
      'pods add',
      'pods heard',
      'pods heard',
      'pods update',
      'pods heard',
      'pods heard',
      'pods delete',
    ]);
    await h.informer.stop();
  });

  it('stores and indexes objects as the transform shapes them, from the list and the watch', async () => {
    const h = harness({ transform: (p) => ({ ...p, spec: { nodeName: 'shaped' } }) });
    h.api.listReplies = [list('10', [pod('a', '1', 'n1')])];
    h.informer.start(h.controller.signal);
    await until(() => h.api.watches.length === 1, 'watch opened');
    h.api.watches[0]?.send({ type: 'ADDED', object: pod('b', '11', 'n1') });
    await until(() => h.informer.resourceVersion === '11', 'event applied');
    assert.deepEqual(
      h.informer.store.byIndex('byNode', 'shaped').map((p) => p.metadata.name),
      ['a', 'b'],
    );
    assert.equal(h.informer.store.get(objectKey('ns', 'a'))?.spec?.nodeName, 'shaped');
    await h.informer.stop();
  });
});
