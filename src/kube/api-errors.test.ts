import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, TerminalApiError, actionForStatus, httpFailure, toApiError } from './api-errors.js';
import type { ApiErrorAction } from './api-errors.js';

const call = { verb: 'GET', resource: '/api/v1/pods' };

describe('actionForStatus', () => {
  const table: [number, ApiErrorAction][] = [
    [404, 'absorb'],
    [409, 'reread'],
    [410, 'relist'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [0, 'retry'],
    [401, 'retry'],
    [400, 'terminal'],
    [403, 'terminal'],
    [422, 'terminal'],
    [405, 'terminal'],
  ];
  for (const [status, action] of table) {
    it(`maps ${String(status)} to ${action}`, () => {
      assert.equal(actionForStatus(status), action);
    });
  }
});

describe('toApiError', () => {
  it('reads reason and message from a Status body and keeps the code', () => {
    const err = toApiError(
      httpFailure(
        409,
        JSON.stringify({
          kind: 'Status',
          reason: 'AlreadyExists',
          message: 'pods "a" already exists',
          code: 409,
        }),
      ),
      call,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'EC_KUBE_CONFLICT');
    assert.equal(err.reason, 'AlreadyExists');
    assert.equal(err.action, 'reread');
    assert.match(err.message, /already exists/);
    assert.equal(err.isRetryable, true);
  });

  it('makes 403 a terminal error that workers must not retry', () => {
    const err = toApiError(httpFailure(403, JSON.stringify({ reason: 'Forbidden', message: 'no' })), call);
    assert.ok(err instanceof TerminalApiError);
    assert.equal(err.code, 'EC_KUBE_REJECTED');
    assert.equal(err.isRetryable, false);
  });

  it('treats a network error without a response as unavailable and retryable', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const err = toApiError(new TypeError('fetch failed', { cause }), call);
    assert.equal(err.status, 0);
    assert.equal(err.reason, 'ECONNREFUSED');
    assert.equal(err.code, 'EC_KUBE_UNAVAILABLE');
    assert.equal(err.action, 'retry');
  });

  it('honours Retry-After on 429', () => {
    const err = toApiError(httpFailure(429, '{}', { 'retry-after': '3' }), call);
    assert.equal(err.retryAfterMs, 3000);
    assert.equal(err.action, 'retry');
  });

  it('survives a body that is not JSON', () => {
    const err = toApiError(httpFailure(502, '<html>bad gateway</html>'), call);
    assert.equal(err.reason, 'HTTP 502');
    assert.equal(err.action, 'retry');
  });

  it('reads client-node ApiException-shaped errors (code + string body)', () => {
    const thrown = Object.assign(new Error('HTTP-Code: 404'), {
      code: 404,
      body: JSON.stringify({ reason: 'NotFound', message: 'pods "x" not found' }),
      headers: {},
    });
    const err = toApiError(thrown, call);
    assert.equal(err.code, 'EC_KUBE_NOT_FOUND');
    assert.equal(err.action, 'absorb');
  });

  it('passes an already classified error through unchanged', () => {
    const first = toApiError(httpFailure(500, '{}'), call);
    assert.equal(toApiError(first, call), first);
  });
});
