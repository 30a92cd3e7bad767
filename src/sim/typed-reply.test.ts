import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessageId } from '../protocol/index.js';
import type { Message } from '../protocol/index.js';
import { afterLeaseQuery, afterLeaseWrite, decodeTypedReply, isConflict, isNotFound } from './typed-reply.js';
import type { TypedReply } from './typed-reply.js';

function reply(content: unknown, operation = 'response'): Message {
  const id = parseMessageId('r-1');
  const parent = parseMessageId('q-1');
  assert.ok(id && parent);
  return {
    header: { msg_id: id, parent_msg_id: parent, timestamp: 0 },
    route: { source: 'edgecontroller', group: 'resource', operation, resource: 'kube-node-lease/lease/n' },
    content,
  };
}

const notFound = { status: 'Failure', reason: 'NotFound', code: 404, message: 'leases "n" not found' };
const lease = { metadata: { name: 'n', resourceVersion: '7' } };

describe('decodeTypedReply (json.Unmarshal into {Object, Err StatusError})', () => {
  const table: [string, unknown, TypedReply['kind']][] = [
    ['an ObjectResp with an object', { Object: lease, Err: null }, 'object'],
    ['an ObjectResp with an error Status', { Object: null, Err: { ErrStatus: notFound } }, 'error'],
    ['a bare Status is success without an object (no Object/Err keys)', { ErrStatus: notFound }, 'no-object'],
    ['Object null and Err null', { Object: null, Err: null }, 'no-object'],
    ['an empty Err is the zero StatusError', { Object: lease, Err: {} }, 'object'],
    ['an all-empty ErrStatus is the zero StatusError', { Object: lease, Err: { ErrStatus: {} } }, 'object'],
    ['keys match case-insensitively', { object: lease, err: null }, 'object'],
    ['null content', null, 'no-object'],
    ['the string "OK" is not JSON of the struct', 'OK', 'undecodable'],
    ['an array', [lease], 'undecodable'],
    ['a string Err', { Object: null, Err: 'boom' }, 'undecodable'],
  ];
  for (const [name, content, kind] of table) {
    it(name, () => {
      assert.equal(decodeTypedReply(reply(content)).kind, kind);
    });
  }

  it('reads a JSON string content as the raw bytes Go decodes', () => {
    assert.deepEqual(decodeTypedReply(reply(JSON.stringify({ Object: lease, Err: null }))), {
      kind: 'object',
      object: lease,
    });
  });
});

describe('apierrors reason checks', () => {
  it('NotFound by reason, or by code 404 with a reason apimachinery does not know', () => {
    assert.ok(isNotFound({ reason: 'NotFound', code: 0, message: '' }));
    assert.ok(isNotFound({ reason: '', code: 404, message: '' }));
    assert.ok(!isNotFound({ reason: 'Forbidden', code: 404, message: '' }));
  });
  it('Conflict by reason, or by code 409 with an unknown reason', () => {
    assert.ok(isConflict({ reason: 'Conflict', code: 409, message: '' }));
    assert.ok(!isConflict({ reason: 'AlreadyExists', code: 409, message: '' }));
  });
});

describe('the kubelet node lease controller after its GET', () => {
  it('creates the lease only on NotFound', () => {
    assert.deepEqual(
      afterLeaseQuery(decodeTypedReply(reply({ Object: null, Err: { ErrStatus: notFound } }))),
      {
        kind: 'create',
      },
    );
  });
  it('neither creates nor updates on a bare 404 Status: it only GETs again next period (§4.10)', () => {
    assert.deepEqual(afterLeaseQuery(decodeTypedReply(reply({ ErrStatus: notFound }))), { kind: 'wait' });
  });
  it('updates a lease it found', () => {
    assert.deepEqual(afterLeaseQuery(decodeTypedReply(reply({ Object: lease, Err: null }))), {
      kind: 'update',
      base: lease,
    });
  });
  it('retries on another error', () => {
    const forbidden = { ...notFound, reason: 'Forbidden', code: 403, message: 'no' };
    assert.deepEqual(
      afterLeaseQuery(decodeTypedReply(reply({ Object: null, Err: { ErrStatus: forbidden } }))),
      {
        kind: 'retry',
        message: 'no',
      },
    );
  });
});

describe('the lease held after a create or update', () => {
  const held = { metadata: { name: 'n', resourceVersion: '6' } };
  it('holds the returned lease', () => {
    assert.deepEqual(afterLeaseWrite(decodeTypedReply(reply({ Object: lease, Err: null })), held), { lease });
  });
  it('drops it on a Conflict so that the next period GETs the newer one', () => {
    const conflict = { ...notFound, reason: 'Conflict', code: 409, message: 'conflict' };
    assert.deepEqual(
      afterLeaseWrite(decodeTypedReply(reply({ Object: null, Err: { ErrStatus: conflict } })), held),
      {
        lease: undefined,
        error: 'conflict',
      },
    );
  });
  it('keeps it on another error to retry the update', () => {
    const unavailable = { ...notFound, reason: 'ServiceUnavailable', code: 503, message: 'down' };
    assert.deepEqual(
      afterLeaseWrite(decodeTypedReply(reply({ Object: null, Err: { ErrStatus: unavailable } })), held),
      { lease: held, error: 'down' },
    );
  });
  it('holds none after a success without an object', () => {
    assert.deepEqual(afterLeaseWrite(decodeTypedReply(reply({ Object: null, Err: null })), held), {
      lease: undefined,
    });
  });
});
