/**
 * Certificates for any node name from the join token, the way an attacker holding the token gets them:
 * `GET /ca.crt` (unverified, checked against the token's hash), then `GET /edge.crt` with a DER CSR body,
 * `Authorization: Bearer <jwt>` and `NodeName` (kubeedge-wire.md §5.3). Written on node:https and
 * @peculiar/x509 alone, not on the simulator's join client.
 * @module
 */
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import { request } from 'node:https';
import * as x509 from '@peculiar/x509';

/** A node's TLS identity, PEM. */
export interface RawIdentity {
  readonly nodeName: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** An HTTPS answer: status and body. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** Mints a certificate for `nodeName` with the join token (any name: the token is not bound to one). */
export async function mintIdentity(
  httpServer: string,
  token: string,
  nodeName: string,
): Promise<RawIdentity> {
  const [caHash, ...jwtParts] = token.split('.');
  const ca = await httpsGet(new URL('/ca.crt', httpServer), { rejectUnauthorized: false });
  if (ca.status !== 200) throw new Error(`/ca.crt answered ${String(ca.status)}`);
  if (createHash('sha256').update(ca.body).digest('hex') !== caHash)
    throw new Error('CA does not match the token');
  const caPem = pem(ca.body, 'CERTIFICATE');
  const { csrDer, keyPem } = await makeCsr(`CN=system:node:${nodeName}, O=system:nodes`);
  const issued = await httpsGet(
    new URL('/edge.crt', httpServer),
    { ca: caPem, headers: { authorization: `Bearer ${jwtParts.join('.')}`, NodeName: nodeName } },
    csrDer,
  );
  if (issued.status !== 200) {
    throw new Error(`/edge.crt answered ${String(issued.status)}: ${issued.body.toString().slice(0, 200)}`);
  }
  return { nodeName, caPem, certPem: pem(issued.body, 'CERTIFICATE'), keyPem };
}

/** A fresh P-256 key and a PEM (or DER) CSR for `subject`, e.g. `CN=system:node:x, O=system:nodes`. */
export async function makeCsr(subject: string): Promise<{ csrDer: Buffer; csrPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    csrDer: Buffer.from(csr.rawData),
    csrPem: csr.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

/** The CN of a PEM certificate signing request. */
export function csrCommonName(csrPem: string): string | undefined {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  return csr.subjectName.getField('CN')[0];
}

/** One HTTPS GET (KubeEdge sends the CSR as the body of a GET); never rejects on an HTTP status. */
export function httpsGet(
  url: URL,
  options: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized?: boolean;
    readonly headers?: Record<string, string>;
    readonly timeoutMs?: number;
  },
  body?: Buffer,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        headers: {
          ...options.headers,
          ...(body !== undefined ? { 'content-length': String(body.length) } : {}),
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url.pathname}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function pem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
