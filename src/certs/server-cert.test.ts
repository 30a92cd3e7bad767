import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority } from './ca.js';
import { CertsError } from './errors.js';
import { derToPem } from './keys.js';
import type { ServerCertificate } from './server-cert.js';
import {
  checkServerCertificate,
  parseServerCertificate,
  parseServerCertificatePem,
  signServerCertificate,
} from './server-cert.js';

const now = new Date('2026-01-10T12:00:00Z');

describe('server certificate', () => {
  let ca: CertificateAuthority;
  let other: CertificateAuthority;
  let server: ServerCertificate;
  const spec = { advertiseAddress: ['127.0.0.1', '10.0.0.5', '::1'], dnsNames: ['', 'cloudcore.example'] };
  before(async () => {
    [ca, other] = await Promise.all([
      createCertificateAuthority({ now }),
      createCertificateAuthority({ now }),
    ]);
    server = await signServerCertificate({ ca, now, ...spec });
  });

  it('is signed by the CA for serverAuth with the advertised IPs and DNS names, like KubeEdge', () => {
    const cert = new X509Certificate(server.certDer);
    const caCert = new X509Certificate(ca.certDer);
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(cert.checkIssued(caCert));
    assert.equal(cert.subject, 'CN=KubeEdge\nO=KubeEdge');
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    for (const ip of spec.advertiseAddress) assert.equal(cert.checkIP(ip), ip);
    assert.equal(cert.checkHost('cloudcore.example'), 'cloudcore.example');
    assert.equal(cert.checkIP('10.0.0.6'), undefined);
    assert.equal(
      cert.publicKey.asymmetricKeyDetails?.namedCurve,
      'prime256v1',
      'ECDSA, for the Go cipher list',
    );
    assert.equal(cert.checkPrivateKey(ca.key.keyObject), false);
    assert.match(server.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(server.keyDer[0], 0x30, 'SEC1 DER');
  });

  it('defaults the SAN to 127.0.0.1', async () => {
    const local = await signServerCertificate({ ca, now });
    assert.equal(new X509Certificate(local.certDer).checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('round-trips the DER that cloudcoresecret stores, and PEM files with a chain', () => {
    const parsed = parseServerCertificate({ certDer: server.certDer, keyDer: server.keyDer, source: 'test' });
    assert.deepEqual(parsed.certDer, server.certDer);
    const fromFiles = parseServerCertificatePem({
      certPem: server.certPem + ca.certPem,
      keyPem: derToPem(server.keyDer, 'EC PRIVATE KEY'),
      source: 'files',
    });
    assert.deepEqual(fromFiles.certDer, server.certDer);
    assert.equal(fromFiles.certPem, server.certPem + ca.certPem, 'the whole chain is served');
  });

  it('refuses a key that does not match with EC_CERTS_SERVER_CERT_INVALID', () => {
    assert.throws(
      () => parseServerCertificate({ certDer: server.certDer, keyDer: ca.key.sec1Der, source: 'Secret x/y' }),
      (err: unknown) => err instanceof CertsError && err.code === 'EC_CERTS_SERVER_CERT_INVALID',
    );
    assert.throws(
      () => parseServerCertificatePem({ certPem: 'nope', keyPem: 'nope', source: 'files' }),
      /no CERTIFICATE PEM block/,
    );
  });

  it('fits while it is signed by the CA, valid, and covers every address', async () => {
    assert.deepEqual(await checkServerCertificate(server, { ca, now, ...spec }), { fits: true });
    const cases: [string, Parameters<typeof checkServerCertificate>[1], RegExp][] = [
      ['another CA', { ca: other, now, ...spec }, /not signed by the current CA/],
      ['a new IP', { ca, now, advertiseAddress: ['192.168.1.1'] }, /does not cover IP 192\.168\.1\.1/],
      ['a new DNS name', { ca, now, dnsNames: ['other.example'] }, /does not cover DNS name other\.example/],
      ['near expiry', { ca, now: new Date(server.notAfter.getTime() - 86_400_000), ...spec }, /expire/],
    ];
    for (const [name, check, why] of cases) {
      const fit = await checkServerCertificate(server, check);
      assert.ok(!fit.fits && why.test(fit.why), name);
    }
  });
});
