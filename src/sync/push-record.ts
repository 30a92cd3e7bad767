/**
 * Which record a push to a node needs (record-gate.ts), read off the message the way the ACK of it will
 * be read (on-ack.ts), so the record created before the first send is the one the ACK then updates.
 * Pure.
 * @module
 */
import { isAckRequired, uidOfContent } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';
import { recordActionFor } from './on-ack.js';
import type { GatedPush } from './record-gate.js';

/**
 * The gate's view of a push, or `undefined` for a message the gate lets through untouched: one that
 * needs no ACK (so has no record), is not about an object, has no UID, or whose record name would be
 * invalid (KubeEdge would fail that create; we send without a record, as before). A query reply that
 * carries an object counts as a push: the edge stores it (metamanager), so it needs its record first too.
 */
export function gatedPushOf(node: NodeName, message: Message): GatedPush | undefined {
  if (!isAckRequired(message)) return undefined;
  const uid = uidOfContent(message.content);
  const action = recordActionFor(node, message, uid);
  switch (action.kind) {
    case 'delete':
      return { message, uid, isDelete: true };
    case 'upsert':
      return { message, uid, isDelete: false, record: action.record };
    case 'none':
      return undefined;
  }
}
