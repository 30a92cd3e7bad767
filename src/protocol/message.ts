/**
 * The KubeEdge `Message`, with exactly the JSON keys of beehive's Go struct, and the constructors for
 * the messages the cloud sends: downstream pushes, replies to edge requests and error replies.
 * Constructors are pure: the message id and the time come in as parameters.
 *
 * Source: kubeedge-wire.md §1.1, §3.5, §4.8 and errata O1, U1/O4; `kubeedge/kubeedge` v1.23.1
 * `staging/src/github.com/kubeedge/beehive/pkg/core/model/message.go`.
 *
 * Convention: `route.resource` always holds the WIRE form `<ns>/<type>[/<name>]` (what the edge sends
 * and receives). KubeEdge's cloud-internal `node/<node>/…` form exists only in resource.ts helpers; the
 * node is carried next to the message (session, per-node queue), not inside it.
 * @module
 */
import type { MessageId } from './message-id.js';
import { groups, sources } from './modules.js';
import type { PushOperation } from './operations.js';
import type { ResourcePath } from './resource.js';
import { keepaliveResource } from './resource-types.js';

/**
 * `header`. Optional keys are Go `omitempty` fields: absent means empty (`""`/`false`). The codec drops
 * empty values on decode, so an absent key and an empty value never both appear.
 */
export interface MessageHeader {
  /** Always present. */
  readonly msg_id: MessageId;
  /** Set on responses, ACKs and errors: the id of the message being answered. Absent on pushes. */
  readonly parent_msg_id?: MessageId;
  /** Creation time, Unix epoch in MILLISECONDS. */
  readonly timestamp: number;
  /** The k8s resourceVersion of the object in `content`; drives ACK bookkeeping (spec §5.6). */
  readonly resourceversion?: string;
  /** beehive's sync flag. Always false on the wire (spec §1.1); kept only so a decode round-trips. */
  readonly sync?: boolean;
  /** beehive context type; unused on the wire. */
  readonly type?: string;
}

/** `route` (the JSON key is `route`, not `router`). All fields are Go `omitempty`. */
export interface MessageRoute {
  readonly source?: string;
  readonly destination?: string;
  readonly group?: string;
  readonly operation?: string;
  /** Wire form: `<ns>/<type>[/<name>]`, or a special resource such as `node` or `k8s/ca.crt`. */
  readonly resource?: string;
}

/** A KubeEdge message as it travels over the WebSocket (one JSON text frame each). */
export interface Message {
  readonly header: MessageHeader;
  readonly route: MessageRoute;
  /** Any JSON value; `null` when there is none. Not validated by the codec. */
  readonly content: unknown;
}

/** The id and creation time of a message being built. */
export interface MessageStamp {
  /** The new message's id. */
  readonly id: MessageId;
  /** Creation time in ms since the Unix epoch (the caller's clock). */
  readonly now: number;
}

/** What {@link newPush} needs. */
export interface PushOptions extends MessageStamp {
  /** Wire-form resource, e.g. `default/pod/nginx`, `null/node/edge-1`. */
  readonly resource: ResourcePath;
  readonly operation: PushOperation;
  /** The object with apiVersion/kind set (spec §1.2, errata W2), or a minimal object for orphan deletes. */
  readonly content: unknown;
  /** The object's resourceVersion. Omit only for deletes without one (orphan deletes, spec §6). */
  readonly resourceVersion?: string;
}

/**
 * A downstream push (spec §3.5): no parent id (the edge treats a message with a parent as a reply),
 * group `resource`, source `edgecontroller` (the edge ACKs `update` pushes only from known sources,
 * errata U1/O4), `header.resourceversion` when given.
 */
export function newPush(options: PushOptions): Message {
  return {
    header: {
      msg_id: options.id,
      timestamp: options.now,
      ...(options.resourceVersion !== undefined && options.resourceVersion !== ''
        ? { resourceversion: options.resourceVersion }
        : {}),
    },
    route: {
      source: sources.edgeController,
      group: groups.resource,
      operation: options.operation,
      resource: options.resource,
    },
    content: options.content ?? null,
  };
}

/** Sources a cloud reply may carry: `edgecontroller` for handler replies, `cloudhub` for the CA answer. */
export type ReplySource = typeof sources.edgeController | typeof sources.cloudHub;

/** Defaults of {@link ReplyOptions}. */
export const replyDefaults: Readonly<{ source: ReplySource }> = Object.freeze({
  source: sources.edgeController,
});

/** What {@link newResponse} and {@link newErrorResponse} need besides the request. */
export interface ReplyOptions extends MessageStamp {
  /** Object resourceVersion for `header.resourceversion` (query replies, spec §4.3). Default: none. */
  readonly resourceVersion?: string;
  /** Reply source. Default `edgecontroller` ({@link replyDefaults}); `cloudhub` for the CA reply. */
  readonly source?: ReplySource;
  /**
   * Wire resource of the reply. Default: the request's. KubeEdge answers `nodestatus` requests on
   * `<ns>/node/<name>` instead (errata W5), which is the one use of this override.
   */
  readonly resource?: string;
}

/**
 * The cloud's reply to an edge request (spec §4.2/§4.3): operation `response`, `parent_msg_id` = the
 * request's id, resource copied from the request, source `edgecontroller` and group `resource`.
 *
 * Unlike beehive's `NewRespByMessage`, source and group are NOT copied: requests arrive with group
 * `meta`, and the edge routes on the group before it looks at the parent id, so a copied group loses the
 * reply (errata O1, W8). This matches edgecontroller's real replies (`upstream.go` `BuildRouter(
 * EdgeControllerModuleName, GroupResource, …, ResponseOperation)`).
 */
export function newResponse(request: Message, content: unknown, options: ReplyOptions): Message {
  return reply(request, 'response', content, options);
}

/**
 * An error reply to an edge request: operation `error`, the error text as string content, parent id =
 * the request's id. beehive's `NewErrorMessage` sets no source or group, which the edge would drop ("no
 * handler found", errata W8); we set group `resource` and source `edgecontroller` so that the waiting
 * edge call receives it (errata O1). Never put object data in `text`.
 */
export function newErrorResponse(request: Message, text: string, options: ReplyOptions): Message {
  return reply(request, 'error', text, options);
}

/**
 * beehive's `NewRespByMessage`: a `response` that copies source, group, resource and type from the
 * message it answers. This is how the edge ACKs a push (content `"OK"`, spec §3.5) and how the viaduct
 * layer answers a control message (content `"ack"`, spec §1.3). Do not use it for replies to edge
 * requests; use {@link newResponse}.
 */
export function newRespByMessage(message: Message, content: unknown, stamp: MessageStamp): Message {
  const { source, group, resource } = message.route;
  return {
    header: {
      msg_id: stamp.id,
      parent_msg_id: message.header.msg_id,
      timestamp: stamp.now,
      ...(message.header.type !== undefined && message.header.type !== ''
        ? { type: message.header.type }
        : {}),
    },
    route: {
      ...(source !== undefined && source !== '' ? { source } : {}),
      ...(group !== undefined && group !== '' ? { group } : {}),
      operation: 'response',
      ...(resource !== undefined && resource !== '' ? { resource } : {}),
    },
    content: content ?? null,
  };
}

/**
 * An edge keepalive (spec §4.9): source `websocket`, group `resource`, op `keepalive`, resource `node`,
 * content `"ping"`. The cloud never sends one; the simulator does.
 */
export function newKeepalive(stamp: MessageStamp): Message {
  return {
    header: { msg_id: stamp.id, timestamp: stamp.now },
    route: {
      source: sources.websocket,
      group: groups.resource,
      operation: 'keepalive',
      resource: keepaliveResource,
    },
    content: 'ping',
  };
}

function reply(
  request: Message,
  operation: 'response' | 'error',
  content: unknown,
  options: ReplyOptions,
): Message {
  const source = options.source ?? replyDefaults.source;
  const resource = options.resource ?? request.route.resource;
  return {
    header: {
      msg_id: options.id,
      parent_msg_id: request.header.msg_id,
      timestamp: options.now,
      ...(options.resourceVersion !== undefined && options.resourceVersion !== ''
        ? { resourceversion: options.resourceVersion }
        : {}),
    },
    route: {
      source,
      group: groups.resource,
      operation,
      ...(resource !== undefined && resource !== '' ? { resource } : {}),
    },
    content: content ?? null,
  };
}

/**
 * Whether `message` answers another: it names a parent (`parent_msg_id`). Go's empty string is "no
 * parent", as beehive's `GetParentID() != ""`.
 */
export function isReply(message: Message): boolean {
  const parent = message.header.parent_msg_id;
  return parent !== undefined && parent !== '';
}
