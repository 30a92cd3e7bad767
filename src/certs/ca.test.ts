import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority } from './ca.js';
import {
  caValidityDays,
  createCertificateAuthority,
  parseCertificateAuthority,
  parseCertificateAuthorityPem,
} from './ca.js';
import { CertsError } from './errors.js';
import { derToPem } from './keys.js';

const now = new Date('2026-01-10T12:00:00Z');

describe('createCertificateAuthority', () => {
  let ca: CertificateAuthority;
  before(async () => {
    ca = await createCertificateAuthority({ now });
  });

  it('makes a self-signed ECDSA P-256 CA named KubeEdge, valid 100 years, like KubeEdge', () => {
    const cert = new X509Certificate(ca.certDer);
    assert.equal(cert.subject, 'CN=KubeEdge');
    assert.equal(cert.issuer, 'CN=KubeEdge');
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(cert.publicKey), 'self-signature verifies');
    assert.ok(cert.checkIssued(cert));
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    const days = (new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000;
    assert.equal(Math.round(days), caValidityDays);
    assert.ok(new Date(cert.validFrom) <= now, 'valid from (slightly before) now');
  });

  it('keeps the key as SEC1 DER matching the certificate, and hashes the DER like KubeEdge', () => {
    const key = createPrivateKey({ key: Buffer.from(ca.key.sec1Der), format: 'der', type: 'sec1' });
    assert.ok(new X509Certificate(ca.certDer).checkPrivateKey(key));
    assert.equal(ca.hash, createHash('sha256').update(ca.certDer).digest('hex'));
    assert.match(ca.hash, /^[0-9a-f]{64}$/);
    assert.equal(ca.certPem, derToPem(ca.certDer, 'CERTIFICATE'));
  });

  it('gives two CAs different keys and serials', async () => {
    const other = await createCertificateAuthority({ now });
    assert.notEqual(other.hash, ca.hash);
    assert.notEqual(other.cert.serialNumber, ca.cert.serialNumber);
  });
});

describe('parseCertificateAuthority', () => {
  let ca: CertificateAuthority;
  let other: CertificateAuthority;
  before(async () => {
    [ca, other] = await Promise.all([
      createCertificateAuthority({ now }),
      createCertificateAuthority({ now }),
    ]);
  });

  it('round-trips the DER that casecret stores', () => {
    const parsed = parseCertificateAuthority({ certDer: ca.certDer, keyDer: ca.key.sec1Der, source: 'test' });
    assert.equal(parsed.hash, ca.hash);
    assert.deepEqual(parsed.key.sec1Der, ca.key.sec1Der);
  });

  it('reads PEM files with a SEC1 key byte for byte, and with a PKCS#8 key', () => {
    const sec1Pem = derToPem(ca.key.sec1Der, 'EC PRIVATE KEY');
    const fromSec1 = parseCertificateAuthorityPem({ certPem: ca.certPem, keyPem: sec1Pem, source: 'files' });
    assert.deepEqual(fromSec1.key.sec1Der, ca.key.sec1Der);
    const pkcs8Pem = ca.key.keyObject.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPkcs8 = parseCertificateAuthorityPem({
      certPem: ca.certPem,
      keyPem: pkcs8Pem,
      source: 'files',
    });
    assert.equal(fromPkcs8.hash, ca.hash);
  });

  const bad: { name: string; input: () => { certDer: Uint8Array; keyDer: Uint8Array }; text: RegExp }[] = [
    {
      name: 'a key of another CA',
      input: () => ({ certDer: ca.certDer, keyDer: other.key.sec1Der }),
      text: /does not belong/,
    },
    {
      name: 'a garbage key',
      input: () => ({ certDer: ca.certDer, keyDer: new Uint8Array([1, 2, 3]) }),
      text: /SEC1/,
    },
    {
      name: 'a garbage certificate',
      input: () => ({ certDer: new Uint8Array([0x30, 0x01]), keyDer: ca.key.sec1Der }),
      text: /not DER X\.509/,
    },
  ];
  for (const { name, input, text } of bad) {
    it(`refuses ${name} with EC_CERTS_CA_INVALID`, () => {
      assert.throws(
        () => parseCertificateAuthority({ ...input(), source: 'Secret kubeedge/casecret' }),
        (err: unknown) =>
          err instanceof CertsError &&
          err.code === 'EC_CERTS_CA_INVALID' &&
          !err.isRetryable &&
          text.test(err.message) &&
          err.message.includes('Secret kubeedge/casecret'),
      );
    });
  }

  it('refuses a certificate that is not a CA', async () => {
    const leaf = await x509.X509CertificateGenerator.create({
      subject: 'CN=leaf',
      issuer: ca.cert.subjectName,
      publicKey: ca.cert.publicKey,
      signingKey: ca.key.signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.BasicConstraintsExtension(false)],
    });
    assert.throws(
      () =>
        parseCertificateAuthority({
          certDer: new Uint8Array(leaf.rawData),
          keyDer: ca.key.sec1Der,
          source: 't',
        }),
      /not a CA/,
    );
  });

  it('refuses a P-384 key', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
      'verify',
    ]);
    const pkcs8Pem = derToPem(
      new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
      'PRIVATE KEY',
    );
    assert.throws(
      () => parseCertificateAuthorityPem({ certPem: ca.certPem, keyPem: pkcs8Pem, source: 'files' }),
      /not P-256/,
    );
  });
});
