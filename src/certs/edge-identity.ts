/**
 * Who an edge is, read from its client certificate. Used by the certificate server for mTLS renewal and by
 * the hub after the TLS handshake: the certificate must be signed by our CA, be valid at `now`, carry EKU
 * clientAuth, not be a CA, and name exactly one node as `O=system:nodes, CN=system:node:<name>` (the
 * identity the Kubernetes Node authorizer uses). KubeEdge's `verifyCert`
 * (`cloud/pkg/cloudhub/servers/httpserver/certificate/certs.go`, v1.23.1) also accepts the legacy
 * `O=KubeEdge, CN=kubeedge.io`, which names no node; we accept it only when asked to.
 * Pure: `now` is passed in.
 * @module
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import { bytesEqual } from './keys.js';

/** Common-name prefix of a node identity (`system:node:<name>`). */
export const nodeCommonNamePrefix = 'system:node:';
/** The organization (group) of every node identity. */
export const nodesOrganization = 'system:nodes';
/** The subject of pre-1.x KubeEdge edge certificates, which names no node. */
export const legacyEdgeSubject = Object.freeze({ commonName: 'kubeedge.io', organization: 'KubeEdge' });

/** Who a verified edge certificate belongs to. */
export type EdgeIdentity =
  | { readonly kind: 'node'; readonly nodeName: string }
  /** The legacy subject: any holder, no node named. Only with `allowLegacyEdgeCert`. */
  | { readonly kind: 'legacy' };

/** Why a client certificate was refused. */
export type ClientCertRejection =
  | 'client-cert-malformed'
  | 'client-cert-untrusted'
  | 'client-cert-expired'
  | 'client-cert-usage'
  | 'client-cert-subject';

/** Outcome of {@link identifyEdgeCertificate}. */
export type EdgeCertificateCheck =
  | { readonly ok: true; readonly identity: EdgeIdentity; readonly notAfter: Date }
  | { readonly ok: false; readonly reason: ClientCertRejection; readonly message: string };

/** Options of {@link identifyEdgeCertificate}. */
export interface IdentifyOptions {
  readonly ca: CertificateAuthority;
  readonly now: Date;
  /** Accept the legacy `O=KubeEdge, CN=kubeedge.io` subject (KubeEdge does). Default false. */
  readonly allowLegacyEdgeCert?: boolean;
}

const nodeNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `name` is a valid Node name (a DNS-1123 subdomain, at most 253 characters). */
export function isValidNodeName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && nodeNamePattern.test(name);
}

/** `system:node:<nodeName>`. */
export function nodeCommonName(nodeName: string): string {
  return `${nodeCommonNamePrefix}${nodeName}`;
}

/**
 * Verifies a client certificate (DER) against the CA and reads the edge identity from it. Never throws on
 * input. Only certificates signed directly by the CA are accepted (KubeEdge issues no intermediates).
 */
export async function identifyEdgeCertificate(
  certDer: Uint8Array,
  options: IdentifyOptions,
): Promise<EdgeCertificateCheck> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certDer);
  } catch {
    return reject('client-cert-malformed', 'the client certificate is not DER X.509');
  }
  const { ca, now } = options;
  const sameIssuer = bytesEqual(
    new Uint8Array(cert.issuerName.toArrayBuffer()),
    new Uint8Array(ca.cert.subjectName.toArrayBuffer()),
  );
  const signedByCa =
    sameIssuer && (await cert.verify({ publicKey: ca.cert, signatureOnly: true }).catch(() => false));
  if (!signedByCa) return reject('client-cert-untrusted', 'the client certificate was not signed by this CA');
  if (now < cert.notBefore || now > cert.notAfter)
    return reject('client-cert-expired', 'the client certificate is expired or not yet valid');
  let usage: { eku: readonly unknown[]; isCa: boolean };
  try {
    usage = {
      eku: cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [],
      isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca === true,
    };
  } catch {
    return reject('client-cert-malformed', 'the client certificate has unreadable extensions');
  }
  if (usage.isCa || !usage.eku.includes(x509.ExtendedKeyUsage.clientAuth))
    return reject('client-cert-usage', 'the client certificate is not a client-auth end-entity certificate');
  const identity = readIdentity(cert.subjectName, options.allowLegacyEdgeCert === true);
  if (identity === undefined)
    return reject(
      'client-cert-subject',
      `the client certificate subject must be O=${nodesOrganization}, CN=${nodeCommonNamePrefix}<node>`,
    );
  return { ok: true, identity, notAfter: cert.notAfter };
}

function readIdentity(subject: x509.Name, allowLegacy: boolean): EdgeIdentity | undefined {
  const cn = subject.getField('CN');
  const o = subject.getField('O');
  if (cn.length !== 1 || o.length !== 1) return undefined;
  const [commonName] = cn;
  const [organization] = o;
  if (organization === nodesOrganization && commonName?.startsWith(nodeCommonNamePrefix) === true) {
    const nodeName = commonName.slice(nodeCommonNamePrefix.length);
    return isValidNodeName(nodeName) ? { kind: 'node', nodeName } : undefined;
  }
  if (
    allowLegacy &&
    commonName === legacyEdgeSubject.commonName &&
    organization === legacyEdgeSubject.organization
  )
    return { kind: 'legacy' };
  return undefined;
}

function reject(reason: ClientCertRejection, message: string): EdgeCertificateCheck {
  return { ok: false, reason, message };
}
