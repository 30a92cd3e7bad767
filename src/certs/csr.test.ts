import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import type * as x509 from '@peculiar/x509';
import { checkEdgeCsr, createEdgeCsr } from './csr.js';

const node = 'edge-1';

async function csrWith(subject: x509.JsonName): Promise<Uint8Array> {
  return (await createEdgeCsr({ nodeName: node, subject })).csrDer;
}

describe('checkEdgeCsr', () => {
  it('accepts a CSR made like a real EdgeCore (C, ST, L, O, CN)', async () => {
    const { csrDer } = await createEdgeCsr({ nodeName: node });
    const result = await checkEdgeCsr(csrDer, node);
    assert.equal(result.ok, true);
    assert.equal(result.csr.subject, 'C=CN, ST=Zhejiang, L=Hangzhou, O=system:nodes, CN=system:node:edge-1');
  });

  const rsaKeys = (): Promise<webcrypto.CryptoKeyPair> =>
    crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
  const p384Keys = (): Promise<webcrypto.CryptoKeyPair> =>
    crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);

  const cases: { name: string; csr: () => Promise<Uint8Array>; reason: string }[] = [
    {
      name: 'a CN naming another node',
      csr: () => csrWith([{ O: ['system:nodes'] }, { CN: ['system:node:edge-2'] }]),
      reason: 'csr-subject',
    },
    {
      name: 'a CN without the system:node: prefix',
      csr: () => csrWith([{ O: ['system:nodes'] }, { CN: [node] }]),
      reason: 'csr-subject',
    },
    { name: 'no CN', csr: () => csrWith([{ O: ['system:nodes'] }]), reason: 'csr-subject' },
    {
      name: 'two CNs',
      csr: () =>
        csrWith([{ O: ['system:nodes'] }, { CN: ['system:node:edge-1'] }, { CN: ['system:node:edge-2'] }]),
      reason: 'csr-subject',
    },
    {
      name: 'a wrong O (system:masters)',
      csr: () => csrWith([{ O: ['system:masters'] }, { CN: ['system:node:edge-1'] }]),
      reason: 'csr-subject',
    },
    { name: 'a missing O', csr: () => csrWith([{ CN: ['system:node:edge-1'] }]), reason: 'csr-subject' },
    {
      name: 'an extra O (system:masters)',
      csr: () =>
        csrWith([{ O: ['system:nodes'] }, { O: ['system:masters'] }, { CN: ['system:node:edge-1'] }]),
      reason: 'csr-subject',
    },
    {
      name: 'an RSA key',
      csr: async () =>
        (
          await createEdgeCsr({
            nodeName: node,
            keys: await rsaKeys(),
            signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
          })
        ).csrDer,
      reason: 'csr-key',
    },
    {
      name: 'a P-384 key',
      csr: async () =>
        (
          await createEdgeCsr({
            nodeName: node,
            keys: await p384Keys(),
            signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
          })
        ).csrDer,
      reason: 'csr-key',
    },
    {
      name: 'a tampered signature (last byte flipped)',
      csr: async () => {
        const der = Uint8Array.from((await createEdgeCsr({ nodeName: node })).csrDer);
        der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
        return der;
      },
      reason: 'csr-signature',
    },
    {
      name: 'a tampered subject (signed for edge-1, renamed)',
      csr: async () => {
        const der = Uint8Array.from((await createEdgeCsr({ nodeName: 'edge-x' })).csrDer);
        const at = Buffer.from(der).indexOf('system:node:edge-x');
        der[at + 'system:node:edge-'.length] = '1'.charCodeAt(0);
        return der;
      },
      reason: 'csr-signature',
    },
    { name: 'an empty body', csr: () => Promise.resolve(new Uint8Array()), reason: 'csr-malformed' },
    {
      name: 'a PEM body (the edge sends DER)',
      csr: async () => {
        const { csrDer } = await createEdgeCsr({ nodeName: node });
        const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(csrDer).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
        return new TextEncoder().encode(pem);
      },
      reason: 'csr-malformed',
    },
    {
      name: 'garbage',
      csr: () => Promise.resolve(new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2])),
      reason: 'csr-malformed',
    },
  ];
  for (const { name, csr, reason } of cases) {
    it(`refuses ${name} with ${reason}`, async () => {
      const result = await checkEdgeCsr(await csr(), node);
      assert.equal(result.ok, false);
      assert.equal(result.reason, reason, result.message);
    });
  }
});
