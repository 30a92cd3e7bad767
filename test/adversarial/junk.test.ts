/**
 * Issue 12, row 1 (a regression test: this passed before the issue): malformed and junk frames, bad
 * sessions and oversized frames from a joined edge. The controller must not crash, must answer sensibly
 * (an error reply to a well-formed message it does not serve, a policy close after repeated junk, an
 * HTTP refusal for a bad upgrade), must keep serving a well-behaved node, and its memory must come back
 * to where it was.
 */
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { MiB, RawEdge, RefusedError, WellBehavedNode, httpsGet, request } from '../support/raw-edge/index.js';
import type { RawIdentity } from '../support/raw-edge/index.js';
import { assertAlive, useTarget } from './lib/target.js';

const getCluster = useLocalCluster();
let getTarget: ReturnType<typeof useTarget>;
let good: WellBehavedNode | undefined;

const junkTexts = [
  'not json',
  '{',
  '[]',
  '""',
  'null',
  '{"header":{}}',
  '{"header":{"msg_id":"","timestamp":1},"route":{}}',
  '{"header":{"msg_id":1,"timestamp":"x"},"route":[]}',
  '\u0000\u0001\u0002',
  '{"header":{"msg_id":"a","timestamp":1.5},"route":{}}',
];

/** The hub's heap in use, from its own process metrics. */
async function heapUsed(): Promise<number> {
  return getTarget().controller.metric('nodejs_heap_size_used_bytes');
}

describe('junk from a joined edge (regression)', () => {
  getTarget = useTarget(getCluster);
  after(async () => {
    await good?.stop();
  });

  it('survives junk frames, bad sessions and oversized frames, answers sensibly, and returns to its memory baseline', async () => {
    const { controller, mint, name } = getTarget();
    good = await WellBehavedNode.start({ hub: controller.hubServer, identity: await mint(name('good')) });
    const baselineRss = controller.rss.sample();
    const baselineHeap = await heapUsed();
    // A node cut for cause may be held off at its next connect (429), so each phase comes back under a
    // fresh name: the join token mints any number of them.
    const fresh = (): Promise<RawIdentity> => mint(name('junk'));

    // 1. Junk text and binary frames: the hub closes with a policy code after a handful, every time.
    const closes: string[] = [];
    for (let round = 0; round < 50; round++) {
      const edge = await RawEdge.connect({
        hub: controller.hubServer,
        identity: await fresh(),
        keepReceived: false,
      });
      for (let i = 0; edge.isOpen && i < 40; i++) {
        const text = junkTexts[i % junkTexts.length] ?? '';
        await edge.send(i % 3 === 0 ? Buffer.from(text) : text, { binary: i % 3 === 0 });
      }
      const info = await edge.closed;
      closes.push(`${String(info.code)} ${info.reason}`);
    }
    assert.ok(
      closes.every((c) => c.startsWith('1008 ')),
      `every junk session ends with a 1008 policy close: ${[...new Set(closes)].join(', ')}`,
    );

    // A node just cut for junk that comes straight back is accepted, or held off with 429 and a reason.
    const offender = await fresh();
    const offending = await RawEdge.connect({
      hub: controller.hubServer,
      identity: offender,
      keepReceived: false,
    });
    for (let i = 0; offending.isOpen && i < 40; i++) await offending.send('junk');
    await offending.closed;
    const back = await RawEdge.connect({
      hub: controller.hubServer,
      identity: offender,
      keepReceived: false,
    }).then(
      async (edge) => {
        await edge.close();
        return 'accepted';
      },
      (err: unknown) =>
        err instanceof RefusedError ? `${String(err.status)} ${err.body.trim()}` : String(err),
    );
    assert.ok(/^(accepted|429 .+)$/.test(back), `a returning offender: ${back}`);

    // 2. Well-formed messages it does not serve: an error reply to each, and the session stays.
    const attacker = await fresh();
    const edge = await RawEdge.connect({
      hub: controller.hubServer,
      identity: attacker,
      keepReceived: false,
    });
    for (let i = 0; i < 500; i++) {
      const frame = request('update', `default/twin/t${String(i)}`, null);
      const reply = await edge.request({
        ...frame,
        route: { ...frame.route, source: 'twin', group: 'twin' },
      });
      assert.equal(reply.route.operation, 'error', 'an unserved message gets an error reply');
      assert.equal(reply.header.parent_msg_id, frame.header.msg_id);
    }
    assert.ok(edge.isOpen, 'unserved but well-formed messages do not end the session');

    // 3. Oversized frames: one past the frame limit is refused (the session ends or the frame is
    // dropped), never parsed; a 16 MiB one ends the session with 1009.
    await edge.send(Buffer.alloc(16 * MiB, 0x20), { binary: true });
    const big = await edge.closed;
    assert.equal(
      big.code,
      1009,
      `a 16 MiB frame ends the session with 1009 (got ${String(big.code)} ${big.reason})`,
    );
    for (let i = 0; i < 10; i++) {
      const again = await RawEdge.connect({
        hub: controller.hubServer,
        identity: await fresh(),
        keepReceived: false,
      });
      await again.send(
        `{"header":{"msg_id":"${'a'.repeat(5 * MiB)}","timestamp":1},"route":{},"content":null}`,
      );
      const probe = request('query', 'k8s/ca.crt');
      const answer = await again.request(probe).catch(() => undefined);
      if (answer !== undefined) assert.equal(answer.route.operation, 'response');
      await again.close();
    }

    // 4. Bad sessions: HTTP refusals with a status, never a hang or a crash.
    const other = await fresh();
    await assert.rejects(
      RawEdge.connect({
        hub: controller.hubServer,
        identity: other,
        headers: { node_id: name('someone-else') },
      }),
      (err: unknown) => err instanceof RefusedError && err.status === 403,
    );
    await assert.rejects(
      RawEdge.connect({
        hub: controller.hubServer,
        identity: other,
        headers: { ConnectionUse: 'stream' },
      }),
      (err: unknown) => err instanceof RefusedError && err.status === 400,
    );
    await assert.rejects(
      RawEdge.connect({ hub: controller.hubServer, identity: other, headers: { node_id: '../..' } }),
      (err: unknown) => err instanceof RefusedError && err.status === 400,
    );
    const plain = await httpsGet(new URL(`https://${controller.hubServer}/`), {
      ca: attacker.caPem,
      cert: attacker.certPem,
      key: attacker.keyPem,
    });
    assert.equal(plain.status, 426, 'a plain HTTPS request is told to upgrade');
    // No client certificate: the TLS handshake itself is refused.
    const [host, port] = controller.hubServer.split(':');
    const refused = await new Promise<string>((resolve) => {
      const socket = tlsConnect(
        {
          host,
          port: Number(port),
          ca: attacker.caPem,
          servername: 'localhost',
          checkServerIdentity: () => undefined,
        },
        () => {
          socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        },
      );
      socket.on('data', () => undefined);
      socket.once('error', (err: Error) => {
        resolve(err.message);
      });
      socket.once('close', () => {
        resolve('closed');
      });
    });
    assert.ok(refused.length > 0);

    // Still alive, still serving the well-behaved node, and back to its memory baseline.
    assertAlive(controller);
    const before = good.renewed;
    await eventually(() => {
      assert.ok(good !== undefined && good.renewed > before + 1, 'the well-behaved node keeps renewing');
    });
    assert.deepEqual(good.missed, [], 'the well-behaved node missed no lease');
    await eventually(
      async () => {
        const heap = await heapUsed();
        assert.ok(
          heap <= baselineHeap + 32 * MiB,
          `heap ${String(heap / MiB)} MiB vs baseline ${String(baselineHeap / MiB)} MiB`,
        );
        const rss = controller.rss.sample();
        assert.ok(
          rss <= baselineRss + 128 * MiB,
          `RSS ${String(rss / MiB)} MiB vs baseline ${String(baselineRss / MiB)} MiB`,
        );
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
  });
});
