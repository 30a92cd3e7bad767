import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message, NodeName } from '../protocol/index.js';
import { isEdgeStart } from './edge-start.js';

const node = 'edge-1' as NodeName;

function message(operation: string, resource: string): Message {
  return {
    header: { msg_id: 'm', parent_msg_id: '', timestamp: 0, sync: false },
    route: { source: 'edged', group: 'resource', operation, resource },
  } as unknown as Message;
}

describe('isEdgeStart', () => {
  it('is the node inserting its own Node', () => {
    assert.equal(isEdgeStart(node, message('insert', 'default/node/edge-1')), true);
  });

  it('is not an insert of another node, another kind, or another operation on its Node', () => {
    assert.equal(isEdgeStart(node, message('insert', 'default/node/edge-2')), false);
    assert.equal(isEdgeStart(node, message('insert', 'default/pod/edge-1')), false);
    assert.equal(isEdgeStart(node, message('update', 'default/node/edge-1')), false);
    assert.equal(isEdgeStart(node, message('query', 'default/node/edge-1')), false);
  });
});
