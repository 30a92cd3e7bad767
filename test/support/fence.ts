/**
 * A fence on one edge's WebSocket: resolves once the hub has handled every frame the edge sent before,
 * and the edge has received every frame the hub wrote before that. A `k8s/ca.crt` query is answered by
 * the hub in turn, and the one socket keeps frames in order both ways. It is the event to wait on before
 * asserting that something did NOT arrive (instead of sleeping and hoping).
 * @module
 */
import assert from 'node:assert/strict';
import { newMessageId } from '../../src/protocol/index.js';
import type { EdgeClient } from '../../src/sim/index.js';

/** Round-trips a `k8s/ca.crt` query on `edge`; see the module header for what that proves. */
export async function fence(edge: EdgeClient): Promise<void> {
  const id = newMessageId();
  const reply = await edge.request({
    header: { msg_id: id, timestamp: Date.now() },
    route: { source: 'edged', group: 'meta', operation: 'query', resource: 'k8s/ca.crt' },
    content: null,
  });
  assert.equal(reply.route.operation, 'response', 'the hub answered the fence query');
}
