import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EdgeControllerError, TerminalError, isEdgeControllerError } from './base.js';

describe('EdgeControllerError', () => {
  it('carries its code, its subclass name and its cause', () => {
    const cause = new Error('root');
    const err = new TerminalError('EC_CONFIG_INVALID', 'bad field', { cause });
    assert.equal(err.code, 'EC_CONFIG_INVALID');
    assert.equal(err.name, 'TerminalError');
    assert.equal(err.cause, cause);
    assert.equal(err.isRetryable, false);
    assert.equal(new EdgeControllerError('EC_KUBE_GONE', 'x').isRetryable, true);
  });

  it('is recognised by code', () => {
    const err = new EdgeControllerError('EC_KUBE_GONE', 'x');
    assert.ok(isEdgeControllerError(err, 'EC_KUBE_GONE'));
    assert.ok(!isEdgeControllerError(err, 'EC_KUBE_CONFLICT'));
    assert.ok(!isEdgeControllerError(new Error('x')));
  });
});
