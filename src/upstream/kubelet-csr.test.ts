import assert from 'node:assert/strict';
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { KubeletCsrRequest, NodeFacts } from './kubelet-csr.js';
import { kubeletCsrViolation, parseKubeletCsr } from './kubelet-csr.js';

const client = 'kubernetes.io/kube-apiserver-client-kubelet';
const serving = 'kubernetes.io/kubelet-serving';
const clientUsages = ['digital signature', 'client auth'];
const servingUsages = ['digital signature', 'server auth'];

const facts: NodeFacts = {
  nodeAddresses: (node) =>
    node === 'edge-a'
      ? [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'InternalIP', address: '2001:DB8::0:1' },
          { type: 'Hostname', address: 'edge-a.lab' },
          // A node writes its own status: it could list another node's name as its hostname.
          { type: 'Hostname', address: 'edge-b' },
        ]
      : [{ type: 'InternalIP', address: '10.0.0.2' }],
  isNode: (name) => name === 'edge-a' || name === 'edge-b',
};

let keys: webcrypto.CryptoKeyPair;

async function csrBase64(name: string, sans: x509.JsonGeneralNames = []): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: sans.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(sans)],
  });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

async function parsed(name: string, sans: x509.JsonGeneralNames = []): Promise<KubeletCsrRequest> {
  const request = parseKubeletCsr(await csrBase64(name, sans));
  assert.ok(request !== undefined);
  return request;
}

before(async () => {
  keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
});

describe('parseKubeletCsr', () => {
  it('reads the subject and the SANs of a PEM CSR in base64', async () => {
    const request = await parsed('CN=system:node:edge-a, O=system:nodes', [
      { type: 'dns', value: 'edge-a' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'email', value: 'x@y' },
    ]);
    assert.deepEqual(request.dnsNames, ['edge-a']);
    assert.deepEqual(request.ipAddresses, ['10.0.0.1']);
    assert.deepEqual(request.otherNames, ['email:x@y']);
  });

  it('refuses what is not a PEM certificate request', () => {
    assert.equal(parseKubeletCsr(Buffer.from('hello').toString('base64')), undefined);
    assert.equal(
      parseKubeletCsr(
        Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----').toString(
          'base64',
        ),
      ),
      undefined,
    );
  });
});

describe('kubeletCsrViolation', () => {
  const own = 'CN=system:node:edge-a, O=system:nodes';
  type Row = [
    string,
    string,
    readonly string[] | undefined,
    string,
    x509.JsonGeneralNames,
    string | undefined,
  ];
  const rows: Row[] = [
    ['a client CSR for itself', client, clientUsages, own, [], undefined],
    [
      'a client CSR with key encipherment (RSA)',
      client,
      [...clientUsages, 'key encipherment'],
      own,
      [],
      undefined,
    ],
    [
      'a client CSR in O-first order',
      client,
      clientUsages,
      'O=system:nodes, CN=system:node:edge-a',
      [],
      undefined,
    ],
    [
      "a client CSR in node B's name",
      client,
      clientUsages,
      'CN=system:node:edge-b, O=system:nodes',
      [],
      'csr-subject-not-allowed',
    ],
    [
      'a client CSR with O=system:masters',
      client,
      clientUsages,
      'CN=system:node:edge-a, O=system:masters',
      [],
      'csr-subject-not-allowed',
    ],
    [
      'a client CSR with a second O',
      client,
      clientUsages,
      'CN=system:node:edge-a, O=system:nodes, O=system:masters',
      [],
      'csr-subject-not-allowed',
    ],
    [
      'a client CSR with an extra attribute',
      client,
      clientUsages,
      'CN=system:node:edge-a, O=system:nodes, OU=x',
      [],
      'csr-subject-not-allowed',
    ],
    ['a client CSR without O', client, clientUsages, 'CN=system:node:edge-a', [], 'csr-subject-not-allowed'],
    [
      'a client CSR for a user',
      client,
      clientUsages,
      'CN=admin, O=system:nodes',
      [],
      'csr-subject-not-allowed',
    ],
    [
      'another signer',
      'kubernetes.io/kube-apiserver-client',
      clientUsages,
      own,
      [],
      'csr-signer-not-allowed',
    ],
    [
      'a client CSR with server auth',
      client,
      [...clientUsages, 'server auth'],
      own,
      [],
      'csr-usages-not-allowed',
    ],
    ['a client CSR without usages', client, undefined, own, [], 'csr-usages-not-allowed'],
    [
      'a client CSR with a SAN',
      client,
      clientUsages,
      own,
      [{ type: 'dns', value: 'edge-a' }],
      'csr-san-not-allowed',
    ],
    [
      'a serving CSR for its name and IPs',
      serving,
      servingUsages,
      own,
      [
        { type: 'dns', value: 'edge-a' },
        { type: 'dns', value: 'EDGE-A.lab' },
        { type: 'ip', value: '10.0.0.1' },
        { type: 'ip', value: '2001:db8::1' },
      ],
      undefined,
    ],
    [
      'a serving CSR with client usages',
      serving,
      clientUsages,
      own,
      [{ type: 'dns', value: 'edge-a' }],
      'csr-usages-not-allowed',
    ],
    ['a serving CSR without SANs', serving, servingUsages, own, [], 'csr-san-not-allowed'],
    [
      'a serving CSR naming node B',
      serving,
      servingUsages,
      own,
      [{ type: 'dns', value: 'edge-b' }],
      'csr-san-not-allowed',
    ],
    [
      'a serving CSR naming a foreign host',
      serving,
      servingUsages,
      own,
      [{ type: 'dns', value: 'kubernetes.default.svc' }],
      'csr-san-not-allowed',
    ],
    [
      "a serving CSR with node B's IP",
      serving,
      servingUsages,
      own,
      [{ type: 'ip', value: '10.0.0.2' }],
      'csr-san-not-allowed',
    ],
    [
      'a serving CSR with a URI',
      serving,
      servingUsages,
      own,
      [
        { type: 'dns', value: 'edge-a' },
        { type: 'url', value: 'spiffe://x' },
      ],
      'csr-san-not-allowed',
    ],
  ];
  for (const [name, signerName, usages, subject, sans, expected] of rows) {
    it(`${expected === undefined ? 'allows' : 'refuses'} ${name}`, async () => {
      const request = await parsed(subject, sans);
      const violation = kubeletCsrViolation('edge-a', { signerName, usages, request }, facts);
      assert.equal(violation?.reason, expected, violation?.message);
    });
  }
});
