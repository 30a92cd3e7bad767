/**
 * CloudCore's own TLS server certificate (hub and certificate server). Signing mirrors KubeEdge's
 * `SignCerts` (`cloud/pkg/cloudhub/servers/httpserver/server.go`, v1.23.1): ECDSA P-256, `O=KubeEdge,
 * CN=KubeEdge`, EKU serverAuth, SAN IPs = `advertiseAddress`, SAN DNS = `dnsNames`, 100 years. The edge
 * verifies the address it dials against these SANs (wire spec §4.10), so {@link checkServerCertificate}
 * tells the loader whether a stored certificate still fits the configured addresses and CA. Pure.
 * @module
 */
import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import { caValidityDays } from './ca.js';
import { CertsError } from './errors.js';
import { bytesEqual, derToPem, generateEcKey, isKeyForPublicKey, pemBlocks, publicKeySpki } from './keys.js';
import { signLeaf } from './leaf.js';

/** A server certificate and key, ready for `node:tls` options. Never log `keyDer` or `keyPem`. */
export interface ServerCertificate {
  /** Leaf certificate DER (`cloudcoresecret/cloudcoredata`). */
  readonly certDer: Uint8Array;
  /** Private key DER as stored (`cloudcorekeydata`: SEC1 for keys we make). */
  readonly keyDer: Uint8Array;
  /** Certificate PEM for TLS `cert` (a file's whole chain when loaded from files). */
  readonly certPem: string;
  /** Private key as PKCS#8 PEM for TLS `key`. */
  readonly keyPem: string;
  readonly notAfter: Date;
}

/** Defaults of {@link signServerCertificate}. */
export const serverCertDefaults = Object.freeze({
  /** SAN IPs: KubeEdge requires the host IP; loopback keeps local edges and tests working. */
  advertiseAddress: Object.freeze<string[]>(['127.0.0.1']),
  /** SAN DNS names (KubeEdge's default `[""]` means none). */
  dnsNames: Object.freeze<string[]>([]),
  /** Lifetime in days (KubeEdge: 100 years). */
  validityDays: caValidityDays,
  /** A stored certificate expiring sooner than this is re-signed at start-up. */
  minRemainingMs: 30 * 86_400_000,
});

/** What the server certificate must cover. */
export interface ServerCertificateSpec {
  readonly ca: CertificateAuthority;
  readonly now: Date;
  /** SAN IP addresses; default {@link serverCertDefaults}. */
  readonly advertiseAddress?: readonly string[];
  /** SAN DNS names; empty strings are ignored. Default none. */
  readonly dnsNames?: readonly string[];
}

/** Signs a new server certificate with a fresh ECDSA P-256 key. */
export async function signServerCertificate(
  spec: ServerCertificateSpec & { readonly validityDays?: number },
): Promise<ServerCertificate> {
  const { ca, now } = spec;
  const ips = spec.advertiseAddress ?? serverCertDefaults.advertiseAddress;
  const dnsNames = (spec.dnsNames ?? serverCertDefaults.dnsNames).filter((n) => n !== '');
  const key = await generateEcKey();
  const cert = await signLeaf(ca, {
    subject: 'CN=KubeEdge, O=KubeEdge',
    publicKey: publicKeySpki(key.keyObject),
    now,
    validityDays: spec.validityDays ?? serverCertDefaults.validityDays,
    usage: 'serverAuth',
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        ...ips.map((value) => ({ type: 'ip' as const, value })),
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ]),
    ],
  });
  const certDer = new Uint8Array(cert.rawData);
  return assemble(certDer, derToPem(certDer, 'CERTIFICATE'), key.sec1Der, key.keyObject, cert.notAfter);
}

/**
 * Reads a stored server certificate (`cloudcoredata` DER + `cloudcorekeydata` DER: SEC1, PKCS#8 or
 * PKCS#1). Throws `EC_CERTS_SERVER_CERT_INVALID` when unparsable or when the key does not match.
 */
export function parseServerCertificate(input: {
  readonly certDer: Uint8Array;
  readonly keyDer: Uint8Array;
  readonly source: string;
}): ServerCertificate {
  const keyObject = (['sec1', 'pkcs8', 'pkcs1'] as const).reduce<KeyObject | undefined>((found, type) => {
    if (found !== undefined) return found;
    try {
      return createPrivateKey({ key: Buffer.from(input.keyDer), format: 'der', type });
    } catch {
      return undefined;
    }
  }, undefined);
  if (keyObject === undefined) throw invalid(input.source, 'the key is not SEC1, PKCS#8 or PKCS#1 DER');
  const certDer = Uint8Array.from(input.certDer);
  return checked(
    certDer,
    derToPem(certDer, 'CERTIFICATE'),
    Uint8Array.from(input.keyDer),
    keyObject,
    input.source,
  );
}

/**
 * Reads a server certificate from PEM file contents (`tlsCertFile`, `tlsPrivateKeyFile`). The first
 * CERTIFICATE block is the leaf; the whole file is served as the chain. Any key type node:tls accepts.
 */
export function parseServerCertificatePem(input: {
  readonly certPem: string | Uint8Array;
  readonly keyPem: string | Uint8Array;
  readonly source: string;
}): ServerCertificate {
  const certBlocks = pemBlocks(input.certPem).filter((b) => b.label === 'CERTIFICATE');
  const leaf = certBlocks[0];
  if (leaf === undefined) throw invalid(input.source, 'no CERTIFICATE PEM block in the certificate file');
  const keyBlock = pemBlocks(input.keyPem).find((b) => b.label.endsWith('PRIVATE KEY'));
  if (keyBlock === undefined) throw invalid(input.source, 'no PRIVATE KEY PEM block in the key file');
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: derToPem(keyBlock.der, keyBlock.label), format: 'pem' });
  } catch (err) {
    throw invalid(input.source, 'the private key cannot be read', err);
  }
  const chainPem = certBlocks.map((b) => derToPem(b.der, 'CERTIFICATE')).join('');
  return checked(leaf.der, chainPem, keyBlock.der, keyObject, input.source);
}

/** Whether a stored server certificate can still be served, and if not, why. */
export type ServerCertificateFit = { readonly fits: true } | { readonly fits: false; readonly why: string };

/**
 * Checks that a server certificate was signed by the CA, is valid for at least `minRemainingMs` more,
 * and covers every configured IP and DNS name (node:crypto `checkIP`/`checkHost`, the way TLS clients
 * match them).
 */
export async function checkServerCertificate(
  serverCert: ServerCertificate,
  spec: ServerCertificateSpec & { readonly minRemainingMs?: number },
): Promise<ServerCertificateFit> {
  const { ca, now } = spec;
  const cert = new x509.X509Certificate(serverCert.certDer);
  const sameIssuer = bytesEqual(
    new Uint8Array(cert.issuerName.toArrayBuffer()),
    new Uint8Array(ca.cert.subjectName.toArrayBuffer()),
  );
  if (!sameIssuer || !(await cert.verify({ publicKey: ca.cert, signatureOnly: true }).catch(() => false)))
    return { fits: false, why: 'it was not signed by the current CA' };
  const minRemainingMs = spec.minRemainingMs ?? serverCertDefaults.minRemainingMs;
  if (now < cert.notBefore || cert.notAfter.getTime() - now.getTime() < minRemainingMs)
    return { fits: false, why: 'it is expired, not yet valid or about to expire' };
  const native = new NodeX509Certificate(serverCert.certDer);
  for (const ip of spec.advertiseAddress ?? serverCertDefaults.advertiseAddress)
    if (native.checkIP(ip) === undefined) return { fits: false, why: `it does not cover IP ${ip}` };
  for (const name of (spec.dnsNames ?? serverCertDefaults.dnsNames).filter((n) => n !== ''))
    if (native.checkHost(name, { wildcards: false }) === undefined)
      return { fits: false, why: `it does not cover DNS name ${name}` };
  return { fits: true };
}

function checked(
  certDer: Uint8Array,
  certPem: string,
  keyDer: Uint8Array,
  keyObject: KeyObject,
  source: string,
): ServerCertificate {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certDer);
  } catch (err) {
    throw invalid(source, 'the certificate is not DER X.509', err);
  }
  if (!isKeyForPublicKey(keyObject, new Uint8Array(cert.publicKey.rawData)))
    throw invalid(source, 'the key does not belong to the certificate');
  return assemble(certDer, certPem, keyDer, keyObject, cert.notAfter);
}

function assemble(
  certDer: Uint8Array,
  certPem: string,
  keyDer: Uint8Array,
  keyObject: KeyObject,
  notAfter: Date,
): ServerCertificate {
  const keyPem = keyObject.export({ format: 'pem', type: 'pkcs8' });
  return Object.freeze({ certDer, keyDer, certPem, keyPem: String(keyPem), notAfter });
}

function invalid(source: string, text: string, cause?: unknown): CertsError {
  return new CertsError('EC_CERTS_SERVER_CERT_INVALID', `server certificate from ${source}: ${text}`, {
    ...(cause !== undefined ? { cause } : {}),
  });
}
