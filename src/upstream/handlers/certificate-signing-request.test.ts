import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, csrRequestOf, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { csrNodeAnnotation, decideCertificateSigningRequest } from './certificate-signing-request.js';

const clientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
const servingSigner = 'kubernetes.io/kubelet-serving';
const requests = { own: '', ownServing: '', other: '', masters: '' };

before(async () => {
  requests.own = await csrRequestOf('CN=system:node:edge-a, O=system:nodes');
  requests.ownServing = await csrRequestOf('CN=system:node:edge-a, O=system:nodes', [
    { type: 'dns', value: 'edge-a' },
    { type: 'ip', value: '10.0.0.1' },
  ]);
  requests.other = await csrRequestOf('CN=system:node:edge-b, O=system:nodes');
  requests.masters = await csrRequestOf('CN=system:node:edge-a, O=system:masters');
});

const csr = (
  signerName: string,
  request: string,
  usages = signerName === servingSigner
    ? ['digital signature', 'server auth']
    : ['digital signature', 'client auth'],
): Record<string, unknown> => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: {
    name: 'csr-abc',
    namespace: 'default',
    annotations: { [csrNodeAnnotation]: 'edge-b' },
    ownerReferences: [{ kind: 'Node', name: 'edge-b' }],
  },
  spec: { signerName, request, usages, username: 'system:node:edge-b', groups: ['system:masters'] },
  status: { conditions: [{ type: 'Approved', status: 'True' }] },
});

const insert = (content: Record<string, unknown>): ReturnType<typeof walk> =>
  walk(
    decideCertificateSigningRequest(inputOf('default/certificatesigningrequest/csr-abc', 'insert', content)),
    [succeeded({ metadata: { name: 'csr-abc', resourceVersion: '3' } })],
  );

describe('decideCertificateSigningRequest insert', () => {
  it('creates a kubelet CSR annotated with the requesting node (not the one claimed) and answers an ObjectResp', () => {
    const result = insert(csr(servingSigner, requests.ownServing));
    const call = result.calls[0];
    if (call?.verb !== 'create') assert.fail('expected a create');
    assert.deepEqual(call.body.metadata, { name: 'csr-abc', annotations: { [csrNodeAnnotation]: 'edge-a' } });
    assertEach(replyContents(result), [{ Object: { kind: 'CertificateSigningRequest' }, Err: null }]);
  });

  it('forwards no status, owners or requester fields: only what a node may say', () => {
    const call = insert(csr(clientSigner, requests.own)).calls[0];
    if (call?.verb !== 'create') assert.fail('expected a create');
    assert.deepEqual(Object.keys(call.body).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.deepEqual(call.body.spec, {
      signerName: clientSigner,
      request: requests.own,
      usages: ['digital signature', 'client auth'],
    });
  });

  const refused: [string, () => Record<string, unknown>, string][] = [
    [
      'for another signer',
      () => csr('kubernetes.io/kube-apiserver-client', requests.own),
      'csr-signer-not-allowed',
    ],
    ["in node B's name", () => csr(clientSigner, requests.other), 'csr-subject-not-allowed'],
    ['with O=system:masters', () => csr(clientSigner, requests.masters), 'csr-subject-not-allowed'],
    [
      'with server usages from the client signer',
      () => csr(clientSigner, requests.own, ['digital signature', 'server auth']),
      'csr-usages-not-allowed',
    ],
    ['with SANs from the client signer', () => csr(clientSigner, requests.ownServing), 'csr-san-not-allowed'],
  ];
  for (const [name, content, reason] of refused) {
    it(`denies a CSR ${name}, before any call`, () => {
      const result = insert(content());
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason });
      assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
    });
  }

  it('answers a request that is not a PEM CSR with a 400, before any call', () => {
    const result = insert(csr(clientSigner, 'LS0t'));
    assert.equal(result.calls.length, 0);
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'invalid', reason: 'malformed-content' });
  });
});

describe('decideCertificateSigningRequest query', () => {
  it('answers its own CSR bare with its RV; the read is not made as the node (errata W6)', () => {
    const result = walk(
      decideCertificateSigningRequest(inputOf('default/certificatesigningrequest/csr-abc', 'query', null)),
      [
        succeeded({
          metadata: { name: 'csr-abc', resourceVersion: '4', annotations: { [csrNodeAnnotation]: 'edge-a' } },
          status: { certificate: 'LS0t' },
        }),
      ],
    );
    assert.deepEqual(result.calls, [
      {
        verb: 'get',
        target: { resource: 'certificatesigningrequests', name: 'csr-abc' },
        servedFromCache: false,
        asNode: false,
      },
    ]);
    assertEach(result.emissions, [{ content: { kind: 'CertificateSigningRequest' }, resourceVersion: '4' }]);
  });

  it("denies node A node B's CSR after reading it", () => {
    const result = walk(
      decideCertificateSigningRequest(inputOf('default/certificatesigningrequest/csr-b', 'query', null)),
      [
        succeeded({
          metadata: { name: 'csr-b', annotations: { [csrNodeAnnotation]: 'edge-b' } },
          spec: { username: 'system:node:edge-b' },
        }),
      ],
    );
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'csr-not-own' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
  });
});
