/**
 * Checks the certificate signing request an edge sends to `/edge.crt` (DER PKCS#10). KubeEdge copies
 * whatever the CSR says into the certificate and never checks its signature (wire errata O9); we require:
 * a valid self-signature (proof the requester holds the key), an ECDSA P-256 key, and a subject naming
 * exactly the node the request is for: one CN `system:node:<nodeName>`, one O `system:nodes`. Other
 * attributes (C, ST, L, OU) are allowed: a real EdgeCore sends
 * `C=CN, ST=Zhejiang, L=Hangzhou, O=system:nodes, CN=system:node:<node>`
 * (`edge/pkg/edgehub/certificate/certmanager.go`). Pure.
 * @module
 */
import 'reflect-metadata';
import { createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { nodeCommonName, nodesOrganization } from './edge-identity.js';
import { derToPem, ecdsaP256, ecdsaSha256 } from './keys.js';

/** Why a CSR was refused. `csr-malformed` and `csr-signature` are client errors (400); the others too. */
export type CsrRejection = 'csr-malformed' | 'csr-signature' | 'csr-key' | 'csr-subject';

/** Outcome of {@link checkEdgeCsr}. */
export type CsrCheck =
  | { readonly ok: true; readonly csr: x509.Pkcs10CertificateRequest }
  | { readonly ok: false; readonly reason: CsrRejection; readonly message: string };

/** Verifies a DER CSR for node `nodeName`. Never throws on input. */
export async function checkEdgeCsr(csrDer: Uint8Array, nodeName: string): Promise<CsrCheck> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    // DER only (a SEQUENCE), as KubeEdge's x509.ParseCertificateRequest: the library would also take PEM.
    if (csrDer[0] !== 0x30) throw new Error('not DER');
    csr = new x509.Pkcs10CertificateRequest(csrDer);
  } catch {
    return reject('csr-malformed', 'the request body is not a DER certificate signing request');
  }
  if (!isP256(csr.publicKey)) return reject('csr-key', 'the CSR key must be ECDSA on curve P-256');
  const verified = await csr.verify().catch(() => false);
  if (!verified) return reject('csr-signature', 'the CSR signature does not verify');
  const expectedCn = nodeCommonName(nodeName);
  const cn = csr.subjectName.getField('CN');
  const o = csr.subjectName.getField('O');
  if (cn.length !== 1 || cn[0] !== expectedCn)
    return reject('csr-subject', `the CSR subject must have exactly one CN, ${expectedCn}`);
  if (o.length !== 1 || o[0] !== nodesOrganization)
    return reject('csr-subject', `the CSR subject must have exactly one O, ${nodesOrganization}`);
  return { ok: true, csr };
}

function isP256(publicKey: x509.PublicKey): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey.rawData), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

function reject(reason: CsrRejection, message: string): CsrCheck {
  return { ok: false, reason, message };
}

/** A CSR made the way EdgeCore makes one, with its key. Never log `keyPem`. */
export interface EdgeCsr {
  /** The CSR DER: the `/edge.crt` request body. */
  readonly csrDer: Uint8Array;
  readonly keys: webcrypto.CryptoKeyPair;
  /** The private key as PKCS#8 PEM, for a TLS client `key` option. */
  readonly keyPem: string;
}

/**
 * Makes a CSR exactly as EdgeCore does (`certmanager.go` `getCSR`, kubeedge/kubeedge v1.23.1): a fresh
 * ECDSA P-256 key, ECDSA-SHA256, subject in Go's RDN order `C=CN, ST=Zhejiang, L=Hangzhou,
 * O=system:nodes, CN=system:node:<nodeName>`. For the simulator and tests; `subject` (JSON RDNs in DER
 * order) and `keys` override the defaults to build bad requests.
 */
export async function createEdgeCsr(options: {
  readonly nodeName: string;
  readonly subject?: x509.JsonName;
  readonly keys?: webcrypto.CryptoKeyPair;
  readonly signingAlgorithm?: webcrypto.Algorithm | webcrypto.EcdsaParams;
}): Promise<EdgeCsr> {
  const keys = options.keys ?? (await webcrypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify']));
  const subject: x509.JsonName = options.subject ?? [
    { C: ['CN'] },
    { ST: ['Zhejiang'] },
    { L: ['Hangzhou'] },
    { O: [nodesOrganization] },
    { CN: [nodeCommonName(options.nodeName)] },
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: options.signingAlgorithm ?? ecdsaSha256,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    csrDer: new Uint8Array(csr.rawData),
    keys,
    keyPem: derToPem(new Uint8Array(pkcs8), 'PRIVATE KEY'),
  };
}
