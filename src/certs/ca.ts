/**
 * The certificate authority every edge trusts: its certificate, its key, and the two derived values the
 * wire needs (the PEM for TLS `ca` options, and `hex(sha256(caDER))`, the first part of a join token).
 * Creating a CA here mirrors KubeEdge's `NewCertificateAuthorityDer` (ECDSA P-256, self-signed, CN
 * `KubeEdge`, CA, EKU server+client, 100 years; `pkg/security/certs` in kubeedge/kubeedge v1.23.1); where
 * it comes from (files, Secret, or made here) is decided in tls-material.ts. Pure: `now` is passed in.
 * @module
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CertsError } from './errors.js';
import {
  derToPem,
  ecKeyFromPem,
  ecKeyFromSec1,
  ecdsaSha256,
  generateEcKey,
  isKeyForPublicKey,
  pemBlocks,
  publicKeySpki,
} from './keys.js';
import type { EcSigningKey } from './keys.js';

/** A loaded CA. Immutable; share one instance between the token worker, the cert server and the hub. */
export interface CertificateAuthority {
  /** The CA certificate DER, byte for byte as stored (`casecret/cadata`); served on `/ca.crt`. */
  readonly certDer: Uint8Array;
  /** The CA certificate as PEM, for TLS `ca` options. */
  readonly certPem: string;
  /** The parsed certificate; use its `subjectName` as the issuer of everything we sign. */
  readonly cert: x509.X509Certificate;
  /** The CA private key. `key.sec1Der` is also the HMAC key of join tokens (as in KubeEdge). */
  readonly key: EcSigningKey;
  /** `hex(sha256(certDer))`, lowercase: the first dot-separated part of a KubeEdge join token. */
  readonly hash: string;
}

/** Common name of a CA we create, as KubeEdge names its own. */
export const caCommonName = 'KubeEdge';

/** Lifetime of a CA we create: KubeEdge's `time.Hour * 24 * 364 * 100`-ish 100 years, in days. */
export const caValidityDays = 36_400;

/**
 * Certificates we sign start this long before `now`, so an edge whose clock lags a little does not see a
 * not-yet-valid certificate (KubeEdge uses `now`; cfssl and kubeadm backdate too).
 */
export const notBeforeBackdateMs = 5 * 60_000;

const dayMs = 86_400_000;

/** Creates a new self-signed CA. The serial is random (KubeEdge uses the constant 1024). */
export async function createCertificateAuthority(options: {
  readonly now: Date;
}): Promise<CertificateAuthority> {
  const key = await generateEcKey();
  const publicKey = publicKeySpki(key.keyObject);
  const notBefore = new Date(options.now.getTime() - notBeforeBackdateMs);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${caCommonName}`,
    issuer: `CN=${caCommonName}`,
    notBefore,
    notAfter: new Date(options.now.getTime() + caValidityDays * dayMs),
    publicKey,
    signingKey: key.signingKey,
    signingAlgorithm: ecdsaSha256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return assemble(new Uint8Array(cert.rawData), cert, key);
}

/**
 * Builds a CA from stored DER (`casecret`: `cadata` + SEC1 `cakeydata`). Throws `EC_CERTS_CA_INVALID`
 * (terminal) when the certificate is not a CA, the key is not ECDSA P-256, or they do not belong together.
 */
export function parseCertificateAuthority(input: {
  readonly certDer: Uint8Array;
  readonly keyDer: Uint8Array;
  readonly source: string;
}): CertificateAuthority {
  let key: EcSigningKey;
  try {
    key = ecKeyFromSec1(input.keyDer);
  } catch (err) {
    throw invalid(input.source, `the CA key is not a SEC1 ECDSA P-256 key: ${message(err)}`, err);
  }
  return fromParts(Uint8Array.from(input.certDer), key, input.source);
}

/**
 * Builds a CA from PEM file contents (`tlsCAFile` / `tlsCAKeyFile`). The key may be `EC PRIVATE KEY`
 * (SEC1, what KubeEdge writes) or `PRIVATE KEY` (PKCS#8, converted to SEC1). Throws `EC_CERTS_CA_INVALID`.
 */
export function parseCertificateAuthorityPem(input: {
  readonly certPem: string | Uint8Array;
  readonly keyPem: string | Uint8Array;
  readonly source: string;
}): CertificateAuthority {
  const certBlock = pemBlocks(input.certPem).find((b) => b.label === 'CERTIFICATE');
  if (certBlock === undefined) throw invalid(input.source, 'no CERTIFICATE PEM block in the CA file');
  let key: EcSigningKey;
  try {
    key = ecKeyFromPem(input.keyPem);
  } catch (err) {
    throw invalid(input.source, `the CA key file holds no ECDSA P-256 key: ${message(err)}`, err);
  }
  return fromParts(certBlock.der, key, input.source);
}

/** The AKI pointing at the CA: its own SKI when it has one (Go CAs do), else computed from its key. */
export async function authorityKeyIdentifier(
  ca: CertificateAuthority,
): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski !== null
    ? new x509.AuthorityKeyIdentifierExtension(ski.keyId)
    : x509.AuthorityKeyIdentifierExtension.create(ca.cert);
}

/** `hex(sha256(der))`, lowercase, as KubeEdge's `getCaHash` computes it. */
export function certificateHash(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

function fromParts(certDer: Uint8Array, key: EcSigningKey, source: string): CertificateAuthority {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certDer);
  } catch (err) {
    throw invalid(source, `the CA certificate is not DER X.509: ${message(err)}`, err);
  }
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (constraints?.ca !== true) throw invalid(source, 'the CA certificate is not a CA (basicConstraints cA)');
  if (!isKeyForPublicKey(key.keyObject, new Uint8Array(cert.publicKey.rawData)))
    throw invalid(source, 'the CA key does not belong to the CA certificate');
  return assemble(certDer, cert, key);
}

function assemble(certDer: Uint8Array, cert: x509.X509Certificate, key: EcSigningKey): CertificateAuthority {
  return Object.freeze({
    certDer,
    certPem: derToPem(certDer, 'CERTIFICATE'),
    cert,
    key,
    hash: certificateHash(certDer),
  });
}

function invalid(source: string, text: string, cause?: unknown): CertsError {
  return new CertsError('EC_CERTS_CA_INVALID', `CA from ${source}: ${text}`, {
    ...(cause !== undefined ? { cause } : {}),
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
