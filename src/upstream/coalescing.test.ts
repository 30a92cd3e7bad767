import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesceKeyOf, isPastReplyDeadline } from './coalescing.js';
import { requestOf } from './test-support.js';

describe('coalesceKeyOf', () => {
  const key = (resource: string, operation: string, isOwnLease = false) =>
    coalesceKeyOf(requestOf(resource, operation), isOwnLease);

  it('joins repeats of a registration, a plain query and a whole-state status write', () => {
    assert.equal(key('null/node/edge-a', 'insert'), key('null/node/edge-a', 'insert'));
    assert.notEqual(key('null/node/edge-a', 'insert'), undefined);
    assert.notEqual(key('null/nodestatus/edge-a', 'insert'), undefined);
    for (const resource of [
      'default/configmap/a-cm',
      'default/secret/a-secret',
      'null/persistentvolume/a-pv',
      'default/persistentvolumeclaim/a-pvc',
      'null/volumeattachment/va',
      'null/node/edge-a',
      'kube-node-lease/lease/edge-b',
      'null/certificatesigningrequest/csr-1',
    ]) {
      assert.notEqual(key(resource, 'query'), undefined, resource);
    }
    assert.notEqual(key('default/podstatus/a-pod', 'update'), undefined);
  });

  it('keeps a query and an insert of one resource apart, and two resources apart', () => {
    assert.notEqual(key('null/node/edge-a', 'query'), key('null/node/edge-a', 'insert'));
    assert.notEqual(key('default/configmap/a', 'query'), key('default/configmap/b', 'query'));
  });

  it('never joins diffs, token requests, events or pod creates, whose content makes each one different', () => {
    assert.equal(key('default/podpatch/a-pod', 'patch'), undefined);
    assert.equal(key('null/nodepatch/edge-a', 'patch'), undefined);
    assert.equal(key('default/serviceaccounttoken/a-sa', 'query'), undefined);
    assert.equal(key('default/event/e1', 'insert'), undefined);
    assert.equal(key('default/pod/a-pod', 'insert'), undefined);
    assert.equal(key('null/node/edge-a', 'update'), undefined, 'a label merge: each carries its own maps');
  });

  it("joins the node's own Lease per operation", () => {
    const lease = 'kube-node-lease/lease/edge-a';
    assert.equal(key(lease, 'insert', true), `insert\0${lease}`);
    assert.equal(key(lease, 'insert', false), undefined, "another node's lease insert is not joined");
  });
});

describe('isPastReplyDeadline', () => {
  const query = requestOf('default/configmap/a-cm', 'query');
  const insert = requestOf('null/node/edge-a', 'insert');

  it('gives up only reads, and only once the deadline has passed', () => {
    assert.equal(isPastReplyDeadline(query, 0, 60_000, 60_000), false);
    assert.equal(isPastReplyDeadline(query, 0, 60_001, 60_000), true);
    assert.equal(isPastReplyDeadline(insert, 0, 600_000, 60_000), false);
  });

  it('is off at a deadline of 0', () => {
    assert.equal(isPastReplyDeadline(query, 0, Number.MAX_SAFE_INTEGER, 0), false);
  });
});
