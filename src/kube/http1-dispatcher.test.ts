import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { createCertificateAuthority, signServerCertificate } from '../certs/index.js';
import { KubeClient } from './client.js';

/** Loads a one-cluster, one-user kubeconfig (a bearer token) into `kc`; again to rotate the token. */
function loadTokenConfig(kc: KubeConfig, server: string, caPem: string, token: string): KubeConfig {
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: Buffer.from(caPem).toString('base64') }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

// A TLS endpoint that speaks both HTTP/2 and HTTP/1.1, as kube-apiserver does, and records which one each
// request came over. Not an API server: it answers every request with an empty JSON object.
describe('the API client connection pool', () => {
  let server: Http2SecureServer;
  let url: string;
  let caPem: string;
  const seen: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<TLSSocket>();
  before(async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ now });
    const leaf = await signServerCertificate({ ca, now });
    caPem = ca.certPem;
    server = createSecureServer({ allowHTTP1: true, cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      seen.push(req.httpVersion);
      authorizations.push(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    server.on('secureConnection', (socket: TLSSocket) => sockets.add(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(() => {
    // The client's keep-alive pool would hold close() open for its idle timeout.
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('would be offered HTTP/2 by undici by default (the endpoint negotiates it)', async () => {
    seen.length = 0;
    const agent = new Agent({ connect: { ca: caPem } });
    const res = await request(`${url}/api`, { dispatcher: agent });
    await res.body.text();
    await agent.close();
    assert.deepEqual(seen, ['2.0']);
  });

  it('speaks HTTP/1.1 for every request, concurrent or not', async () => {
    seen.length = 0;
    const kc = loadTokenConfig(new KubeConfig(), url, caPem, 'not-logged');
    const client = new KubeClient(kc);
    await Promise.all([1, 2, 3].map(() => client.request({ method: 'GET', path: '/api' })));
    await client.request({ method: 'GET', path: '/api' });
    assert.deepEqual(seen, ['1.1', '1.1', '1.1', '1.1']);
  });

  it('reads the kubeconfig credentials at most once a second, not per request, and picks up a new token', async () => {
    authorizations.length = 0;
    const kc = loadTokenConfig(new KubeConfig(), url, caPem, 'first');
    let reads = 0;
    const read = kc.applySecurityAuthentication.bind(kc);
    kc.applySecurityAuthentication = (context) => {
      reads += 1;
      return read(context);
    };
    const client = new KubeClient(kc);
    await Promise.all(Array.from({ length: 10 }, () => client.request({ method: 'GET', path: '/api' })));
    assert.equal(reads, 1, 'one read for a burst of 10 requests');
    // A rotated token (a token file, an exec plugin) is used once the reuse second is over.
    loadTokenConfig(kc, url, caPem, 'second');
    await delay(1_100);
    await client.request({ method: 'GET', path: '/api' });
    assert.equal(reads, 2);
    assert.deepEqual(authorizations, [...Array<string>(10).fill('Bearer first'), 'Bearer second']);
  });

  it("keeps an idle connection past undici's 4 s default instead of a new TLS handshake per burst", async () => {
    // Like kube-apiserver (Go): no Keep-Alive hint, idle connections kept (90 s there, forever here).
    const now = new Date();
    const ca = await createCertificateAuthority({ now });
    const leaf = await signServerCertificate({ ca, now });
    const plain = createHttpsServer(
      { cert: leaf.certPem, key: leaf.keyPem, keepAliveTimeout: 0 },
      (_, res) => {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      },
    );
    const handshakes: TLSSocket[] = [];
    plain.on('secureConnection', (socket: TLSSocket) => handshakes.push(socket));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const kc = loadTokenConfig(
      new KubeConfig(),
      `https://127.0.0.1:${String((plain.address() as AddressInfo).port)}`,
      ca.certPem,
      'not-logged',
    );
    const client = new KubeClient(kc);
    try {
      await client.request({ method: 'GET', path: '/api' });
      await delay(5_000); // longer than undici's default keep-alive timeout (4 s)
      await client.request({ method: 'GET', path: '/api' });
      assert.equal(handshakes.length, 1, 'both requests went over one TLS connection');
    } finally {
      for (const socket of handshakes) socket.destroy();
      plain.close();
    }
  });
});
