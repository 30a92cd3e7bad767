import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newErrorResponse, newResponse } from '../protocol/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import { realisticObject } from '../../test/support/builders.js';
import { gatedPushOf } from './push-record.js';

const node = 'edge-1' as NodeName;

function query(resource: string): Message {
  return {
    header: { msg_id: 'q-1', timestamp: 1 },
    route: { source: 'metaManager', group: 'meta', operation: 'query', resource },
    content: null,
  } as unknown as Message;
}

describe('gatedPushOf', () => {
  it('treats a query reply carrying an object as a push that needs its record first', () => {
    const secret = realisticObject('Secret', 's', '0b7d2c52-6f0e-4b0a-9a39-0f5f3c1b2a11', '42');
    const reply = newResponse(query('default/secret/s'), secret, {
      id: 'r-1' as MessageId,
      now: 2,
      resourceVersion: '42',
    });
    const gated = gatedPushOf(node, reply);
    assert.ok(gated !== undefined && !gated.isDelete);
    assert.equal(gated.record.name, 'edge-1.0b7d2c52-6f0e-4b0a-9a39-0f5f3c1b2a11');
    assert.equal(gated.record.objectKind, 'Secret');
  });

  it('lets an error reply through untouched: it carries no object', () => {
    const reply = newErrorResponse(query('default/secret/s'), 'forbidden', {
      id: 'r-2' as MessageId,
      now: 2,
    });
    assert.equal(gatedPushOf(node, reply), undefined);
  });
});
