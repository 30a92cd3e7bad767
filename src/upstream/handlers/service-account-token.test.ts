import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failed, notFoundFailure, succeeded } from '../api-outcome.js';
import { assertEach, inputOf, replyContents, terminalOf, walk } from '../test-support.js';
import { decideServiceAccountToken } from './service-account-token.js';

const tokenRequest = (pod: string): Record<string, unknown> => ({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenRequest',
  metadata: { name: 'a-sa', namespace: 'default' },
  spec: {
    audiences: ['https://kubernetes.default.svc'],
    expirationSeconds: 3607,
    boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod, uid: 'p-uid' },
  },
});

describe('decideServiceAccountToken', () => {
  it('requests the token and answers the TokenRequest with the request spec echoed (errata O8)', () => {
    const request = tokenRequest('a-pod');
    const result = walk(
      decideServiceAccountToken(inputOf('default/serviceaccounttoken/a-sa', 'query', request)),
      [
        succeeded({
          spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 31536000 },
          status: { token: 'jwt' },
        }),
      ],
    );
    assert.deepEqual(result.calls, [
      {
        verb: 'create-token',
        target: { resource: 'serviceaccounts', namespace: 'default', name: 'a-sa' },
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: request.spec },
        asNode: true,
      },
    ]);
    assert.deepEqual(replyContents(result), [
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: request.spec,
        status: { token: 'jwt' },
      },
    ]);
    assert.equal(result.emissions[0]?.kind === 'reply' && result.emissions[0].resourceVersion, undefined);
  });

  it('answers a failure with {"Object":null,"Err"}, which the edge does not store', () => {
    const result = walk(
      decideServiceAccountToken(inputOf('default/serviceaccounttoken/a-sa', 'query', tokenRequest('a-pod'))),
      [failed(notFoundFailure('serviceaccounts', 'a-sa'))],
    );
    assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 404 } } }]);
  });

  const rejected: [string, string, Record<string, unknown>, string][] = [
    [
      "node B's ServiceAccount",
      'default/serviceaccounttoken/b-sa',
      tokenRequest('a-pod'),
      'object-not-referenced',
    ],
    [
      "a token bound to node B's pod",
      'default/serviceaccounttoken/a-sa',
      tokenRequest('b-pod'),
      'pod-not-on-node',
    ],
    [
      'an unbound token',
      'default/serviceaccounttoken/a-sa',
      { spec: { audiences: ['x'] } },
      'token-not-pod-bound',
    ],
  ];
  for (const [name, resource, content, reason] of rejected) {
    it(`denies node A ${name}, without a call`, () => {
      const result = walk(decideServiceAccountToken(inputOf(resource, 'query', content)));
      assert.equal(result.calls.length, 0);
      assert.partialDeepStrictEqual(terminalOf(result), { action: 'forbid', reason });
      assertEach(replyContents(result), [{ Object: null, Err: { ErrStatus: { code: 403 } } }]);
    });
  }

  it('answers content without a spec with a 400', () => {
    assert.partialDeepStrictEqual(
      terminalOf(walk(decideServiceAccountToken(inputOf('default/serviceaccounttoken/a-sa', 'query', null)))),
      {
        action: 'invalid',
        reason: 'malformed-content',
      },
    );
  });
});
