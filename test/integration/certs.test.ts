/**
 * certs/ against a real kube-apiserver and over real TLS on 127.0.0.1: the CA is created exactly once
 * when two replicas race, the join token Secret is written and refreshed, and the certificate server
 * serves `/ca.crt`, `/edge.crt` (token join, mTLS renewal, every refusal) and `/node/{name}` the way a
 * stock EdgeCore calls them.
 */
import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  CertServer,
  TokenSecretWorker,
  createEdgeCsr,
  createJoinToken,
  derToPem,
  loadCertificateAuthority,
  loadServerCertificate,
  splitJoinToken,
  verifyBearer,
} from '../../src/certs/index.js';
import type { CertificateAuthority, IssuanceOutcome, ServerCertificate } from '../../src/certs/index.js';
import { SecretStore } from '../../src/kube/secrets.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();

interface SecretJson {
  metadata: { name: string; resourceVersion: string };
  data?: Record<string, string>;
}

function freshNamespaceName(): string {
  return `kubeedge-${randomBytes(3).toString('hex')}`;
}

describe('CA and token Secrets on a real API server', () => {
  it('creates the CA exactly once when two replicas start together, namespace included', async () => {
    const { admin } = getCluster();
    const namespace = freshNamespaceName(); // does not exist yet: both replicas race to create it too
    const now = new Date();
    const [a, b] = await Promise.all([
      loadCertificateAuthority({ secrets: new SecretStore({ client: admin }), now, namespace }),
      loadCertificateAuthority({ secrets: new SecretStore({ client: admin }), now, namespace }),
    ]);
    assert.deepEqual(a.ca.certDer, b.ca.certDer, 'both replicas use the same CA');
    assert.deepEqual(
      [a.source, b.source].sort(),
      ['created', 'secret'],
      'one created it, the other re-read it',
    );
    const list = await admin.request<{ items: SecretJson[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/secrets`,
    });
    const cas = list.items.filter((s) => s.metadata.name === 'casecret');
    assert.equal(cas.length, 1);
    assert.deepEqual(new Uint8Array(Buffer.from(cas[0]?.data?.['cadata'] ?? '', 'base64')), a.ca.certDer);
    assert.deepEqual(
      new Uint8Array(Buffer.from(cas[0]?.data?.['cakeydata'] ?? '', 'base64')),
      a.ca.key.sec1Der,
    );

    const again = await loadCertificateAuthority({
      secrets: new SecretStore({ client: admin }),
      now,
      namespace,
    });
    assert.equal(again.source, 'secret');
    assert.equal(again.ca.hash, a.ca.hash);
  });

  it('writes the join token Secret at start and refreshes it; earlier tokens stay valid', async () => {
    const { admin } = getCluster();
    const namespace = freshNamespaceName();
    const secrets = new SecretStore({ client: admin });
    const { ca } = await loadCertificateAuthority({ secrets, now: new Date(), namespace });
    const readToken = async (): Promise<string> => {
      const secret = await admin.request<SecretJson>({
        method: 'GET',
        path: `/api/v1/namespaces/${namespace}/secrets/tokensecret`,
      });
      return Buffer.from(secret.data?.['tokendata'] ?? '', 'base64').toString('utf8');
    };
    const worker = new TokenSecretWorker({ secrets, ca, namespace, tokenRefreshDurationMs: 2000 });
    const stop = new AbortController();
    await worker.start(stop.signal);
    try {
      const first = await readToken();
      const parts = first.split('.');
      assert.equal(parts.length, 4);
      assert.equal(parts[0], ca.hash);
      const refreshed = await eventually(
        async () => {
          const token = await readToken();
          assert.notEqual(token, first, 'the token was refreshed');
          return token;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      const now = new Date();
      for (const token of [first, refreshed]) {
        const verdict = await verifyBearer(`Bearer ${splitJoinToken(token)?.jwt ?? ''}`, { ca, now });
        assert.equal(verdict.ok, true, 'every token written is valid until its own exp');
      }
    } finally {
      stop.abort();
      await worker.stop();
    }
  });
});

interface Reply {
  readonly status: number;
  readonly body: Buffer;
}

interface CallOptions {
  readonly path: string;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
  /** Client certificate and key (PEM) for mTLS. */
  readonly cert?: string;
  readonly key?: string;
  /** Stream the body in chunks without Content-Length. */
  readonly chunked?: boolean;
}

describe('certificate server over TLS', () => {
  let ca: CertificateAuthority;
  let serverCert: ServerCertificate;
  let server: CertServer;
  const stop = new AbortController();
  const connected = new Set<string>();
  const outcomes: IssuanceOutcome[] = [];
  let logs = '';
  const knownNode = `known-${randomBytes(3).toString('hex')}`;

  before(async () => {
    const { admin } = getCluster();
    const namespace = freshNamespaceName();
    const secrets = new SecretStore({ client: admin });
    ({ ca } = await loadCertificateAuthority({ secrets, now: new Date(), namespace }));
    ({ serverCert } = await loadServerCertificate({ secrets, ca, now: new Date(), namespace }));
    await admin.request({ method: 'POST', path: '/api/v1/nodes', body: { metadata: { name: knownNode } } });
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logs += chunk.toString('utf8');
          done();
        },
      }),
    );
    server = new CertServer({
      ca,
      serverCert,
      address: '127.0.0.1',
      port: 0,
      logger,
      isNodeConnected: (name) => connected.has(name),
      nodeExists: async (name) => {
        try {
          await admin.request({ method: 'GET', path: `/api/v1/nodes/${name}` });
          return true;
        } catch (err) {
          if ((err as { action?: string }).action === 'absorb') return false;
          throw err;
        }
      },
      onIssuance: (outcome) => outcomes.push(outcome),
    });
    await server.start(stop.signal);
  });

  after(async () => {
    stop.abort();
    await server.stop();
  });

  /** One request as the edge makes it: GET with a body; the server is verified against the CA. */
  function call(options: CallOptions): Promise<Reply> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'GET',
          path: options.path,
          ca: ca.certPem,
          agent: false,
          headers: {
            ...options.headers,
            // Node sends a GET body unframed unless told: declare its length, or chunked encoding.
            ...(options.body === undefined
              ? {}
              : options.chunked === true
                ? { 'transfer-encoding': 'chunked' }
                : { 'content-length': String(options.body.byteLength) }),
          },
          ...(options.cert !== undefined ? { cert: options.cert } : {}),
          ...(options.key !== undefined ? { key: options.key } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            settled = true;
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          });
          res.on('error', (err) => {
            if (!settled && chunks.length > 0)
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
            else if (!settled) reject(err);
          });
        },
      );
      // The server may answer (413) and close before the whole body is written: that is the point.
      req.on('error', (err) => {
        if (!settled) reject(err);
      });
      if (options.body !== undefined && options.chunked === true) {
        const body = options.body;
        for (let at = 0; at < body.byteLength; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
        req.end();
      } else req.end(options.body);
    });
  }

  async function bearerFor(now: Date): Promise<string> {
    const { token } = await createJoinToken(ca, { now });
    return `Bearer ${splitJoinToken(token)?.jwt ?? ''}`;
  }

  it('serves the CA as raw DER on /ca.crt, with a server certificate valid for 127.0.0.1', async () => {
    const reply = await call({ path: '/ca.crt' });
    assert.equal(reply.status, 200);
    assert.deepEqual(new Uint8Array(reply.body), ca.certDer);
  });

  it('issues a client certificate for a token join made like a real edge, then renews it by mTLS only', async () => {
    const node = 'edge-a';
    const csr = await createEdgeCsr({ nodeName: node });
    const joined = await call({
      path: '/edge.crt',
      body: csr.csrDer,
      headers: { authorization: await bearerFor(new Date()), nodename: node },
    });
    assert.equal(joined.status, 200, joined.body.toString());
    const cert = new X509Certificate(joined.body);
    const caCert = new X509Certificate(ca.certDer);
    assert.ok(cert.verify(caCert.publicKey) && cert.checkIssued(caCert));
    assert.equal(cert.subject, 'C=CN\nST=Zhejiang\nL=Hangzhou\nO=system:nodes\nCN=system:node:edge-a');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);

    connected.add(node); // renewal is allowed while the node is connected
    try {
      const next = await createEdgeCsr({ nodeName: node });
      const renewed = await call({
        path: '/edge.crt',
        body: next.csrDer,
        headers: { nodename: node },
        cert: derToPem(new Uint8Array(joined.body), 'CERTIFICATE'),
        key: csr.keyPem,
      });
      assert.equal(renewed.status, 200, renewed.body.toString());
      const second = new X509Certificate(renewed.body);
      assert.ok(second.checkIssued(caCert));
      assert.notEqual(second.serialNumber, cert.serialNumber);
      assert.equal(second.subject, cert.subject);
    } finally {
      connected.delete(node);
    }
  });

  const refusals: {
    name: string;
    node: string;
    csrNode?: string;
    authorization: (bearer: () => Promise<string>) => Promise<string | undefined>;
    status: number;
    text: RegExp;
    connect?: boolean;
  }[] = [
    {
      name: 'a wrong token',
      node: 'edge-b',
      authorization: async (bearer) => `${await bearer()}x`,
      status: 401,
      text: /not signed by this CA/,
    },
    {
      name: 'an expired token',
      node: 'edge-b',
      authorization: () => bearerFor(new Date(Date.now() - 3 * 86_400_000)),
      status: 401,
      text: /expired/,
    },
    {
      name: 'no token and no client certificate',
      node: 'edge-b',
      authorization: () => Promise.resolve(undefined),
      status: 401,
      text: /no Authorization header/,
    },
    {
      name: 'a CSR with the CN of another node',
      node: 'edge-b',
      csrNode: 'edge-c',
      authorization: (bearer) => bearer(),
      status: 401,
      text: /CN, system:node:edge-b/,
    },
    {
      name: 'a token join for a node that is connected',
      node: 'edge-busy',
      authorization: (bearer) => bearer(),
      status: 401,
      text: /connected/,
      connect: true,
    },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name} with ${refusal.status} and a plain-text reason`, async () => {
      const { csrDer } = await createEdgeCsr({ nodeName: refusal.csrNode ?? refusal.node });
      const authorization = await refusal.authorization(() => bearerFor(new Date()));
      if (refusal.connect === true) connected.add(refusal.node);
      try {
        const reply = await call({
          path: '/edge.crt',
          body: csrDer,
          headers: { nodename: refusal.node, ...(authorization !== undefined ? { authorization } : {}) },
        });
        assert.equal(reply.status, refusal.status);
        assert.match(reply.body.toString('utf8'), refusal.text);
      } finally {
        connected.delete(refusal.node);
      }
    });
  }

  it('answers 400 for a body that is not a DER CSR', async () => {
    const reply = await call({
      path: '/edge.crt',
      body: new TextEncoder().encode('not a csr'),
      headers: { nodename: 'edge-d', authorization: await bearerFor(new Date()) },
    });
    assert.equal(reply.status, 400);
    assert.match(reply.body.toString(), /not a DER certificate signing request/);
  });

  it('answers 413 for a body over 1 MiB, declared or streamed', async () => {
    const body = new Uint8Array(1024 * 1024 + 1);
    const headers = { nodename: 'edge-e', authorization: await bearerFor(new Date()) };
    const declared = await call({ path: '/edge.crt', body, headers });
    assert.equal(declared.status, 413);
    const streamed = await call({
      path: '/edge.crt',
      body: new Uint8Array(4 * 1024 * 1024),
      headers,
      chunked: true,
    });
    assert.equal(streamed.status, 413);
  });

  it('tells whether a node exists on /node/{name}', async () => {
    const found = await call({ path: `/node/${knownNode}` });
    assert.deepEqual([found.status, found.body.toString()], [200, 'Node found']);
    const missing = await call({ path: '/node/no-such-node' });
    assert.deepEqual([missing.status, missing.body.toString()], [404, 'Node not found']);
    assert.equal((await call({ path: '/nodeupgrade' })).status, 404);
  });

  it('reported every outcome for metrics and logged no token, key or body', async () => {
    assert.ok(outcomes.some((o) => o.result === 'issued' && o.method === 'token'));
    assert.ok(outcomes.some((o) => o.result === 'issued' && o.method === 'mtls'));
    for (const reason of [
      'token-invalid',
      'token-expired',
      'token-missing',
      'csr-subject',
      'node-connected',
      'csr-malformed',
      'body-too-large',
    ])
      assert.ok(
        outcomes.some((o) => o.result === 'rejected' && o.reason === reason),
        `outcome ${reason} reported`,
      );
    assert.match(logs, /Edge certificate issued/);
    const jwt = (await bearerFor(new Date(0))).slice('Bearer '.length);
    const [header] = jwt.split('.');
    assert.ok(header !== undefined && !logs.includes(`${header}.`), 'no JWT in the logs');
    assert.ok(
      !logs.includes('PRIVATE KEY') &&
        !logs.includes(Buffer.from(ca.key.sec1Der).toString('base64').slice(0, 40)),
    );
    assert.ok(!logs.includes('MII'), 'no DER/base64 bodies in the logs');
  });

  it('refuses bad options at construction with EC_CONFIG_INVALID naming the field', () => {
    const base = { ca, serverCert, nodeExists: () => Promise.resolve(false), isNodeConnected: () => false };
    for (const [options, field] of [
      [{ port: 70_000 }, 'port'],
      [{ maxBodyBytes: 0 }, 'maxBodyBytes'],
      [{ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 }, 'headersTimeoutMs'],
    ] as const)
      assert.throws(
        () => new CertServer({ ...base, ...options }),
        (err: unknown) =>
          (err as { code?: string }).code === 'EC_CONFIG_INVALID' && (err as Error).message.includes(field),
      );
  });

  it('drops clients that stall in the handshake or the headers, and releases its port on stop', async () => {
    const strict = new CertServer({
      ca,
      serverCert,
      address: '127.0.0.1',
      port: 0,
      handshakeTimeoutMs: 300,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      connectionsCheckingIntervalMs: 100,
      nodeExists: () => Promise.resolve(false),
      isNodeConnected: () => false,
    });
    const own = new AbortController();
    await strict.start(own.signal);
    const closed = (socket: Socket): Promise<void> =>
      new Promise((resolve) => {
        socket.on('error', () => undefined);
        socket.resume(); // read (and drop) the 408 the server sends, or 'close' never comes
        socket.once('close', () => {
          resolve();
        });
      });
    try {
      const silent = netConnect({ host: '127.0.0.1', port: strict.port }); // never sends a ClientHello
      const slow = tlsConnect({ host: '127.0.0.1', port: strict.port, ca: ca.certPem }, () => {
        slow.write('GET /edge.crt HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // headers never finish
      });
      await Promise.all([closed(silent), closed(slow)]);
    } finally {
      own.abort();
      await strict.stop();
    }
    const refused = netConnect({ host: '127.0.0.1', port: strict.port });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => refused.once('error', resolve));
    assert.equal(error.code, 'ECONNREFUSED');
  });
});
