/**
 * The hub's limits against real parts (issue 12 items 1, 4, 5; issue 13 item 4): a real kube-apiserver,
 * edges that join through the real token flow, and an INDEPENDENT client: TLS from node:tls with the
 * issued certificate, and the WebSocket upgrade and frames written by hand here (not `ws`, not the
 * simulator), so that it can stop reading, stall a handshake or leave a close unanswered.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CertServer, signServerCertificate } from '../../src/certs/index.js';
import { newMessageId, newPush, parseNodeName } from '../../src/protocol/index.js';
import type { Message, NodeName, ResourcePath } from '../../src/protocol/index.js';
import type { EdgeClient, EdgeIdentity } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();
let ctl: TestController;
const hubOptions = {
  // Long, so that no resend timer fires during a test: the replaced-session test watches the queue
  // between the old socket's late close and the new session's next timer.
  ackTimeoutMs: 20_000,
  maxAckTimeoutMs: 40_000,
  keepaliveTimeoutMs: 60_000,
  nodeMemoryBudgetBytes: 6 * 1024 * 1024,
  offenderBaseDelayMs: 3000,
  handshakeTimeoutMs: 1000,
  upgradeTimeoutMs: 1000,
  maxPendingHandshakes: 20,
  maxQueuedHandshakes: 3,
};
const projectId = 'e632aba927ea4ac2b575ec1603d56f10';

// ---------------------------------------------------------------------------------------------------
// The independent client.

interface WireFrame {
  header: { msg_id: string; parent_msg_id?: string; timestamp: number };
  route: { source?: string; group?: string; operation?: string; resource?: string };
  content: unknown;
}

/** A KubeEdge edge over a hand-written WebSocket; never answers a close frame (a peer that went quiet). */
class RawEdge {
  readonly texts: string[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<void>;
  #pending: Buffer = Buffer.alloc(0);

  private constructor(readonly socket: TLSSocket) {
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
  }

  /** Upgrades; rejects with the HTTP status line when refused. */
  static async connect(hub: string, identity: EdgeIdentity): Promise<RawEdge> {
    const [host = '127.0.0.1', port = '0'] = hub.split(':');
    const socket = tlsConnect({
      host,
      port: Number(port),
      ca: identity.caPem,
      cert: identity.certPem,
      key: identity.keyPem,
      servername: 'localhost',
      checkServerIdentity: () => undefined,
    });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.write(
      `GET /${projectId}/${identity.nodeName}/events HTTP/1.1\r\nHost: ${hub}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
        `Sec-WebSocket-Version: 13\r\nnode_id: ${identity.nodeName}\r\nproject_id: ${projectId}\r\n` +
        `ConnectionUse: msg\r\n\r\n`,
    );
    const { status, rest } = await new Promise<{ status: string; rest: Buffer }>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        resolve({ status: head.subarray(0, head.indexOf('\r\n')).toString(), rest: head.subarray(end + 4) });
      };
      socket.on('data', onData);
      socket.once('close', () => {
        reject(new Error('closed during the upgrade'));
      });
    });
    if (!status.includes(' 101 ')) {
      socket.destroy();
      throw new Error(status);
    }
    const edge = new RawEdge(socket);
    edge.#onData(rest);
    socket.on('data', (chunk: Buffer) => {
      edge.#onData(chunk);
    });
    return edge;
  }

  /** Sends one masked text frame. */
  sendText(text: string): void {
    const payload = Buffer.from(text, 'utf8');
    const mask = randomBytes(4);
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x81, 0x80 | length])
        : length < 65536
          ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(length)]);
    for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
    this.socket.write(Buffer.concat([header, mask, payload]));
  }

  send(frame: WireFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  frames(): WireFrame[] {
    return this.texts.map((t) => JSON.parse(t) as WireFrame);
  }

  pushes(): WireFrame[] {
    return this.frames().filter((f) => f.header.parent_msg_id === undefined);
  }

  /** Stops reading: the server's writes back up in its socket buffer. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const b = this.#pending;
      if (b.length < 2) return;
      const opcode = (b[0] ?? 0) & 0x0f;
      let length = (b[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      const payload = b.subarray(offset, offset + length);
      this.#pending = b.subarray(offset + length);
      if (opcode === 1 || opcode === 2) this.texts.push(payload.toString('utf8'));
      if (opcode === 8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    }
  }
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

// ---------------------------------------------------------------------------------------------------

let seq = 0;
function node(prefix: string): NodeName {
  seq += 1;
  const name = parseNodeName(`${prefix}-${String(seq)}`);
  assert.ok(name !== undefined);
  return name;
}

function podPush(name: string, resourceVersion: string, padBytes = 0): Message {
  return newPush({
    id: newMessageId(),
    now: Date.now(),
    resource: `default/pod/${name}` as ResourcePath,
    operation: 'update',
    resourceVersion,
    content: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'default',
        uid: `uid-${name}`,
        resourceVersion,
        ...(padBytes > 0 ? { annotations: { pad: 'p'.repeat(padBytes) } } : {}),
      },
      spec: { nodeName: 'x' },
    },
  });
}

function request(operation: string, resource: string, msgId: string = randomUUID()): WireFrame {
  return {
    header: { msg_id: msgId, timestamp: Date.now() },
    route: { source: 'edged', group: 'meta', operation, resource },
    content: null,
  };
}

/** A well-behaved edge (the simulator's client) whose pushes must keep flowing during each attack. */
async function bystander(on: TestController = ctl): Promise<{ name: NodeName; edge: EdgeClient }> {
  const name = node('bystander');
  const edge = await on.connect(await on.join(name));
  open.push(edge);
  return { name, edge };
}

async function stillServed(
  b: { name: NodeName; edge: EdgeClient },
  pod: string,
  on: TestController = ctl,
): Promise<void> {
  on.controller.hub.enqueue(b.name, podPush(pod, '1'));
  await eventually(() => {
    assert.ok(b.edge.store.has(`default/pod/${pod}`), `${pod} reached the well-behaved edge`);
  });
}

function logBytes(from: number): number {
  return ctl.logs.slice(from).reduce((sum, line) => sum + Buffer.byteLength(line), 0);
}

const open: EdgeClient[] = [];
const raws: RawEdge[] = [];

describe('hub limits', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, { hub: hubOptions });
  });
  after(async () => {
    for (const raw of raws) raw.destroy();
    await Promise.all(open.map((e) => e.close()));
    await ctl.controller.stop();
  });

  async function raw(identity: EdgeIdentity, on: TestController = ctl): Promise<RawEdge> {
    const edge = await RawEdge.connect(on.hubServer, identity);
    raws.push(edge);
    return edge;
  }

  describe('over-long envelope strings (issue 12 item 1)', () => {
    it('answers a 1.9 MB resource with a small error reply that does not echo it', async () => {
      const name = node('longres');
      const edge = await raw(await ctl.join(name));
      const big = 'r'.repeat(1_900_000);
      const req = request('query', `default/configmap/${big}`);
      edge.send(req);
      const reply = await eventually(() => {
        const found = edge.frames().find((f) => f.header.parent_msg_id === req.header.msg_id);
        assert.ok(found !== undefined);
        return found;
      });
      assert.equal(reply.route.operation, 'error');
      assert.equal(reply.route.resource, undefined);
      assert.ok(
        edge.texts.every((t) => t.length < 1024),
        'every frame the edge got is small',
      );
      assert.equal(
        await ctl.metric('edgecontroller_hub_refused_messages_total', { reason: 'resource_too_long' }),
        1,
      );
    });

    it('keeps memory bounded and the log quiet while nodes that stop reading flood 1.9 MB msg_ids and resources', async (t) => {
      const good = await bystander();
      // A refused envelope cuts the node at once and counts as an offence (it is then refused at connect
      // for a growing while), so the 20 refused frames of 3.8 MB (76 MB) come from 20 identities, as the
      // join token lets an attacker mint them.
      const identities = await Promise.all(Array.from({ length: 20 }, () => ctl.join(node('flood'))));
      const logsBefore = ctl.logs.length;
      const rssBefore = process.memoryUsage().rss;
      let peakLedger = 0;
      let peakRss = rssBefore;
      const sampler = setInterval(() => {
        peakLedger = Math.max(peakLedger, ctl.controller.hub.memoryStats().totalBytes);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 20);
      const big = 'x'.repeat(1_900_000);
      const frame = JSON.stringify(request('query', `default/configmap/${big}`, big));
      const refusedBefore = await ctl.metric('edgecontroller_hub_refused_messages_total', {
        reason: 'msg_id_too_long',
      });
      const cutBefore = await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'bad_frames' });
      try {
        for (const [index, identity] of identities.entries()) {
          const edge = await raw(identity);
          edge.stopReading();
          edge.sendText(frame);
          // A paused socket sees no close: watch the hub's side.
          await eventually(async () => {
            assert.equal(
              await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'bad_frames' }),
              cutBefore + index + 1,
              'cut at its first refused frame',
            );
          });
          edge.destroy();
        }
        // An offender is refused at connect for a while: no second dose of megabytes from the same name.
        const last = identities.at(-1);
        assert.ok(last !== undefined);
        await assert.rejects(raw(last), /429/);
        await stillServed(good, 'during-flood');
      } finally {
        clearInterval(sampler);
      }
      assert.equal(
        (await ctl.metric('edgecontroller_hub_refused_messages_total', { reason: 'msg_id_too_long' })) -
          refusedBefore,
        20,
      );
      assert.ok(
        peakLedger <= hubOptions.nodeMemoryBudgetBytes,
        `the hub held at most its budget (peak ${String(peakLedger)} bytes)`,
      );
      assert.ok(
        peakRss - rssBefore < 300 * 1024 * 1024,
        `RSS grew ${String(Math.round((peakRss - rssBefore) / 1048576))} MiB`,
      );
      const written = logBytes(logsBefore);
      t.diagnostic(
        `peak ledger ${String(peakLedger)} B, RSS +${String(Math.round((peakRss - rssBefore) / 1048576))} MiB (test client included), log ${String(written)} B`,
      );
      assert.ok(written < 1024 * 1024, `76 MB of refused frames wrote ${String(written)} bytes of log`);
      const refusals = ctl.logs.slice(logsBefore).filter((l) => l.includes('over-long envelope field'));
      assert.ok(refusals.length <= 20, 'at most one warning per node and reason per 10 s');
      assert.ok(
        refusals.every((line) => line.length < 1024),
        'each warning names sizes, never the refused strings',
      );
    });
  });

  describe('slow readers and budgets (issue 12 item 1)', () => {
    it('disconnects a node that stops reading, releases what it held, refuses its reconnect for a while, and keeps serving others', async (t) => {
      const t0 = performance.now();
      const mark = (what: string): void => {
        t.diagnostic(`${what} after ${String(Math.round(performance.now() - t0))} ms`);
      };
      // Its own controller: a threshold of 1 byte makes "stopped reading" exact whatever part of the last
      // frame the kernel took, and a short timeout keeps the test short (both default to 1 MiB / 60 s).
      const { admin, cluster } = getCluster();
      const deafCtl = await startTestController(admin, cluster.kubeconfigPath, {
        hub: { ...hubOptions, notReadingBytes: 1, notReadingTimeoutMs: 2000 },
      });
      try {
        const good = await bystander(deafCtl);
        const name = node('deaf');
        const identity = await deafCtl.join(name);
        const edge = await raw(identity, deafCtl);
        edge.stopReading();
        const logsBefore = deafCtl.logs.length;
        // 40 pushes of 600 KB: more than the kernel's socket buffers hold, so the hub's send buffer backs up.
        for (let i = 0; i < 40; i++)
          deafCtl.controller.hub.enqueue(name, podPush(`deaf-${String(i)}`, '1', 600_000));
        await stillServed(good, 'during-deaf', deafCtl);
        mark('pushes queued, the well-behaved edge served');
        // A paused socket sees no close: watch the hub's side.
        await eventually(async () => {
          assert.equal(
            await deafCtl.metric('edgecontroller_hub_disconnects_total', { reason: 'not_reading' }),
            1,
          );
        });
        mark('cut as not reading');
        edge.destroy();
        const hub = deafCtl.controller.hub;
        assert.ok(!hub.isConnected(name));
        const lines = deafCtl.logs
          .slice(logsBefore)
          .filter((l) => l.includes('Disconnected a node for cause'));
        assert.equal(lines.length, 1, 'one log line');
        assert.match(lines[0] ?? '', /"reason":"not_reading"/);
        assert.equal(hub.nodeState(name)?.memoryBytes, 0, 'its replies and partial frame are released');
        // The pushes are not dropped: they wait for the node's next session (pushes are backpressure).
        const queue = hub.nodeState(name)?.queue;
        assert.ok((queue?.pendingAck ?? 0) + (queue?.inFlight ?? 0) > 0);
        await assert.rejects(RawEdge.connect(deafCtl.hubServer, identity), /429/);
        assert.equal(
          await deafCtl.metric('edgecontroller_hub_connects_total', { result: 'repeat_offender' }),
          1,
        );
        const back = await eventually(() => raw(identity, deafCtl), { timeoutMs: 20_000 });
        await eventually(() => {
          assert.ok(back.texts.length > 0, 'the waiting pushes go out on the next session');
        });
        mark('reconnected after its refusal, pushes flowing');
        back.destroy();
        await stillServed(good, 'after-deaf', deafCtl);
      } finally {
        await deafCtl.controller.stop();
      }
    });

    it('gets a large resync to a slow but draining node through in full, resuming as its socket drains', async () => {
      const name = node('slow');
      const edge = await raw(await ctl.join(name));
      // Reads a little, then not at all for a while, over and over; ACKs nothing, so that only the
      // socket draining can move the hub on (no ACK wakes it, and the resend timer is 20 s away).
      let reading = true;
      const pacer = setInterval(() => {
        reading = !reading;
        if (reading) edge.socket.resume();
        else edge.socket.pause();
      }, 150);
      try {
        for (let i = 0; i < 30; i++)
          ctl.controller.hub.enqueue(name, podPush(`slow-${String(i)}`, '1', 400_000));
        await eventually(() => {
          assert.equal(new Set(edge.pushes().map((f) => f.header.msg_id)).size, 30);
        });
      } finally {
        clearInterval(pacer);
        edge.socket.resume();
      }
      const queue = ctl.controller.hub.nodeState(name)?.queue;
      assert.ok(ctl.controller.hub.isConnected(name), 'a slow reader that drains is never cut');
      // Each stall ended when the socket drained, not when a resend timer fired.
      assert.equal(queue?.resendsTotal, 0);
      assert.equal(queue.sentTotal, 30);
      edge.destroy();
    });

    it('disconnects a node whose waiting replies pass its byte budget', async () => {
      const good = await bystander();
      const name = node('hoarder');
      const edge = await raw(await ctl.join(name));
      edge.stopReading();
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, ctl.controller.hub.nodeState(name)?.memoryBytes ?? 0);
      }, 10);
      // Unsupported requests with a 1,000-byte resource (within the limit): each error reply echoes it.
      const resource = `default/membership/${'m'.repeat(980)}`;
      try {
        for (let i = 0; i < 30_000 && !edge.socket.destroyed; i++) {
          edge.send({
            header: { msg_id: randomUUID(), timestamp: Date.now() },
            route: { source: 'twin', group: 'twin', operation: 'update', resource },
            content: {},
          });
          if (i % 500 === 0) await new Promise((r) => setImmediate(r));
          if (!ctl.controller.hub.isConnected(name)) break;
        }
        await eventually(async () => {
          assert.equal(
            await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'over_budget' }),
            1,
          );
        });
      } finally {
        clearInterval(sampler);
        edge.destroy();
      }
      assert.ok(
        peak <= hubOptions.nodeMemoryBudgetBytes,
        `the node held at most its budget (${String(peak)})`,
      );
      assert.equal(ctl.controller.hub.nodeState(name)?.memoryBytes, 0, 'its replies are released');
      assert.equal(ctl.controller.hub.nodeState(name)?.queue.pendingNoAck, 0);
      await stillServed(good, 'after-hoarder');
    });

    it('lets the upstream worker charge waiting requests to a node, and refuses a charge over its budget', () => {
      const memory = ctl.controller.hub.upstreamMemory;
      const name = node('upstream');
      const small = memory.reserve(name, 1000);
      assert.ok(small !== undefined);
      assert.equal(ctl.controller.hub.memoryStats().upstreamBytes >= 1000, true);
      assert.equal(memory.reserve(name, hubOptions.nodeMemoryBudgetBytes), undefined, 'over the budget');
      small.release(); // void: the node was written off by the refused charge
      assert.equal(ctl.controller.hub.nodeState(name), undefined);
      assert.equal(ctl.controller.hub.memoryStats().upstreamBytes, 0);
    });
    it('disconnects the largest consumers first when all nodes together pass the global budget', () => {
      const memory = ctl.controller.hub.upstreamMemory;
      const mib = 1024 * 1024;
      const logsBefore = ctl.logs.length;
      const big = node('biggest');
      const bigHold = memory.reserve(big, 5.5 * mib);
      assert.ok(bigHold !== undefined);
      const held = [bigHold];
      for (let i = 0; i < 50; i++) {
        const r = memory.reserve(node('many'), 5 * mib);
        assert.ok(r !== undefined);
        held.push(r);
      }
      assert.equal(ctl.controller.hub.memoryStats().upstreamBytes, 255.5 * mib);
      // 1 MiB more passes the default 256 MiB: the largest consumer goes, not the newcomer.
      const last = memory.reserve(node('newcomer'), 1 * mib);
      assert.ok(last !== undefined, 'the newcomer is within its own budget and not the largest');
      held.push(last);
      assert.equal(ctl.controller.hub.memoryStats().upstreamBytes, 251 * mib);
      const cut = ctl.logs.slice(logsBefore).filter((l) => l.includes('Disconnected a node for cause'));
      assert.equal(cut.length, 1);
      assert.match(cut[0] ?? '', new RegExp(`"node":"${big}".*"budget":"global"`));
      for (const r of held) r.release();
      assert.equal(
        ctl.controller.hub.memoryStats().upstreamBytes,
        0,
        'releases balance, the void one included',
      );
    });
  });

  describe('sessions replaced without races (issue 13 item 4)', () => {
    it('a replaced session’s late close leaves the new session’s in-flight messages and timers alone', async () => {
      const name = node('replaced');
      const identity = await ctl.join(name);
      const first = await raw(identity);
      for (const pod of ['ra', 'rb', 'rc']) ctl.controller.hub.enqueue(name, podPush(pod, '7'));
      await eventually(() => {
        assert.equal(new Set(first.pushes().map((f) => f.header.msg_id)).size, 3);
      });
      const sentIds = new Set(first.pushes().map((f) => f.header.msg_id));
      const replacedBefore = await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'replaced' });
      const second = await raw(identity);
      // The old socket never answers the close: the hub cuts it after its grace period, and only then
      // (with the code of before) handled its close, moving whatever was in flight back to the resend list
      // and dropping its timers, well before the first resend timer (20 s here) could repair that.
      await first.closed;
      assert.equal(first.closeCode, 1000);
      await eventually(async () => {
        assert.equal(
          await ctl.metric('edgecontroller_hub_disconnects_total', { reason: 'replaced' }),
          replacedBefore + 1,
        );
      });
      const queue = ctl.controller.hub.nodeState(name)?.queue;
      assert.ok(ctl.controller.hub.isConnected(name));
      assert.equal(queue?.inFlight, 3, 'the three pushes are in flight on the new session');
      assert.equal(queue.awaitingReconnect, 0, 'the old close did not move them back to the resend list');
      // They went to the new session when it opened, with their ids (not after an ACK timeout).
      assert.deepEqual(new Set(second.pushes().map((f) => f.header.msg_id)), sentIds);
      assert.equal(first.pushes().length, 3, 'nothing more was written to the replaced socket');
    });
  });

  describe('connection hygiene (issue 12 item 5)', () => {
    it('closes idle TLS handshakes after the timeout, queues more than the pending limit and turns away more than the queue, on the hub port', async () => {
      const [host = '127.0.0.1', port = '0'] = ctl.hubServer.split(':');
      const refused = async (reason: string): Promise<number> =>
        ctl.metric('edgecontroller_hub_handshakes_refused_total', { server: 'hub', reason });
      const failedBefore = await ctl.metric('edgecontroller_hub_connects_total', {
        result: 'tls_handshake_failed',
      });
      const timedOutBefore = await refused('handshake_timeout');
      const errors: string[] = [];
      const closed: Promise<void>[] = [];
      for (let i = 0; i < hubOptions.maxPendingHandshakes + hubOptions.maxQueuedHandshakes + 2; i++) {
        const s = netConnect({ host, port: Number(port) });
        s.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
        closed.push(
          new Promise((r) =>
            s.once('close', () => {
              r();
            }),
          ),
        );
        await new Promise((r) => s.once('connect', r));
      }
      await Promise.all(closed);
      // 20 in their handshake, 3 waiting for a slot (their own handshakes timed out in turn), 2 turned
      // away at accept with a close: no reset.
      assert.equal(await refused('too_many_pending'), 2);
      assert.equal(
        (await refused('handshake_timeout')) - timedOutBefore,
        hubOptions.maxPendingHandshakes + hubOptions.maxQueuedHandshakes,
      );
      assert.deepEqual(errors, [], 'every connection was closed, none reset');
      // Each is counted once, as refused by the guard, not again as a failed TLS handshake.
      assert.equal(
        (await ctl.metric('edgecontroller_hub_connects_total', { result: 'tls_handshake_failed' })) -
          failedBefore,
        0,
      );
      // A real edge still gets in once they are gone.
      await bystander();
    });

    it('closes a TLS connection that never sends its upgrade request', async () => {
      const identity = await ctl.join(node('mute'));
      const [host = '127.0.0.1', port = '0'] = ctl.hubServer.split(':');
      const socket = tlsConnect({
        host,
        port: Number(port),
        ca: identity.caPem,
        cert: identity.certPem,
        key: identity.keyPem,
        checkServerIdentity: () => undefined,
      });
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('secureConnect', r));
      await new Promise((r) => socket.once('close', r));
      assert.equal(
        await ctl.metric('edgecontroller_hub_handshakes_refused_total', {
          server: 'hub',
          reason: 'upgrade_timeout',
        }),
        1,
      );
    });

    it('the certificate server closes idle handshakes, queues more than the pending limit and turns away more than the queue', async () => {
      const ca = ctl.controller.ca;
      const serverCert = await signServerCertificate({
        ca,
        now: new Date(),
        advertiseAddress: ['127.0.0.1'],
      });
      const refused: string[] = [];
      const certs = new CertServer({
        ca,
        serverCert,
        address: '127.0.0.1',
        port: 0,
        handshakeTimeoutMs: 500,
        maxPendingHandshakes: 3,
        maxQueuedHandshakes: 1,
        nodeExists: (n) => (n === 'known' ? true : n === 'unsure' ? undefined : false),
        isNodeConnected: () => false,
        onHandshakeRefused: (reason) => refused.push(reason),
      });
      const stop = new AbortController();
      await certs.start(stop.signal);
      try {
        const closed: Promise<void>[] = [];
        for (let i = 0; i < 5; i++) {
          const s = netConnect({ host: '127.0.0.1', port: certs.port });
          s.on('error', () => undefined);
          closed.push(
            new Promise((r) =>
              s.once('close', () => {
                r();
              }),
            ),
          );
          await new Promise((r) => s.once('connect', r));
        }
        await Promise.all(closed);
        // 3 in their handshake, 1 waiting for a slot (its own handshake timed out in turn), 1 turned away.
        assert.deepEqual(refused.sort(), [
          'handshake_timeout',
          'handshake_timeout',
          'handshake_timeout',
          'handshake_timeout',
          'too_many_pending',
        ]);
        // Retried: on a loaded machine a fresh handshake can pass this server's 500 ms timeout.
        const status = async (path: string): Promise<number> =>
          eventually(() => fetchInsecure(`https://127.0.0.1:${String(certs.port)}${path}`, ca.certPem));
        assert.equal(await status('/node/known'), 200);
        assert.equal(await status('/node/other'), 404);
        assert.equal(await status('/node/unsure'), 503, 'a cache that cannot tell yet answers 503');
      } finally {
        stop.abort();
        await certs.stop();
      }
    });

    it('answers /node/{name} from the Node informer’s store', async () => {
      const { admin } = getCluster();
      const name = node('listed');
      await admin.request({ method: 'POST', path: '/api/v1/nodes', body: { metadata: { name } } });
      const url = (n: string): string => `${ctl.httpServer}/node/${n}`;
      await eventually(async () => {
        assert.equal(await fetchInsecure(url(name), ctl.controller.ca.certPem), 200);
      });
      assert.equal(await fetchInsecure(url(node('unlisted')), ctl.controller.ca.certPem), 404);
    });
  });
});

/** GET over HTTPS trusting `caPem`; resolves with the status. */
async function fetchInsecure(url: string, caPem: string): Promise<number> {
  const { request: httpsRequest } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca: caPem, agent: false, checkServerIdentity: () => undefined },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
