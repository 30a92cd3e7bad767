import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiFailure } from './api-outcome.js';
import { notFoundFailure } from './api-outcome.js';
import {
  errStatusContent,
  failedPodRespContent,
  objectReply,
  objectRespContent,
  okContent,
  resourceVersionOf,
  statusOf,
  tokenRequestContent,
} from './replies.js';

describe('okContent', () => {
  it('is the exact success string the edge compares with', () => {
    assert.equal(okContent, 'OK');
  });
});

describe('statusOf', () => {
  const table: [string, ApiFailure, { code: number; reason: string }][] = [
    ['keeps a NotFound', notFoundFailure('configmaps', 'c'), { code: 404, reason: 'NotFound' }],
    [
      'keeps AlreadyExists on 409',
      { code: 409, reason: 'AlreadyExists', message: 'm' },
      { code: 409, reason: 'AlreadyExists' },
    ],
    [
      'maps a network failure (code 0) to 503',
      { code: 0, reason: 'ECONNREFUSED', message: 'm' },
      { code: 503, reason: 'ServiceUnavailable' },
    ],
    [
      "replaces kube/'s HTTP fallback reason",
      { code: 500, reason: 'HTTP 500', message: 'm' },
      { code: 500, reason: 'InternalError' },
    ],
    [
      'leaves an unknown code without a reason',
      { code: 418, reason: '', message: 'm' },
      { code: 418, reason: '' },
    ],
  ];
  for (const [name, failure, expected] of table) {
    it(name, () => {
      const status = statusOf(failure);
      assert.equal(status.code, expected.code);
      assert.equal(status.reason, expected.reason);
      assert.equal(status.status, 'Failure');
      assert.equal(status.kind, 'Status');
      assert.equal(status.apiVersion, 'v1');
    });
  }
});

describe('errStatusContent', () => {
  it('serializes as the spec §4.3 NotFound shape', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(errStatusContent(notFoundFailure('configmaps', 'app-cfg')))), {
      ErrStatus: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'configmaps "app-cfg" not found',
        reason: 'NotFound',
        details: { name: 'app-cfg', kind: 'configmaps' },
        code: 404,
      },
    });
  });
});

describe('objectRespContent', () => {
  it('builds the missing-lease reply the kubelet needs to create its lease (§4.10)', () => {
    const content = objectRespContent(null, notFoundFailure('leases', 'edge-a'));
    assert.deepEqual(JSON.parse(JSON.stringify(content)), {
      Object: null,
      Err: {
        ErrStatus: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'leases.coordination.k8s.io "edge-a" not found',
          reason: 'NotFound',
          details: { name: 'edge-a', group: 'coordination.k8s.io', kind: 'leases' },
          code: 404,
        },
      },
    });
  });

  it('carries the object and a null Err on success, with capitalized keys', () => {
    assert.deepEqual(objectRespContent({ kind: 'Node' }), { Object: { kind: 'Node' }, Err: null });
  });
});

describe('failedPodRespContent', () => {
  it('carries KubeEdge’s empty Pod as Object, never null and never a pod, and the Status in Err', () => {
    const content = JSON.parse(JSON.stringify(failedPodRespContent(notFoundFailure('pods', 'web')))) as {
      Object: unknown;
      Err: { ErrStatus: { code: number; reason: string } };
    };
    // Go's json.Marshal(&v1.Pod{}), what client-go's typed Patch returns with an error.
    assert.deepEqual(content.Object, {
      metadata: { creationTimestamp: null },
      spec: { containers: null },
      status: {},
    });
    assert.equal(content.Err.ErrStatus.code, 404);
    assert.equal(content.Err.ErrStatus.reason, 'NotFound');
  });
});

describe('objectReply', () => {
  it('sets apiVersion/kind and takes the resourceVersion for the header', () => {
    const reply = objectReply('configmaps', {
      metadata: { name: 'c', resourceVersion: '51002' },
      data: { k: 'v' },
    });
    assert.deepEqual(reply, {
      content: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', resourceVersion: '51002' },
        data: { k: 'v' },
      },
      resourceVersion: '51002',
    });
  });

  it('uses the group version for grouped resources and omits an absent resourceVersion', () => {
    const reply = objectReply('volumeattachments', { metadata: { name: 'va' } });
    assert.equal(reply.content.apiVersion, 'storage.k8s.io/v1');
    assert.equal(reply.content.kind, 'VolumeAttachment');
    assert.equal('resourceVersion' in reply, false);
  });
});

describe('resourceVersionOf', () => {
  const table: [unknown, string | undefined][] = [
    [{ metadata: { resourceVersion: '7' } }, '7'],
    [{ metadata: { resourceVersion: '' } }, undefined],
    [{ metadata: {} }, undefined],
    [{}, undefined],
    ['OK', undefined],
    [null, undefined],
  ];
  for (const [object, expected] of table) {
    it(`reads ${JSON.stringify(object)} as ${String(expected)}`, () => {
      assert.equal(resourceVersionOf(object), expected);
    });
  }
});

describe('tokenRequestContent', () => {
  it("echoes the request's spec over the one the API returned (errata O8)", () => {
    const requestSpec = {
      audiences: ['api'],
      expirationSeconds: 3607,
      boundObjectRef: { kind: 'Pod', name: 'p', uid: 'u' },
    };
    const returned = {
      metadata: { name: 'sa', creationTimestamp: null },
      spec: {
        audiences: ['api'],
        expirationSeconds: 31536000,
        boundObjectRef: { kind: 'Pod', name: 'p', uid: 'u', apiVersion: 'v1' },
      },
      status: { token: 't', expirationTimestamp: '2025-01-01T00:00:00Z' },
    };
    assert.deepEqual(tokenRequestContent(returned, requestSpec), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: returned.metadata,
      spec: requestSpec,
      status: returned.status,
    });
  });
});
