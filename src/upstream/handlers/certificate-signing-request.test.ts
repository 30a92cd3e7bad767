import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { csrNodeAnnotation, decideCertificateSigningRequest } from './certificate-signing-request.js';

const csr = (signerName: string): Record<string, unknown> => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'csr-abc', namespace: 'default', annotations: { [csrNodeAnnotation]: 'edge-b' } },
  spec: { signerName, request: 'LS0t', usages: ['server auth'] },
});

describe('decideCertificateSigningRequest insert', () => {
  it('creates a kubelet CSR annotated with the requesting node (not the one claimed) and answers an ObjectResp', () => {
    const result = walk(
      decideCertificateSigningRequest(
        inputOf('default/certificatesigningrequest/csr-abc', 'insert', csr('kubernetes.io/kubelet-serving')),
      ),
      [succeeded({ metadata: { name: 'csr-abc', resourceVersion: '3' } })],
    );
    const call = result.calls[0];
    if (call?.verb !== 'create') assert.fail('expected a create');
    assert.deepEqual(call.body.metadata, { name: 'csr-abc', annotations: { [csrNodeAnnotation]: 'edge-a' } });
    assertEach(replyContents(result), [{ Object: { kind: 'CertificateSigningRequest' }, Err: null }]);
  });

  it('denies a CSR for another signer', () => {
    const result = walk(
      decideCertificateSigningRequest(
        inputOf(
          'default/certificatesigningrequest/csr-abc',
          'insert',
          csr('kubernetes.io/kube-apiserver-client'),
        ),
      ),
    );
    assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason: 'csr-signer-not-allowed' });
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
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
    assertEach(replyContents(result), [{ ErrStatus: { code: 403 } }]);
  });
});
