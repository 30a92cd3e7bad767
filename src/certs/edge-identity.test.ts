import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority } from './ca.js';
import { identifyEdgeCertificate, isValidNodeName } from './edge-identity.js';
import { generateEcKey, publicKeySpki } from './keys.js';

const now = new Date('2026-01-10T12:00:00Z');
const dayMs = 86_400_000;

interface CertSpec {
  readonly subject?: string;
  readonly usages?: string[];
  readonly isCa?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly issuer?: CertificateAuthority;
}

/** Signs a client certificate with `issuer` (default: the test CA) for test cases. */
async function clientCert(ca: CertificateAuthority, spec: CertSpec = {}): Promise<Uint8Array> {
  const issuer = spec.issuer ?? ca;
  const key = await generateEcKey();
  const cert = await x509.X509CertificateGenerator.create({
    subject: spec.subject ?? 'O=system:nodes, CN=system:node:edge-1',
    issuer: issuer.cert.subjectName,
    notBefore: spec.notBefore ?? new Date(now.getTime() - dayMs),
    notAfter: spec.notAfter ?? new Date(now.getTime() + dayMs),
    publicKey: publicKeySpki(key.keyObject),
    signingKey: issuer.key.signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(spec.isCa ?? false),
      new x509.ExtendedKeyUsageExtension(spec.usages ?? [x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return new Uint8Array(cert.rawData);
}

describe('isValidNodeName', () => {
  it('accepts DNS-1123 subdomains only', () => {
    for (const ok of ['edge-1', 'a', 'edge.zone-a.example', '0abc']) assert.ok(isValidNodeName(ok), ok);
    for (const bad of ['', 'Edge', 'edge_1', '-edge', 'edge-', 'a..b', 'a/b', 'x'.repeat(254), 'edge 1'])
      assert.ok(!isValidNodeName(bad), bad);
  });
});

describe('identifyEdgeCertificate', () => {
  let ca: CertificateAuthority;
  let other: CertificateAuthority;
  before(async () => {
    [ca, other] = await Promise.all([
      createCertificateAuthority({ now }),
      createCertificateAuthority({ now }),
    ]);
  });

  it('reads the node from O=system:nodes, CN=system:node:<node> signed by the CA', async () => {
    const result = await identifyEdgeCertificate(await clientCert(ca), { ca, now });
    assert.deepEqual(result.ok && result.identity, { kind: 'node', nodeName: 'edge-1' });
  });

  it('accepts extra RDNs like a real edge certificate has', async () => {
    const der = await clientCert(ca, {
      subject: 'C=CN, ST=Zhejiang, L=Hangzhou, O=system:nodes, CN=system:node:e2',
    });
    const result = await identifyEdgeCertificate(der, { ca, now });
    assert.deepEqual(result.ok && result.identity, { kind: 'node', nodeName: 'e2' });
  });

  it('accepts the legacy O=KubeEdge, CN=kubeedge.io only when allowed', async () => {
    const der = await clientCert(ca, { subject: 'O=KubeEdge, CN=kubeedge.io' });
    const refused = await identifyEdgeCertificate(der, { ca, now });
    assert.equal(!refused.ok && refused.reason, 'client-cert-subject');
    const allowed = await identifyEdgeCertificate(der, { ca, now, allowLegacyEdgeCert: true });
    assert.deepEqual(allowed.ok && allowed.identity, { kind: 'legacy' });
  });

  const cases: { name: string; cert: () => Promise<Uint8Array>; reason: string }[] = [
    {
      name: 'garbage',
      cert: () => Promise.resolve(new Uint8Array([1, 2, 3])),
      reason: 'client-cert-malformed',
    },
    {
      name: 'a certificate of another CA',
      cert: () => clientCert(ca, { issuer: other }),
      reason: 'client-cert-untrusted',
    },
    {
      name: 'a forged issuer name (our CA name, other key)',
      cert: async () => {
        const forger = { ...other, cert: new x509.X509Certificate(ca.certDer) };
        const key = await generateEcKey();
        const cert = await x509.X509CertificateGenerator.create({
          subject: 'O=system:nodes, CN=system:node:edge-1',
          issuer: ca.cert.subjectName,
          publicKey: publicKeySpki(key.keyObject),
          signingKey: forger.key.signingKey,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          notBefore: new Date(now.getTime() - dayMs),
          notAfter: new Date(now.getTime() + dayMs),
          extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
        });
        return new Uint8Array(cert.rawData);
      },
      reason: 'client-cert-untrusted',
    },
    {
      name: 'an expired certificate',
      cert: () =>
        clientCert(ca, {
          notBefore: new Date(now.getTime() - 3 * dayMs),
          notAfter: new Date(now.getTime() - dayMs),
        }),
      reason: 'client-cert-expired',
    },
    {
      name: 'a not-yet-valid certificate',
      cert: () =>
        clientCert(ca, {
          notBefore: new Date(now.getTime() + dayMs),
          notAfter: new Date(now.getTime() + 2 * dayMs),
        }),
      reason: 'client-cert-expired',
    },
    {
      name: 'a server-auth-only certificate',
      cert: () => clientCert(ca, { usages: [x509.ExtendedKeyUsage.serverAuth] }),
      reason: 'client-cert-usage',
    },
    { name: 'a CA certificate', cert: () => clientCert(ca, { isCa: true }), reason: 'client-cert-usage' },
    {
      name: 'a subject without O',
      cert: () => clientCert(ca, { subject: 'CN=system:node:edge-1' }),
      reason: 'client-cert-subject',
    },
    {
      name: 'a subject with O=system:masters',
      cert: () => clientCert(ca, { subject: 'O=system:masters, CN=system:node:edge-1' }),
      reason: 'client-cert-subject',
    },
    {
      name: 'an invalid node name',
      cert: () => clientCert(ca, { subject: 'O=system:nodes, CN=system:node:Bad_Name' }),
      reason: 'client-cert-subject',
    },
  ];
  for (const { name, cert, reason } of cases) {
    it(`refuses ${name} with ${reason}`, async () => {
      const result = await identifyEdgeCertificate(await cert(), { ca, now, allowLegacyEdgeCert: true });
      assert.equal(!result.ok && result.reason, reason);
    });
  }
});
