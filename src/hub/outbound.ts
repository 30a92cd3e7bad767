/**
 * How a message for an edge enters its node's queue: the ACK path (one latest version per object,
 * resent until ACKed) or the no-ACK path (sent once), following KubeEdge's `noAckRequired` (protocol/ack.ts),
 * and the frame written for a delivery (the payload with the delivery id as `msg_id`).
 * @module
 */
import { edgeKey, isAckRequired, parseResource } from '../protocol/index.js';
import type { Message, MessageId } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';

/**
 * A query reply the edge no longer waits for is dropped after this many resends: the edge gives up on
 * a reply after 60 s (spec §4.3), and reliable sync repairs whatever the node still lacks.
 */
export const replyResendLimit = 3;

/** Where a message goes. */
export type OutboundRoute =
  | { readonly path: 'ack'; readonly item: AckItem<Message> }
  | { readonly path: 'no-ack'; readonly payload: Message };

interface ObjectMeta {
  readonly uid?: unknown;
}

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
  if (!isAckRequired(message)) return { path: 'no-ack', payload: message };
  const resource = message.route.resource ?? '';
  const parsed = parseResource(resource);
  const meta = metadataOf(message.content);
  const operation = message.route.operation ?? '';
  return {
    path: 'ack',
    item: {
      uid: typeof meta.uid === 'string' ? meta.uid : '',
      key: parsed?.name !== undefined ? edgeKey(parsed) : resource,
      resourceVersion: message.header.resourceversion ?? '',
      isDelete: operation === 'delete',
      ...(operation === 'response' ? { isResponse: true, dropAfterResends: replyResendLimit } : {}),
      payload: message,
    },
  };
}

/** The frame for a delivery: the payload with `msg_id` set to the delivery id (stable across resends). */
export function withMessageId(message: Message, id: MessageId): Message {
  return { ...message, header: { ...message.header, msg_id: id } };
}

function metadataOf(content: unknown): ObjectMeta {
  if (typeof content !== 'object' || content === null) return {};
  const metadata = (content as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null ? metadata : {};
}
