import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiFailure } from './api-outcome.js';
import {
  badRequestFailure,
  forbiddenFailure,
  isConflict,
  isNotFound,
  isRecreatedConflict,
  methodNotAllowedFailure,
  notFoundFailure,
} from './api-outcome.js';

describe('failure builders', () => {
  it('builds the API server NotFound for a core resource', () => {
    assert.deepEqual(notFoundFailure('secrets', 's'), {
      code: 404,
      reason: 'NotFound',
      message: 'secrets "s" not found',
      details: { name: 's', kind: 'secrets' },
    });
  });

  it('builds a Forbidden naming the resource, with the group for grouped resources', () => {
    assert.deepEqual(forbiddenFailure('leases', 'edge-b', 'nope'), {
      code: 403,
      reason: 'Forbidden',
      message: 'leases.coordination.k8s.io "edge-b" is forbidden: nope',
      details: { name: 'edge-b', group: 'coordination.k8s.io', kind: 'leases' },
    });
  });

  it('builds BadRequest and MethodNotAllowed', () => {
    assert.equal(badRequestFailure('x').code, 400);
    assert.deepEqual(methodNotAllowedFailure('delete', 'configmap'), {
      code: 405,
      reason: 'MethodNotAllowed',
      message: 'operation "delete" is not supported on configmap',
    });
  });
});

describe('failure predicates', () => {
  const recreated: ApiFailure = {
    code: 409,
    reason: 'Conflict',
    message:
      'Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: a, UID in object meta: b. The object might have been deleted and then recreated',
  };
  const table: [string, ApiFailure, { notFound: boolean; conflict: boolean; recreated: boolean }][] = [
    ['NotFound', notFoundFailure('pods', 'p'), { notFound: true, conflict: false, recreated: false }],
    [
      'a stale resourceVersion',
      { code: 409, reason: 'Conflict', message: 'the object has been modified' },
      { notFound: false, conflict: true, recreated: false },
    ],
    [
      'AlreadyExists is not a conflict to retry',
      { code: 409, reason: 'AlreadyExists', message: 'exists' },
      { notFound: false, conflict: false, recreated: false },
    ],
    ['a failed UID precondition', recreated, { notFound: false, conflict: true, recreated: true }],
    [
      'a server error',
      { code: 500, reason: 'InternalError', message: 'x' },
      { notFound: false, conflict: false, recreated: false },
    ],
  ];
  for (const [name, failure, expected] of table) {
    it(`classifies ${name}`, () => {
      assert.deepEqual(
        {
          notFound: isNotFound(failure),
          conflict: isConflict(failure),
          recreated: isRecreatedConflict(failure),
        },
        expected,
      );
    });
  }
});
