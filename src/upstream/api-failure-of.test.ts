import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpFailure, toApiError } from '../kube/index.js';
import { apiFailureOf } from './api-failure-of.js';

const call = { verb: 'GET', resource: '/api/v1/namespaces/ns/pods/p' };

function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    details: { name: 'p', kind: 'pods' },
  });
}

describe('apiFailureOf', () => {
  it('keeps the API server’s code, reason, message and details, and does not retry a 404', () => {
    const read = apiFailureOf(
      toApiError(httpFailure(404, statusBody(404, 'NotFound', 'pods "p" not found')), call),
    );
    assert.deepEqual(read, {
      failure: {
        code: 404,
        reason: 'NotFound',
        message: 'pods "p" not found',
        details: { name: 'p', kind: 'pods' },
      },
      isRetryable: false,
      isApiError: true,
    });
  });

  it('retries 429 and 5xx, with Retry-After', () => {
    const busy = apiFailureOf(
      toApiError(
        httpFailure(429, statusBody(429, 'TooManyRequests', 'slow down'), { 'retry-after': '2' }),
        call,
      ),
    );
    assert.equal(busy.isRetryable, true);
    assert.equal(busy.retryAfterMs, 2000);
    assert.equal(apiFailureOf(toApiError(httpFailure(503, 'upstream down'), call)).isRetryable, true);
  });

  it('does not retry 403 and 422', () => {
    for (const code of [403, 422]) {
      const read = apiFailureOf(toApiError(httpFailure(code, statusBody(code, 'X', 'no')), call));
      assert.equal(read.isRetryable, false);
      assert.equal(read.failure.code, code);
    }
  });

  it('reports a network failure with code 0 and retries it', () => {
    const err = toApiError(Object.assign(new Error('connect'), { cause: { code: 'ECONNREFUSED' } }), call);
    const read = apiFailureOf(err);
    assert.equal(read.failure.code, 0);
    assert.equal(read.isRetryable, true);
    assert.match(read.failure.message, /ECONNREFUSED/);
  });

  it('turns an unclassified throw into a 500 InternalError that says nothing of the error', () => {
    const read = apiFailureOf(new TypeError('secret data: hunter2'));
    assert.equal(read.isApiError, false);
    assert.equal(read.failure.code, 500);
    assert.ok(!read.failure.message.includes('hunter2'));
  });
});
