/**
 * How an EdgeCore gets its certificate, played from the edge's side (KubeEdge
 * `edge/pkg/edgehub/certificate/certmanager.go`, v1.23.1): download the CA without verification, check
 * it against the token's hash, make a P-256 key and a DER CSR with the subject a real edge uses, and ask
 * `/edge.crt` with the bearer JWT (join) or with the current certificate (renewal).
 *
 * Each request opens its own TLS connection, as each EdgeCore does with its own HTTP client: through
 * Node's global agent, a simulated fleet shared a few pooled keep-alive connections between all its
 * nodes, so the server saw a fraction of the handshakes a real fleet makes, and a node could pick up a
 * pooled connection the server was just closing. A 503 (the server is busy) is retried after its
 * Retry-After, a little later at random so that refused nodes do not return together.
 * @module
 */
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import { request } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import * as x509 from '@peculiar/x509';

/** A node's TLS identity: PEM strings ready for `tls.connect` / `https.request`. */
export interface EdgeIdentity {
  readonly nodeName: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Where the certificate server is and who is joining. */
export interface JoinOptions {
  /** `https://host:port` of the certificate server (KubeEdge default port 10002). */
  readonly httpServer: string;
  readonly nodeName: string;
  /** The join token as `keadm gettoken` prints it: `<sha256 hex of the CA>.<JWT>`. */
  readonly token: string;
}

/** The certificate server refused or failed; `status` is the HTTP status (0 for a network error). */
export class JoinError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** With a 503: the server's Retry-After, seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'JoinError';
  }
}

/** How often a busy server's 503 is retried before the join fails with it. */
const maxBusyRetries = 20;

/** Joins with a token: returns the CA and a freshly issued client certificate with its key. */
export async function joinWithToken(options: JoinOptions): Promise<EdgeIdentity> {
  const parts = options.token.split('.');
  if (parts.length !== 4) throw new JoinError(0, 'token must have 4 dot-separated parts: <ca-hash>.<jwt>');
  const caDer = await fetchCa(options.httpServer);
  const caHash = createHash('sha256').update(caDer).digest('hex');
  if (caHash !== parts[0]) throw new JoinError(0, 'the CA served does not match the token hash');
  const caPem = x509.PemConverter.encode(toArrayBuffer(caDer), 'CERTIFICATE');
  const { csrDer, keyPem } = await makeCsr(options.nodeName);
  const certDer = await requestCertificate(options.httpServer, caPem, options.nodeName, csrDer, {
    authorization: `Bearer ${parts.slice(1).join('.')}`,
  });
  return {
    nodeName: options.nodeName,
    caPem,
    certPem: x509.PemConverter.encode(toArrayBuffer(certDer), 'CERTIFICATE'),
    keyPem,
  };
}

/** Renews over mTLS with the current certificate, as an edge does at 70-90 % of its lifetime. */
export async function renewWithCertificate(httpServer: string, current: EdgeIdentity): Promise<EdgeIdentity> {
  const { csrDer, keyPem } = await makeCsr(current.nodeName);
  const certDer = await requestCertificate(httpServer, current.caPem, current.nodeName, csrDer, {}, current);
  return { ...current, certPem: x509.PemConverter.encode(toArrayBuffer(certDer), 'CERTIFICATE'), keyPem };
}

/** The CSR subject a real EdgeCore sends. */
export function edgeSubject(nodeName: string): string {
  return `C=CN, ST=Zhejiang, L=Hangzhou, O=system:nodes, CN=system:node:${nodeName}`;
}

async function makeCsr(nodeName: string): Promise<{ csrDer: Buffer; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: edgeSubject(nodeName),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrDer: Buffer.from(csr.rawData), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

function fetchCa(httpServer: string): Promise<Buffer> {
  // Like the edge: the CA is fetched without verification and then checked against the token's hash.
  return send(new URL('/ca.crt', httpServer), { rejectUnauthorized: false, method: 'GET' });
}

async function requestCertificate(
  httpServer: string,
  caPem: string,
  nodeName: string,
  csrDer: Buffer,
  headers: Record<string, string>,
  clientIdentity?: EdgeIdentity,
): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce(httpServer, caPem, nodeName, csrDer, headers, clientIdentity);
    } catch (err) {
      const retryAfter = err instanceof JoinError && err.status === 503 ? err.retryAfterSeconds : undefined;
      if (retryAfter === undefined || attempt >= maxBusyRetries) throw err;
      await delay(retryAfter * 1000 * (1 + Math.random() / 2));
    }
  }
}

function requestOnce(
  httpServer: string,
  caPem: string,
  nodeName: string,
  csrDer: Buffer,
  headers: Record<string, string>,
  clientIdentity?: EdgeIdentity,
): Promise<Buffer> {
  return send(
    new URL('/edge.crt', httpServer),
    {
      method: 'GET', // KubeEdge sends the CSR as the body of a GET
      ca: caPem,
      headers: { ...headers, NodeName: nodeName, 'content-length': String(csrDer.length) },
      ...(clientIdentity !== undefined ? { cert: clientIdentity.certPem, key: clientIdentity.keyPem } : {}),
    },
    csrDer,
  );
}

interface SendOptions {
  readonly method: string;
  readonly rejectUnauthorized?: boolean;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
}

function send(url: URL, options: SendOptions, body?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // agent: false: a connection of this request's own, closed after it (see the module comment).
    const req = request(url, { ...options, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        const retryAfter = Number(res.headers['retry-after']);
        if (status === 200) resolve(data);
        else
          reject(
            new JoinError(
              status,
              `${url.pathname}: ${String(status)} ${data.toString('utf8').slice(0, 200)}`,
              status === 503 && Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
            ),
          );
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new JoinError(0, `${url.pathname}: timed out`)));
    req.on('error', (err) => {
      reject(err instanceof JoinError ? err : new JoinError(0, `${url.pathname}: ${err.message}`));
    });
    req.end(body);
  });
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
