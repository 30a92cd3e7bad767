/**
 * A burst of joins at the certificate server, from an independent client (plain node:net, node:tls and
 * node:https, one new connection per request, as an edge that just booted): 400 edges ask `/edge.crt` at
 * once over links with a 300 ms round trip, against a server whose limits are far below that (20
 * handshakes at a time, 1 issuance at a time, 10 waiting). The round trip is what makes a burst a burst
 * for the server: a TLS handshake takes two of them, so every edge that arrives in the meantime is
 * accepted while the earlier ones are still in their handshake (on loopback without it, the server
 * finishes each handshake before it has accepted the next few). Each request must get a certificate or a
 * 503 with a Retry-After, never a reset or a bare close; after retrying as told, every node has its
 * certificate. Over real TLS on 127.0.0.1; no API server needed.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CertServer,
  createCertificateAuthority,
  createEdgeCsr,
  createJoinToken,
  signServerCertificate,
  splitJoinToken,
} from '../../src/certs/index.js';
import type { CertificateAuthority } from '../../src/certs/index.js';
import { delayedConnection } from '../support/delayed-link.js';

const burst = 400;
/** One way of the simulated link, ms. */
const linkDelayMs = 150;

/** What one request came to: a status and body, or the client's network error. */
type Outcome =
  | { readonly kind: 'reply'; readonly status: number; readonly body: Buffer; readonly retryAfter?: string }
  | { readonly kind: 'error'; readonly code: string };

describe('certificate server under a burst of joins', () => {
  let ca: CertificateAuthority;
  let server: CertServer;
  let bearer: string;
  const stop = new AbortController();
  const busy: string[] = [];
  const refusedHandshakes: string[] = [];

  before(async () => {
    const now = new Date();
    ca = await createCertificateAuthority({ now });
    const serverCert = await signServerCertificate({ ca, now, advertiseAddress: ['127.0.0.1'] });
    bearer = `Bearer ${splitJoinToken((await createJoinToken(ca, { now })).token)?.jwt ?? ''}`;
    server = new CertServer({
      ca,
      serverCert,
      address: '127.0.0.1',
      port: 0,
      nodeExists: () => false,
      isNodeConnected: () => false,
      // Far below the burst, so that it must be paced and refused whatever the machine's speed.
      maxPendingHandshakes: 20,
      maxQueuedHandshakes: 1_000,
      maxConcurrentIssuances: 1,
      maxQueuedIssuances: 10,
      onBusy: (reason) => busy.push(reason),
      onHandshakeRefused: (reason) => refusedHandshakes.push(reason),
    });
    await server.start(stop.signal);
  });

  after(async () => {
    stop.abort();
    await server.stop();
  });

  /** `/edge.crt` as an edge asks it, on a connection of its own (no agent, no reuse) over a slow link. */
  function edgeCrt(nodeName: string, csrDer: Uint8Array): Promise<Outcome> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          method: 'GET',
          path: '/edge.crt',
          // No agent: with createConnection, the request goes on that connection alone.
          createConnection: () =>
            tlsConnect({
              socket: delayedConnection(server.port, linkDelayMs),
              host: '127.0.0.1',
              ca: ca.certPem,
            }),
          timeout: 60_000,
          headers: {
            authorization: bearer,
            nodename: nodeName,
            'content-length': String(csrDer.byteLength),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({
              kind: 'reply',
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              ...(retryAfter !== undefined ? { retryAfter } : {}),
            });
          });
          res.on('error', (err: NodeJS.ErrnoException) => {
            resolve({ kind: 'error', code: err.code ?? err.message });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('client timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        resolve({ kind: 'error', code: err.code ?? err.message });
      });
      req.end(csrDer);
    });
  }

  it('answers every request of the burst with a certificate or a 503 to retry, and all get one', async (t) => {
    const nodes = await Promise.all(
      Array.from({ length: burst }, async (_, i) => {
        const nodeName = `burst-${String(i)}`;
        return { nodeName, csrDer: (await createEdgeCsr({ nodeName })).csrDer };
      }),
    );
    const caCert = new X509Certificate(ca.certDer);
    const issued = new Map<string, X509Certificate>();
    const firstRound: Outcome[] = [];
    let waiting = nodes;
    for (let round = 0; waiting.length > 0; round++) {
      assert.ok(round < 30, `${String(waiting.length)} nodes still without a certificate after 30 rounds`);
      const outcomes = await Promise.all(waiting.map((n) => edgeCrt(n.nodeName, n.csrDer)));
      if (round === 0) firstRound.push(...outcomes);
      const failures = outcomes.flatMap((o) =>
        o.kind === 'error'
          ? [o.code]
          : o.status !== 200 && o.status !== 503
            ? [`HTTP ${String(o.status)}`]
            : [],
      );
      assert.deepEqual(failures, [], `round ${String(round)}: requests neither served nor refused with 503`);
      let retryAfterSeconds = 0;
      const again: typeof nodes = [];
      outcomes.forEach((o, i) => {
        const node = waiting[i];
        if (node === undefined || o.kind !== 'reply') return;
        if (o.status === 200) {
          const cert = new X509Certificate(o.body);
          assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey));
          assert.equal(cert.subject.split('\n').at(-1), `CN=system:node:${node.nodeName}`);
          issued.set(node.nodeName, cert);
          return;
        }
        const seconds = Number(o.retryAfter);
        assert.ok(
          Number.isInteger(seconds) && seconds >= 1 && seconds <= 30,
          `Retry-After ${String(o.retryAfter)}`,
        );
        retryAfterSeconds = Math.max(retryAfterSeconds, seconds);
        again.push(node);
      });
      waiting = again;
      // As told by the server: the longest Retry-After of this round, before the next one.
      if (waiting.length > 0) await delay(retryAfterSeconds * 1000);
    }
    assert.equal(issued.size, burst);
    const refusedFirst = firstRound.filter((o) => o.kind === 'reply' && o.status === 503).length;
    t.diagnostic(`first round: ${String(refusedFirst)} of ${String(burst)} refused with 503 and retried`);
    assert.equal(busy.length >= refusedFirst, true, 'every 503 of the first round is counted');
    assert.deepEqual(refusedHandshakes, [], 'no connection was turned away before its handshake');
  });
});
