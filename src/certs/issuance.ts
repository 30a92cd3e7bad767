/**
 * The `/edge.crt` decision: given the request (DER CSR, `NodeName` header, bearer token or verified TLS
 * client certificate) and the policy, either sign an edge client certificate or say why not. Mirrors
 * KubeEdge's `edgeCoreClientCert` (`cloud/pkg/cloudhub/servers/httpserver/certificate/certs.go`, v1.23.1):
 * a presented client certificate means renewal (mTLS) and the token is not looked at; otherwise the
 * bearer token must verify. Stricter than KubeEdge:
 * - the CSR must be self-signed correctly, ECDSA P-256, and name exactly `system:node:<NodeName>` in
 *   `system:nodes` (csr.ts);
 * - a renewing certificate must name the same node as the `NodeName` header;
 * - a token (or legacy-certificate) join is refused while that node is connected, so a leaked token
 *   cannot silently mint a second identity for a live node;
 * - the certificate is always a client certificate (EKU clientAuth only, not a CA): the `ExtKeyUsages`
 *   header KubeEdge honours is ignored, and CSR SANs are not copied.
 * Pure: `now` and `isNodeConnected` are passed in; the result is data.
 * @module
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import { checkEdgeCsr } from './csr.js';
import type { CsrRejection } from './csr.js';
import { identifyEdgeCertificate, isValidNodeName } from './edge-identity.js';
import type { ClientCertRejection } from './edge-identity.js';
import { verifyBearer } from './token.js';
import type { BearerRejection } from './token.js';
import { signLeaf } from './leaf.js';

/** Defaults of the issuance policy. */
export const issuanceDefaults = Object.freeze({
  /** KubeEdge `edgeCertSigningDuration`: lifetime of an edge certificate, in days. */
  edgeCertSigningDurationDays: 365,
  /** Accept the legacy `O=KubeEdge, CN=kubeedge.io` client certificate for renewal. */
  allowLegacyEdgeCert: false,
});

/** How a request authenticated. */
export type IssuanceMethod = 'token' | 'mtls';

/** Why a request was refused (stable; used as a metric label value). */
export type RejectionReason =
  | 'node-name-missing'
  | 'node-name-invalid'
  | 'node-connected'
  | 'body-too-large'
  | BearerRejection
  | ClientCertRejection
  | CsrRejection;

/** One `/edge.crt` request, as the server read it. */
export interface IssuanceRequest {
  /** The request body: the CSR in DER. */
  readonly csrDer: Uint8Array;
  /** The `NodeName` header. */
  readonly nodeName: string | undefined;
  /** The `Authorization` header (`Bearer <jwt>`). Never logged. */
  readonly authorization: string | undefined;
  /** DER of the TLS client certificate, when the client presented one (renewal). */
  readonly clientCertDer: Uint8Array | undefined;
}

/** The policy and the world as the decision sees it. */
export interface IssuancePolicy {
  readonly ca: CertificateAuthority;
  readonly now: Date;
  /** Whether the node has a live hub session right now (refuses token joins for it). */
  readonly isNodeConnected: (nodeName: string) => boolean;
  /** Certificate lifetime in days; default {@link issuanceDefaults}. Capped at the CA's notAfter. */
  readonly edgeCertSigningDurationDays?: number;
  /** See {@link issuanceDefaults}. */
  readonly allowLegacyEdgeCert?: boolean;
}

/** Outcome of {@link issueEdgeCertificate}. */
export type IssuanceResult =
  | {
      readonly kind: 'issued';
      readonly method: IssuanceMethod;
      readonly nodeName: string;
      /** The certificate DER: the 200 body of `/edge.crt`. */
      readonly certDer: Uint8Array;
      readonly serialNumber: string;
      readonly notAfter: Date;
    }
  | {
      readonly kind: 'rejected';
      readonly method: IssuanceMethod;
      readonly reason: RejectionReason;
      /** HTTP status to answer with. */
      readonly status: 400 | 401 | 413;
      /** Plain text for the response body; never contains the token or the request body. */
      readonly message: string;
    };

/** The HTTP status for a rejection: 400 for a bad request, 401 for failed authentication, 413 for size. */
export function statusForRejection(reason: RejectionReason): 400 | 401 | 413 {
  switch (reason) {
    case 'body-too-large':
      return 413;
    case 'node-name-missing':
    case 'node-name-invalid':
    case 'csr-malformed':
    case 'csr-signature':
    case 'csr-key':
      return 400;
    case 'node-connected':
    case 'token-missing':
    case 'token-malformed':
    case 'token-expired':
    case 'token-invalid':
    case 'client-cert-malformed':
    case 'client-cert-untrusted':
    case 'client-cert-expired':
    case 'client-cert-usage':
    case 'client-cert-subject':
    case 'csr-subject':
      return 401;
  }
}

/**
 * Decides one `/edge.crt` request and signs the certificate when it is allowed. Never throws on request
 * input; it throws only if signing itself fails (a broken CA key: an invariant).
 */
export async function issueEdgeCertificate(
  request: IssuanceRequest,
  policy: IssuancePolicy,
): Promise<IssuanceResult> {
  const method: IssuanceMethod = request.clientCertDer === undefined ? 'token' : 'mtls';
  const reject = (reason: RejectionReason, message: string): IssuanceResult => ({
    kind: 'rejected',
    method,
    reason,
    status: statusForRejection(reason),
    message,
  });
  const nodeName = request.nodeName;
  if (nodeName === undefined || nodeName === '')
    return reject('node-name-missing', 'the NodeName header is required');
  if (!isValidNodeName(nodeName))
    return reject('node-name-invalid', 'the NodeName header is not a valid node name (DNS-1123 subdomain)');

  const { ca, now } = policy;
  let mayJoinWhileConnected = false;
  if (request.clientCertDer !== undefined) {
    const check = await identifyEdgeCertificate(request.clientCertDer, {
      ca,
      now,
      allowLegacyEdgeCert: policy.allowLegacyEdgeCert ?? issuanceDefaults.allowLegacyEdgeCert,
    });
    if (!check.ok) return reject(check.reason, check.message);
    if (check.identity.kind === 'node') {
      if (check.identity.nodeName !== nodeName)
        return reject('client-cert-subject', 'the client certificate belongs to another node');
      mayJoinWhileConnected = true; // renewing its own identity: the live session is this node's
    }
  } else {
    const bearer = await verifyBearer(request.authorization, { ca, now });
    if (!bearer.ok) return reject(bearer.reason, bearer.message);
  }
  if (!mayJoinWhileConnected && policy.isNodeConnected(nodeName))
    return reject(
      'node-connected',
      `node ${nodeName} is connected; a new identity needs the node disconnected`,
    );

  const csrCheck = await checkEdgeCsr(request.csrDer, nodeName);
  if (!csrCheck.ok) return reject(csrCheck.reason, csrCheck.message);

  const cert = await signEdgeCertificate(ca, csrCheck.csr, {
    now,
    validityDays: policy.edgeCertSigningDurationDays ?? issuanceDefaults.edgeCertSigningDurationDays,
  });
  return {
    kind: 'issued',
    method,
    nodeName,
    certDer: new Uint8Array(cert.rawData),
    serialNumber: cert.serialNumber,
    notAfter: cert.notAfter,
  };
}

/**
 * Signs a client certificate for an already-checked CSR: its subject copied as-is, issuer = the CA's
 * subject Name (byte-identical, so Go chain building matches), KeyUsage digitalSignature +
 * keyEncipherment (as KubeEdge), EKU clientAuth, not a CA, random 128-bit serial, valid from
 * `now - 5 min` for `validityDays` but never past the CA.
 */
export async function signEdgeCertificate(
  ca: CertificateAuthority,
  csr: x509.Pkcs10CertificateRequest,
  options: { readonly now: Date; readonly validityDays: number },
): Promise<x509.X509Certificate> {
  return signLeaf(ca, {
    subject: csr.subjectName,
    publicKey: csr.publicKey,
    now: options.now,
    validityDays: options.validityDays,
    usage: 'clientAuth',
  });
}
