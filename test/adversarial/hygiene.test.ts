/**
 * Issue 12, rows 7, 8 and 9: connection hygiene. 2,200 idle or slow TLS handshakes on the hub port were
 * held about 120 s (no handshake timeout); both ports must close them within 10 s (with slack), hold no
 * more sockets than the attack opened, and still let a well-behaved node in meanwhile. (Since issue 15 a
 * connection waits, unread beyond its first bytes, until its ClientHello is in: the stalled ones are held
 * as plain sockets until the timeout and never take one of the few handshake slots, so a real node's
 * handshake starts at once.) `/node/{name}` made one API
 * read per request; it must answer from the cache. A legacy `podstatus` list of 10,000 entries stopped
 * after 100 API calls with an internal error; it must be answered in full or refused up front clearly.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import {
  RawEdge,
  WellBehavedNode,
  httpsGet,
  metricValue,
  mintIdentity,
  nodeObject,
  openStalled,
  replyStatus,
  request,
} from '../support/raw-edge/index.js';
import type { StalledBatch, WireMessage } from '../support/raw-edge/index.js';
import { assertAlive, useTarget } from './lib/target.js';
import type { Target } from './lib/target.js';

const getCluster = useLocalCluster();
const stalledCount = 2_200;
/** At least this many of them closed 15 s after the attack began (the first wave's 10 s timeout). */
const closedByThen = 1_000;
/** Sockets the controller may hold besides the pending handshakes (API, informers, the good node…). */
const slack = 60;

/**
 * Tries `attempt` every 500 ms, as an edge redials, until it succeeds or `withinMs` has passed since
 * `since`. The window ends before the 10 s handshake timeout frees any slot: a server that turns every
 * newcomer away while its pending handshakes are full locks real nodes out for as long as the attack
 * lasts.
 */
async function retrying<T>(attempt: () => Promise<T>, since: number, withinMs: number): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (performance.now() - since > withinMs) {
        throw new Error(`still failing after ${String(tries)} tries over ${String(withinMs)} ms`, {
          cause: err,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Sockets the controller held before the first attack of this file. */
let fileBaseline: number | undefined;

/** Runs the stalled-handshake attack on `port`; `meanwhile` must succeed while it is on. */
async function stalledHandshakes(
  target: Target,
  port: number,
  meanwhile: (since: number) => Promise<void>,
  diagnostic: (text: string) => void,
): Promise<void> {
  const { controller } = target;
  // Start from a quiet controller: sockets an earlier attack left (a server without a handshake timeout
  // holds them for minutes) would hide this attack's in the count.
  fileBaseline ??= controller.openSockets();
  const quiet = fileBaseline;
  await eventually(
    () => {
      assert.ok(
        controller.openSockets() <= quiet + slack,
        'the controller still holds an earlier attack’s sockets',
      );
    },
    { timeoutMs: 150_000, intervalMs: 1_000 },
  );
  const baseSockets = controller.openSockets();
  let peakExtra = 0;
  const sampler = setInterval(() => {
    peakExtra = Math.max(peakExtra, controller.openSockets() - baseSockets);
  }, 250);
  let batch: StalledBatch | undefined;
  try {
    batch = openStalled('127.0.0.1', port, stalledCount);
    await Promise.race([batch.allSettled, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    const t0 = performance.now();
    await meanwhile(t0);
    const stalled = batch;
    // Past the 10 s handshake timeout (+5 s slack), the first 1,000 at least must have been closed.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + 15_000 - performance.now())));
    const closedAfter15s = stalled.connections.filter((c) => c.closedAt !== undefined).length;
    const connected = stalled.connections.filter((c) => c.openedAt !== undefined).length;
    diagnostic(
      `stalled: ${String(connected)} connected, ${String(closedAfter15s)} closed by the server 15 s after, peak extra sockets so far ${String(peakExtra)}`,
    );
    // The controller lets go of every one of them. (Counted on its side: a connection the kernel
    // completed but the server never accepted looks open to an idle client forever.)
    await eventually(
      () => {
        const extra = controller.openSockets() - baseSockets;
        assert.ok(extra <= slack, `the controller still holds ${String(extra)} extra sockets`);
      },
      { timeoutMs: Math.max(1_000, t0 + 45_000 - performance.now()), intervalMs: 500 },
    );
    assertAlive(controller);
    assert.ok(
      closedAfter15s >= closedByThen,
      `only ${String(closedAfter15s)} of ${String(stalledCount)} stalled handshakes were closed 15 s after they started`,
    );
    assert.ok(
      peakExtra <= stalledCount + slack,
      `the controller held ${String(peakExtra)} extra sockets at once (the attack opened ${String(stalledCount)})`,
    );
  } finally {
    clearInterval(sampler);
    batch?.destroy();
  }
}

describe('connection hygiene', () => {
  const getTarget = useTarget(getCluster);

  it('closes 2,200 idle or slow TLS handshakes on the certificate port within ~10 s and lets a node join meanwhile', async (t) => {
    const target = getTarget();
    let joined = false;
    await stalledHandshakes(
      target,
      target.controller.ports.https,
      async (since) => {
        const identity = await retrying(
          () => mintIdentity(target.controller.httpServer, target.token, target.name('joined')),
          since,
          8_000,
        );
        joined = identity.certPem.includes('BEGIN CERTIFICATE');
      },
      (text) => {
        t.diagnostic(text);
      },
    );
    assert.ok(joined, 'a node joined during the attack');
  });

  it('does the same on the hub port, where a well-behaved node still connects meanwhile', async (t) => {
    const target = getTarget();
    const identity = await target.mint(target.name('good-hub'));
    // One node connected before the attack keeps renewing through it; another connects during it.
    const before = await WellBehavedNode.start({
      hub: target.controller.hubServer,
      identity: await target.mint(target.name('before-hub')),
    });
    let good: WellBehavedNode | undefined;
    await stalledHandshakes(
      target,
      target.controller.ports.hub,
      async (since) => {
        good = await retrying(
          () => WellBehavedNode.start({ hub: target.controller.hubServer, identity }),
          since,
          8_000,
        );
      },
      (text) => {
        t.diagnostic(text);
      },
    );
    assert.ok(
      good !== undefined,
      'the well-behaved node connected, registered and created its lease during the attack',
    );
    assert.deepEqual(before.missed, [], 'the node connected before the attack missed no lease');
    await good.stop();
    await before.stop();
  });

  it('answers /node/{name} from its cache, without an API read per request', async () => {
    const { controller, cluster, mint, name } = getTarget();
    const good = await WellBehavedNode.start({
      hub: controller.hubServer,
      identity: await mint(name('known')),
    });
    const url = (node: string) => new URL(`/node/${node}`, controller.httpServer);
    const get = (node: string) => httpsGet(url(node), { rejectUnauthorized: false });
    await eventually(async () => {
      assert.equal((await get(good.name)).status, 200, 'a registered node is found');
    });
    const apiGets = async (): Promise<number> => {
      const body = await cluster.admin.openStream({ path: '/metrics', signal: AbortSignal.timeout(30_000) });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk));
      return metricValue(Buffer.concat(chunks).toString('utf8'), 'apiserver_request_total', {
        verb: 'GET',
        resource: 'nodes',
      });
    };
    const before = await apiGets();
    const answers = new Map<number, number>();
    for (let i = 0; i < 100; i++) {
      const node = i % 2 === 0 ? good.name : `missing-${String(i)}`;
      const status = (await get(node)).status;
      answers.set(status, (answers.get(status) ?? 0) + 1);
    }
    const grew = (await apiGets()) - before;
    await good.stop();
    assert.deepEqual(Object.fromEntries(answers), { 200: 50, 404: 50 }, 'found and not found as they are');
    assert.ok(grew < 20, `100 requests to /node/{name} made ${String(grew)} node GETs on the API server`);
  });

  it('answers a legacy podstatus list of 10,000 entries in full, or refuses it up front with a clear error', async () => {
    const { controller, cluster, mint, name } = getTarget();
    const ns = await cluster.namespace('list');
    const edge = await RawEdge.connect({
      hub: controller.hubServer,
      identity: await mint(name('lister')),
      autoAck: true,
      keepaliveMs: 5_000,
      keepReceived: false,
    });
    await edge.request(request('insert', `null/node/${edge.nodeName}`, nodeObject(edge.nodeName)));
    const own: { name: string; uid: string }[] = [];
    for (const pod of ['a', 'b', 'c']) {
      const created = await cluster.admin.request<{ metadata: { uid: string } }>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: {
          metadata: { name: pod },
          spec: { nodeName: edge.nodeName, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
      own.push({ name: pod, uid: created.metadata.uid });
    }
    const entries = Array.from({ length: 10_000 }, (_, i) => {
      const mine = own[i % 3400 === 0 ? i / 3400 : -1];
      return mine !== undefined
        ? { UID: mine.uid, Name: mine.name, Status: { phase: 'Running' } }
        : { UID: randomUUID(), Name: `gone-${String(i)}`, Status: { phase: 'Running' } };
    });
    const list = request('update', `${ns}/podstatus`, entries);
    const replies: WireMessage[] = [];
    edge.onMessage((m) => {
      if (m.header.parent_msg_id === list.header.msg_id) replies.push(m);
    });
    await edge.send(list);
    const isError = (m: WireMessage) => replyStatus(m) !== 200;
    await eventually(
      () => {
        const errors = replies.filter(isError);
        assert.ok(
          replies.length >= 10_000 ||
            errors.some((m) => m.route.operation === 'error') ||
            (replies.length === 1 && errors.length === 1),
          `${String(replies.length)} replies so far`,
        );
      },
      { timeoutMs: 150_000, intervalMs: 1_000 },
    );
    const internal = replies.filter((m) => /internal error/i.test(JSON.stringify(m.content)));
    assertAlive(controller);
    assert.deepEqual(
      internal.map((m) => JSON.stringify(m.content).slice(0, 200)),
      [],
      `no internal error (after ${String(replies.length)} replies)`,
    );
    const inFull = replies.length === 10_000;
    const refusedUpFront = replies.length === 1 && isError(replies[0] as WireMessage);
    assert.ok(inFull || refusedUpFront, `answered ${String(replies.length)} of 10,000 entries`);
    await edge.close();
  });
});
