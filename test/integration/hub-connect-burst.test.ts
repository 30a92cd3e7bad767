/**
 * A burst of edge connects at once against a hub that admits only a few handshakes at a time, from an
 * INDEPENDENT client: `ws` over node:tls with per-node client certificates signed by the controller's CA
 * (not the simulator). Connections over the handshake limit must wait in the guard's queue, and those
 * that find it full must be turned away with a close the edge can retry, never reset at accept (a RST
 * that makes a KubeEdge edge back off 5 s per try). A real kube-apiserver backs the controller.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import WebSocket from 'ws';
import { createEdgeCsr, signEdgeCertificate } from '../../src/certs/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();

/** The bytes of a TLS ClientHello, as node:tls writes it first (captured, never sent anywhere). */
function clientHello(): Promise<Buffer> {
  return new Promise((resolve) => {
    const wire = new Duplex({
      write(chunk: Buffer, _encoding, done) {
        resolve(Buffer.from(chunk));
        done();
        setImmediate(() => client.destroy()); // written from inside tlsConnect: `client` is not set yet
      },
      read() {
        // Nothing ever answers.
      },
    });
    const client = tlsConnect({ socket: wire, servername: 'edge', rejectUnauthorized: false });
    client.on('error', () => undefined);
  });
}
let ctl: TestController;
const burst = 600;
const hubOptions = {
  // Few handshakes at a time and a short queue: most of the burst finds the queue full.
  maxPendingHandshakes: 8,
  maxQueuedHandshakes: 64,
  handshakeQueueWaitMs: 10_000,
  // The connections that hold every slot when the burst arrives are closed after this. Long enough for
  // the whole burst to arrive meanwhile on a loaded machine (with 2 s, five busy processes on two cores
  // slowed the test's own 600 dials so much that the queue never filled and no one was turned away).
  handshakeTimeoutMs: 8_000,
  // No keepalives are sent: sessions must outlive the test.
  keepaliveTimeoutMs: 300_000,
};
const projectId = 'e632aba927ea4ac2b575ec1603d56f10';

interface Identity {
  readonly nodeName: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** How one connect attempt ended. */
type Attempt =
  | { readonly kind: 'open'; readonly ws: WebSocket }
  /** A close (FIN) before or during the handshake, or an HTTP refusal: the edge retries. */
  | { readonly kind: 'closed'; readonly detail: string }
  /** The kernel reset the connection (the old hub destroyed it at accept with its ClientHello unread). */
  | { readonly kind: 'reset'; readonly detail: string }
  | { readonly kind: 'other'; readonly detail: string };

function classify(err: NodeJS.ErrnoException): Attempt {
  const detail = `${err.code ?? ''} ${err.syscall ?? ''} ${err.message}`;
  // A reset is reported by the read or write that met it (`read ECONNRESET`); a close before the TLS
  // handshake finished is reported without a syscall ("Client network socket disconnected ...").
  if ((err.code === 'ECONNRESET' || err.code === 'EPIPE') && err.syscall !== undefined)
    return { kind: 'reset', detail };
  if (err.code === 'ECONNRESET') return { kind: 'closed', detail };
  return { kind: 'other', detail };
}

function connectOnce(hub: string, caPem: string, identity: Identity): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://${hub}/${projectId}/${identity.nodeName}/events`, {
      ca: caPem,
      cert: identity.certPem,
      key: identity.keyPem,
      headers: { node_id: identity.nodeName, project_id: projectId, ConnectionUse: 'msg' },
      perMessageDeflate: false,
      // EdgeCore's dial timeout (TLS and upgrade).
      handshakeTimeout: 30_000,
    });
    let settled = false;
    const settle = (attempt: Attempt): void => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    ws.once('open', () => {
      settle({ kind: 'open', ws });
    });
    ws.once('unexpected-response', (_req, res) => {
      settle({ kind: 'closed', detail: `HTTP ${String(res.statusCode)}` });
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      settle(classify(err));
    });
    ws.once('close', () => {
      settle({ kind: 'closed', detail: 'closed before open' });
    });
  });
}

describe('hub connect burst', () => {
  const sockets: WebSocket[] = [];

  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, { hub: hubOptions });
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await ctl.controller.stop();
  });

  it(`queues or gracefully turns away ${String(burst)} mTLS connects at once, never resets one, and all get in on retry`, async (t) => {
    const ca = ctl.controller.ca;
    // One key for every node (the hub checks the certificate's name, not the key's uniqueness).
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const identities: Identity[] = [];
    for (let i = 0; i < burst; i++) {
      const nodeName = `burst-${String(i)}`;
      const csr = await createEdgeCsr({ nodeName, keys });
      const cert = await signEdgeCertificate(ca, new x509.Pkcs10CertificateRequest(csr.csrDer), {
        now: new Date(),
        validityDays: 1,
      });
      identities.push({ nodeName, certPem: cert.toString('pem'), keyPem: csr.keyPem });
    }
    const failedBefore = await ctl.metric('edgecontroller_hub_connects_total', {
      result: 'tls_handshake_failed',
    });
    // Every handshake slot is held by a connection that sends its ClientHello and then nothing more
    // when the burst arrives (a client and hub in one process otherwise finish each handshake before the
    // next accept): the burst meets a full house, as it does when thousands of edges redial at once. (A
    // connection that sends nothing never takes a slot.)
    const [host = '127.0.0.1', port = '0'] = ctl.hubServer.split(':');
    const hello = await clientHello();
    const stalled: Promise<void>[] = [];
    for (let i = 0; i < hubOptions.maxPendingHandshakes; i++) {
      const socket = netConnect({ host, port: Number(port) });
      socket.on('error', () => undefined);
      socket.on('data', () => undefined); // the server's flight is read and ignored: no Finished follows
      socket.once('connect', () => socket.write(hello));
      stalled.push(
        new Promise((resolve) => {
          socket.once('close', () => {
            resolve();
          });
        }),
      );
      await new Promise((resolve) => socket.once('connect', resolve));
    }
    const tally = { closed: 0, reset: 0, other: 0 };
    const details = new Map<string, number>();
    // Every edge dials at once; after a close it retries a little later, as an edge's dial loop does.
    await Promise.all(
      identities.map(async (identity) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const result = await connectOnce(ctl.hubServer, ca.certPem, identity);
          if (result.kind === 'open') {
            sockets.push(result.ws);
            return;
          }
          tally[result.kind] += 1;
          if (result.kind !== 'closed') details.set(result.detail, (details.get(result.detail) ?? 0) + 1);
          await delay(1000 + Math.random() * 1000);
        }
        assert.fail(`${identity.nodeName} did not get in after 100 attempts`);
      }),
    );
    await Promise.all(stalled);
    assert.equal(
      await ctl.metric('edgecontroller_hub_handshakes_refused_total', {
        server: 'hub',
        reason: 'handshake_timeout',
      }),
      hubOptions.maxPendingHandshakes,
      'the stalled connections were closed by the guard',
    );
    const turnedAway = await ctl.metric('edgecontroller_hub_handshakes_refused_total', {
      server: 'hub',
      reason: 'too_many_pending',
    });
    t.diagnostic(
      `closes ${String(tally.closed)}, resets ${String(tally.reset)}, other ${String(tally.other)}, ` +
        `turned away by the hub ${String(turnedAway)} ${JSON.stringify([...details])}`,
    );
    assert.equal(tally.reset, 0, 'no connection was reset');
    assert.equal(tally.other, 0, 'every failed attempt was a close the edge can retry');
    assert.ok(turnedAway > 0, 'the burst overflowed the queue, so the turn-away path was taken');
    assert.ok(tally.closed >= turnedAway, 'each one turned away saw a close');
    await eventually(() => {
      assert.equal(ctl.controller.hub.connectedNodes().length, burst, 'every edge holds a session');
    });
    assert.equal(
      (await ctl.metric('edgecontroller_hub_connects_total', { result: 'tls_handshake_failed' })) -
        failedBefore,
      0,
      'a connection the guard closed (turned away, or timed out in its handshake) is not a failed TLS handshake',
    );
    assert.equal(await ctl.metric('edgecontroller_hub_connects_total', { result: 'accepted' }), burst);
  });
});
