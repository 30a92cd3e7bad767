/**
 * The one way certs/ signs a leaf certificate with the CA: issuer = the CA's subject Name (byte-identical,
 * so Go chain building matches), not a CA, KeyUsage digitalSignature + keyEncipherment (as KubeEdge),
 * one extended key usage, backdated 5 minutes for clock skew and never valid past the CA.
 * @module
 */
import * as x509 from '@peculiar/x509';
import { authorityKeyIdentifier, notBeforeBackdateMs } from './ca.js';
import type { CertificateAuthority } from './ca.js';
import { ecdsaSha256 } from './keys.js';

/** What differs between the leaf certificates we issue. */
export interface LeafSpec {
  readonly subject: x509.X509CertificateCreateParamsName;
  readonly publicKey: x509.PublicKey | Uint8Array;
  readonly now: Date;
  readonly validityDays: number;
  /** `serverAuth` for the hub's certificate, `clientAuth` for edges. */
  readonly usage: 'serverAuth' | 'clientAuth';
  /** Extra extensions, e.g. the server certificate's SANs. */
  readonly extensions?: readonly x509.Extension[];
}

/** Signs a leaf certificate with the CA. */
export async function signLeaf(ca: CertificateAuthority, spec: LeafSpec): Promise<x509.X509Certificate> {
  const wanted = spec.now.getTime() + spec.validityDays * 86_400_000;
  return x509.X509CertificateGenerator.create({
    subject: spec.subject,
    issuer: ca.cert.subjectName,
    notBefore: new Date(spec.now.getTime() - notBeforeBackdateMs),
    notAfter: new Date(Math.min(wanted, ca.cert.notAfter.getTime())),
    publicKey: spec.publicKey,
    signingKey: ca.key.signingKey,
    signingAlgorithm: ecdsaSha256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[spec.usage]]),
      ...(spec.extensions ?? []),
      await authorityKeyIdentifier(ca),
    ],
  });
}
