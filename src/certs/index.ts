/**
 * Certificates: the CA, CloudCore's server certificate, KubeEdge join tokens and the certificate server
 * edges join through. Flow: main.ts loads the CA and the server certificate (tls-material.ts), starts the
 * {@link TokenSecretWorker} and the {@link CertServer}; the hub takes the CA and server certificate for its
 * own TLS and checks each edge's client certificate with {@link identifyEdgeCertificate}.
 * @module
 */
export type { CertificateAuthority } from './ca.js';
export {
  caCommonName,
  certificateHash,
  createCertificateAuthority,
  parseCertificateAuthority,
  parseCertificateAuthorityPem,
} from './ca.js';
export { CertServer, certServerDefaults } from './cert-server.js';
export type { CertServerOptions, IssuanceOutcome } from './cert-server.js';
export { checkEdgeCsr, createEdgeCsr } from './csr.js';
export { HandshakeGuard, isGuardClose } from './handshake-guard-worker.js';
export type {
  GuardListenOptions,
  HandshakeGuardOptions,
  HandshakeRefusal,
} from './handshake-guard-worker.js';
export { retryAfterSeconds } from './busy-retry.js';
export type { BusyRefusal } from './busy-retry.js';
export type { CsrCheck, CsrRejection, EdgeCsr } from './csr.js';
export {
  identifyEdgeCertificate,
  isValidNodeName,
  legacyEdgeSubject,
  nodeCommonName,
  nodeCommonNamePrefix,
  nodesOrganization,
} from './edge-identity.js';
export type {
  ClientCertRejection,
  EdgeCertificateCheck,
  EdgeIdentity,
  IdentifyOptions,
} from './edge-identity.js';
export { CertsError } from './errors.js';
export type { CertsErrorCode, CertsErrorOptions } from './errors.js';
export {
  issuanceDefaults,
  issueEdgeCertificate,
  signEdgeCertificate,
  statusForRejection,
} from './issuance.js';
export type {
  IssuanceMethod,
  IssuancePolicy,
  IssuanceRequest,
  IssuanceResult,
  RejectionReason,
} from './issuance.js';
export { derToPem, ecKeyFromPem, ecKeyFromSec1, generateEcKey, pemBlocks } from './keys.js';
export type { EcSigningKey, PemBlock } from './keys.js';
export {
  checkServerCertificate,
  parseServerCertificate,
  parseServerCertificatePem,
  serverCertDefaults,
  signServerCertificate,
} from './server-cert.js';
export type { ServerCertificate, ServerCertificateFit, ServerCertificateSpec } from './server-cert.js';
export { kubeedgeSecrets, loadCertificateAuthority, loadServerCertificate } from './tls-material.js';
export type {
  LoadCaOptions,
  LoadedCa,
  LoadedServerCertificate,
  LoadServerCertOptions,
  SecretAccess,
  StoredSecretData,
  TlsFiles,
} from './tls-material.js';
export { TokenSecretWorker, tokenSecretWorkerDefaults } from './token-secret-worker.js';
export type { TokenSecretWorkerOptions } from './token-secret-worker.js';
export { createJoinToken, splitJoinToken, tokenDefaults, verifyBearer } from './token.js';
export type { BearerRejection, BearerVerification, JoinToken } from './token.js';
