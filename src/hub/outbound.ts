/**
 * How a message for an edge enters its node's queue: the ACK path (one latest version per object,
 * resent until ACKed) or the no-ACK path (sent once), following KubeEdge's `noAckRequired` (protocol/ack.ts),
 * and the frame written for a delivery (the payload with the delivery id as `msg_id`).
 * @module
 */
import {
  edgeKey,
  isAckRequired,
  isReply,
  parseResource,
  resourceTypeOf,
  uidOfContent,
} from '../protocol/index.js';
import type { Message, MessageId } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';

/**
 * A query reply the edge no longer waits for is dropped after this many resends: the edge gives up on
 * a reply after 60 s (spec §4.3), and reliable sync repairs whatever the node still lacks.
 */
export const replyResendLimit = 3;

/**
 * Where a message goes. On the no-ACK path, `isAckedReply` marks a reply the edge may ACK anyway, so the
 * queue remembers its id (`NodeQueue.enqueueReply`) and the ACK is not counted as unknown.
 */
export type OutboundRoute =
  | { readonly path: 'ack'; readonly item: AckItem<Message> }
  | { readonly path: 'no-ack'; readonly payload: Message; readonly isAckedReply: boolean };

/**
 * Reply resource types the edge never ACKs: it sends these requests straight to the cloud and hands
 * the reply to the waiting caller (`podpatch`, `nodepatch`: metamanager processPatch; `podstatus`:
 * processUpdate), so they are kept out of the bounded memory of reply ids, which a pod status flood
 * would otherwise fill. Replies to requests that go through metamanager's remote path are ACKed
 * (inserts from edged, lease updates, remote queries: processRemote → feedbackResponse sends
 * `NewRespByMessage(reply, "OK")`, parent id = the reply's id). A few remembered replies are never ACKed
 * (a pod delete's, a node update's): they cost a slot until `recognizedIdTtlMs`.
 * Source: kubeedge/kubeedge v1.23.1 `edge/pkg/metamanager/process.go`.
 */
const neverAckedReplyTypes: ReadonlySet<string> = new Set(['podpatch', 'nodepatch', 'podstatus']);

/**
 * Classifies one outbound message. Pure.
 *
 * Only operation `delete` is a delete for the queue. An `update` carrying `deletionTimestamp` (graceful
 * deletion) is a version like any other: KubeEdge's enqueue calls it a delete (`isDeleteMessage`,
 * kubeedge/kubeedge v1.23.1 `cloud/pkg/cloudhub/dispatcher/message_dispatcher.go`), but the edge removes
 * its row only on `delete` (`edge/pkg/metamanager/process.go` handleMessage) and KubeEdge's own ACK
 * handling records it as an update (errata U4). Marking it a delete made the queue drop the final
 * `delete` as a duplicate while the update was un-ACKed (issue 11).
 */
export function routeOutbound(message: Message): OutboundRoute {
  if (!isAckRequired(message))
    return { path: 'no-ack', payload: message, isAckedReply: isAckedReply(message) };
  const resource = message.route.resource ?? '';
  const parsed = parseResource(resource);
  const operation = message.route.operation ?? '';
  return {
    path: 'ack',
    item: {
      uid: uidOfContent(message.content),
      key: parsed?.name !== undefined ? edgeKey(parsed) : resource,
      resourceVersion: message.header.resourceversion ?? '',
      isDelete: operation === 'delete',
      ...(operation === 'response' ? { isResponse: true, dropAfterResends: replyResendLimit } : {}),
      payload: message,
    },
  };
}

/** Whether the edge may ACK this no-ACK message: a reply, other than to a request it never ACKs. */
function isAckedReply(message: Message): boolean {
  if (!isReply(message)) return false;
  const type = resourceTypeOf(message.route.resource ?? '');
  return type === undefined || !neverAckedReplyTypes.has(type);
}

/** The frame for a delivery: the payload with `msg_id` set to the delivery id (stable across resends). */
export function withMessageId(message: Message, id: MessageId): Message {
  return { ...message, header: { ...message.header, msg_id: id } };
}

/**
 * The answer still owed to a query whose reply waited in the queue and was replaced by `newer`, or
 * `undefined` when none can be given. The queue keeps one version per object, so a reply waiting behind
 * another in flight was replaced by the next push or reply of the same object, and the edge's request
 * for it went unanswered until its 60 s timeout (several pods starting on one node query the same Secret
 * at once). The answer carries `newer`'s content and version: the newest the edge will get anyway, so it
 * may arrive in any order with `newer` (the reason replies share the ACK path with pushes is that an
 * older reply must never land after a newer push). After a delete there is no content to give: the edge
 * gets the delete, and the query times out. Pure.
 */
export function displacedReply(replaced: AckItem<Message>, newer: AckItem<Message>): Message | undefined {
  if (replaced.isResponse !== true || newer.isDelete) return undefined;
  const version = newer.payload.header.resourceversion;
  return {
    ...replaced.payload,
    header: {
      ...replaced.payload.header,
      ...(version !== undefined ? { resourceversion: version } : {}),
    },
    content: newer.payload.content,
  };
}
