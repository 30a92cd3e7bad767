import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority } from './ca.js';
import { createEdgeCsr } from './csr.js';
import type { IssuanceRequest, IssuanceResult } from './issuance.js';
import { issueEdgeCertificate, statusForRejection } from './issuance.js';
import { generateEcKey, publicKeySpki } from './keys.js';
import { signServerCertificate } from './server-cert.js';
import { createJoinToken, splitJoinToken } from './token.js';

const now = new Date('2026-01-10T12:00:00Z');
const dayMs = 86_400_000;
const node = 'edge-1';

describe('issueEdgeCertificate', () => {
  let ca: CertificateAuthority;
  let bearer: string;
  const connected = new Set<string>();
  const policy = (): Parameters<typeof issueEdgeCertificate>[1] => ({
    ca,
    now,
    isNodeConnected: (name) => connected.has(name),
  });

  before(async () => {
    ca = await createCertificateAuthority({ now: new Date(now.getTime() - dayMs) });
    const { token } = await createJoinToken(ca, { now });
    bearer = `Bearer ${splitJoinToken(token)?.jwt ?? ''}`;
  });

  async function tokenJoin(overrides: Partial<IssuanceRequest> = {}): Promise<IssuanceResult> {
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    return issueEdgeCertificate(
      { csrDer, nodeName: node, authorization: bearer, clientCertDer: undefined, ...overrides },
      policy(),
    );
  }

  function issued(result: IssuanceResult): Extract<IssuanceResult, { kind: 'issued' }> {
    assert.equal(
      result.kind,
      'issued',
      result.kind === 'rejected' ? `${result.reason}: ${result.message}` : '',
    );
    return result;
  }

  it('issues a client-only certificate that verifies against the CA (token join)', async () => {
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    const result = issued(
      await issueEdgeCertificate(
        { csrDer, nodeName: node, authorization: bearer, clientCertDer: undefined },
        policy(),
      ),
    );
    assert.equal(result.method, 'token');
    assert.equal(result.nodeName, node);
    const cert = new X509Certificate(result.certDer);
    const caCert = new X509Certificate(ca.certDer);
    assert.ok(cert.verify(caCert.publicKey), 'signed by the CA key');
    assert.ok(cert.checkIssued(caCert), 'issuer matches the CA subject');
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'EKU clientAuth only');
    assert.equal(cert.subject, 'C=CN\nST=Zhejiang\nL=Hangzhou\nO=system:nodes\nCN=system:node:edge-1');
    const csrKey = new x509.Pkcs10CertificateRequest(csrDer).publicKey.rawData;
    assert.ok(
      cert.publicKey.equals(createPublicKey({ key: Buffer.from(csrKey), format: 'der', type: 'spki' })),
    );
    const parsed = new x509.X509Certificate(result.certDer);
    const usages = parsed.getExtension(x509.KeyUsagesExtension)?.usages;
    assert.equal(usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    assert.equal(parsed.getExtension(x509.SubjectAlternativeNameExtension), null, 'no SANs copied');
    const days = (parsed.notAfter.getTime() - now.getTime()) / dayMs;
    assert.equal(days, 365);
    assert.ok(parsed.notBefore < now);
  });

  it('gives every certificate a fresh random serial', async () => {
    const a = issued(await tokenJoin());
    const b = issued(await tokenJoin());
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.ok(a.serialNumber.length >= 30, 'about 128 random bits');
  });

  it('caps the validity at the CA expiry', async () => {
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    const result = issued(
      await issueEdgeCertificate(
        { csrDer, nodeName: node, authorization: bearer, clientCertDer: undefined },
        { ...policy(), edgeCertSigningDurationDays: 100_000 },
      ),
    );
    assert.equal(result.notAfter.getTime(), ca.cert.notAfter.getTime());
  });

  it('refuses a token join for a connected node but lets it renew by mTLS', async () => {
    const first = issued(await tokenJoin());
    const key = await createEdgeCsr({ nodeName: node });
    connected.add(node);
    try {
      const refused = await tokenJoin();
      assert.equal(refused.kind === 'rejected' && refused.reason, 'node-connected');
      assert.equal(refused.kind === 'rejected' && refused.status, 401);
      const renewed = await issueEdgeCertificate(
        { csrDer: key.csrDer, nodeName: node, authorization: undefined, clientCertDer: first.certDer },
        policy(),
      );
      assert.equal(issued(renewed).method, 'mtls');
    } finally {
      connected.delete(node);
    }
  });

  it('does not let a node renew into another node', async () => {
    const first = issued(await tokenJoin());
    const { csrDer } = await createEdgeCsr({ nodeName: 'edge-2' });
    const result = await issueEdgeCertificate(
      { csrDer, nodeName: 'edge-2', authorization: bearer, clientCertDer: first.certDer },
      policy(),
    );
    assert.equal(result.kind === 'rejected' && result.reason, 'client-cert-subject');
    assert.equal(result.method, 'mtls', 'a presented certificate decides; the token is not a fallback');
  });

  it('treats a legacy certificate like a token: opt-in and refused while the node is connected', async () => {
    const key = await generateEcKey();
    const legacy = await x509.X509CertificateGenerator.create({
      subject: 'O=KubeEdge, CN=kubeedge.io',
      issuer: ca.cert.subjectName,
      publicKey: publicKeySpki(key.keyObject),
      signingKey: ca.key.signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      notBefore: new Date(now.getTime() - dayMs),
      notAfter: new Date(now.getTime() + dayMs),
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
    });
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    const request = {
      csrDer,
      nodeName: node,
      authorization: undefined,
      clientCertDer: new Uint8Array(legacy.rawData),
    };
    const refused = await issueEdgeCertificate(request, policy());
    assert.equal(refused.kind === 'rejected' && refused.reason, 'client-cert-subject');
    const allowed = await issueEdgeCertificate(request, { ...policy(), allowLegacyEdgeCert: true });
    assert.equal(issued(allowed).method, 'mtls');
    connected.add(node);
    try {
      const busy = await issueEdgeCertificate(request, { ...policy(), allowLegacyEdgeCert: true });
      assert.equal(busy.kind === 'rejected' && busy.reason, 'node-connected');
    } finally {
      connected.delete(node);
    }
  });

  it('refuses the server certificate as a client certificate', async () => {
    const server = await signServerCertificate({ ca, now });
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    const result = await issueEdgeCertificate(
      { csrDer, nodeName: node, authorization: undefined, clientCertDer: server.certDer },
      policy(),
    );
    assert.equal(result.kind === 'rejected' && result.reason, 'client-cert-usage');
  });

  const rejections: {
    name: string;
    request: () => Promise<IssuanceResult>;
    reason: string;
    status: number;
  }[] = [
    {
      name: 'no NodeName header',
      request: () => tokenJoin({ nodeName: undefined }),
      reason: 'node-name-missing',
      status: 400,
    },
    {
      name: 'an invalid NodeName',
      request: () => tokenJoin({ nodeName: 'Edge_1' }),
      reason: 'node-name-invalid',
      status: 400,
    },
    {
      name: 'no token',
      request: () => tokenJoin({ authorization: undefined }),
      reason: 'token-missing',
      status: 401,
    },
    {
      name: 'a wrong token',
      request: () => tokenJoin({ authorization: `${bearer}x` }),
      reason: 'token-invalid',
      status: 401,
    },
    {
      name: 'an expired token',
      request: async () => {
        const { token } = await createJoinToken(ca, { now: new Date(now.getTime() - 2 * dayMs) });
        return tokenJoin({ authorization: `Bearer ${splitJoinToken(token)?.jwt ?? ''}` });
      },
      reason: 'token-expired',
      status: 401,
    },
    {
      name: 'a CSR for another node',
      request: () => tokenJoin({ nodeName: 'edge-2' }),
      reason: 'csr-subject',
      status: 401,
    },
    {
      name: 'a malformed CSR',
      request: () => tokenJoin({ csrDer: new TextEncoder().encode('hello') }),
      reason: 'csr-malformed',
      status: 400,
    },
  ];
  for (const { name, request, reason, status } of rejections) {
    it(`refuses ${name}: ${reason}, ${status}`, async () => {
      const result = await request();
      assert.equal(result.kind, 'rejected');
      assert.equal(result.reason, reason);
      assert.equal(result.status, status);
      assert.ok(!result.message.includes(bearer.slice(-16)), 'no token in text');
    });
  }

  it('maps body-too-large to 413', () => {
    assert.equal(statusForRejection('body-too-large'), 413);
  });
});
