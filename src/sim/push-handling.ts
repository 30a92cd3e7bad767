/**
 * What a real EdgeCore v1.23.1 does with each frame the cloud sends it, returned as data for
 * {@link EdgeClient} (edge-client.ts) to carry out. Edgehub routes by group first
 * (`kubeedge/kubeedge` v1.23.1 `edge/pkg/edgehub/messagehandler/handler.go`, `handler_meta.go`): groups
 * `resource` and `func` go to metamanager, where a non-empty parent id makes the frame a reply to a waiting
 * request; every other group goes to a module the simulator does not run (twin, bus, task manager) or is
 * dropped. Metamanager then decides by operation and source (`edge/pkg/metamanager/process.go` process*):
 * what it stores, whether edged sees the message, and what goes back to the cloud. Only some pushes are
 * ACKed: an `update` from a source metamanager does not know is stored and never ACKed, and a `patch` is
 * not ACKed but sent back to the cloud unchanged (errata U1, O4). Pure.
 * @module
 */
import { isReply } from '../protocol/index.js';
import type { Message } from '../protocol/index.js';

/** A change to the edge's meta store (its SQLite `meta` table, kubeedge-wire.md §2.1). */
export type StoreChange =
  | { readonly kind: 'none' }
  /** Insert or replace the row `key` with the message content (`handleMessage` InsertOrUpdate). */
  | { readonly kind: 'put'; readonly key: string }
  /** Delete the row `key` (`DeleteMetaByKey`). */
  | { readonly kind: 'delete'; readonly key: string }
  /**
   * Delete the pod row `key` only if its stored JSON contains `uid` (`value LIKE %uid%`; an empty uid
   * matches any row), and if one was deleted also the row `podPatchKey` (`processDeletePodDB`).
   */
  | { readonly kind: 'delete-pod'; readonly key: string; readonly podPatchKey: string; readonly uid: string };

/**
 * What goes back to the cloud: `ack` is a `response` with content `"OK"` and parent = the push's id
 * (`NewRespByMessage(&message, OK)`); `echo` sends the push itself back, same id and route
 * (`sendToCloud(&message)`), which a cloud drops as coming from a cloud module; `none` sends nothing.
 */
export type CloudReply = 'ack' | 'echo' | 'none';

/** How the edge handles one inbound frame. */
export type InboundHandling =
  /** A reply (group `resource`/`func`, parent id set): it resolves the waiting request, nothing else. */
  | { readonly kind: 'reply' }
  /** Not for metamanager (another group, or none): the simulator runs no module that takes it. */
  | { readonly kind: 'other-group' }
  /** A push to metamanager. `toEdged`: whether edged (the fake runtime) is told about it. */
  | {
      readonly kind: 'push';
      readonly store: StoreChange;
      readonly toEdged: boolean;
      readonly toCloud: CloudReply;
    };

// Cloud module names (`cloud/pkg/common/modules`) and the edge's own, as metamanager compares them.
const edgeController = 'edgecontroller';
const dynamicController = 'dynamiccontroller';
const deviceController = 'devicecontroller';
const policyController = 'policycontroller';
const edged = 'edged';

const nothing: InboundHandling = { kind: 'push', store: { kind: 'none' }, toEdged: false, toCloud: 'none' };
const echo: InboundHandling = { kind: 'push', store: { kind: 'none' }, toEdged: false, toCloud: 'echo' };

/**
 * Decides what the edge does with `message`, a decoded frame from the cloud. Total: every frame gets a
 * handling. Not modelled (the handling is `none`): a `query` push (metamanager answers edged, not the
 * cloud, or forwards it as a new remote query), CSI volume operations (`processVolume` answers with
 * edged's result), an `insert` or lease `update` carrying source `edged` (treated as the edge's own
 * request and sent to the cloud as a new one), and metamanager's own error feedback when its database
 * write fails (the simulator's store does not fail).
 */
export function inboundHandling(message: Message): InboundHandling {
  const { group, source = '', operation = '', resource = '' } = message.route;
  if (group !== 'resource' && group !== 'func') return { kind: 'other-group' };
  if (isReply(message)) return { kind: 'reply' };
  const type = metaResourceType(resource);
  const put: StoreChange = { kind: 'put', key: resource };
  switch (operation) {
    case 'insert':
      // processInsert: events go straight back; edged's own inserts are remote requests.
      if (type === 'event') return echo;
      if (source === edged) return nothing;
      return {
        kind: 'push',
        store: put,
        toEdged: source !== deviceController && source !== policyController,
        toCloud: 'ack',
      };
    case 'update':
      return updateHandling(type, source, put);
    case 'patch':
      // processPatch: stored, then sent back to the cloud as it came; never ACKed.
      if (type === 'event') return echo;
      return { kind: 'push', store: put, toEdged: false, toCloud: 'echo' };
    case 'delete':
      return deleteHandling(message, type, source);
    case 'response':
      // processResponse: stored; edged is told when it comes from edgecontroller, else it goes back.
      return {
        kind: 'push',
        store: put,
        toEdged: source === edgeController,
        toCloud: source === edgeController ? 'none' : 'echo',
      };
    default:
      return nothing;
  }
}

// processUpdate: only the sources listed are ACKed; any other is stored and logged "unsupported message
// source" with no reply, so the cloud resends it until it gives up.
function updateHandling(type: string, source: string, put: StoreChange): InboundHandling {
  if (type === 'event') return echo;
  if (source === edged && type === 'lease') return nothing;
  switch (source) {
    case edgeController:
    case dynamicController:
      // A node update is stored and ACKed but not given to edged.
      return { kind: 'push', store: put, toEdged: type !== 'node', toCloud: 'ack' };
    case deviceController:
    case policyController:
      return { kind: 'push', store: put, toEdged: false, toCloud: 'ack' };
    case edged:
      return { kind: 'push', store: put, toEdged: false, toCloud: 'echo' };
    default:
      // Source `metamanager` (MetaServer) is answered inside the edge; any other is unsupported.
      return { kind: 'push', store: put, toEdged: false, toCloud: 'none' };
  }
}

// processDelete: edged's own pod delete goes to the cloud; everything else is deleted and ACKed.
function deleteHandling(message: Message, type: string, source: string): InboundHandling {
  const resource = message.route.resource ?? '';
  if (type === 'pod' && source === edged) return echo;
  const store: StoreChange =
    type === 'pod'
      ? {
          kind: 'delete-pod',
          key: resource,
          podPatchKey: resource.replace('/pod/', '/podpatch/'),
          uid: uidOf(message.content),
        }
      : { kind: 'delete', key: resource };
  return { kind: 'push', store, toEdged: source !== policyController, toCloud: 'ack' };
}

/**
 * Whether a stored pod row is deleted by a delete carrying `uid`: KubeEdge's `value LIKE '%<uid>%'` on
 * the row's JSON (`edge/pkg/metamanager/dao/dbclient/meta.go` DeleteMetaByKeyAndPodUID), so an empty uid
 * matches every row and a row lacking the uid is kept.
 */
export function podRowMatches(stored: unknown, uid: string): boolean {
  return uid === '' || JSON.stringify(stored ?? null).includes(uid);
}

// metamanager parseResource: the type is the 2nd of exactly 2 or 3 `/`-separated tokens, else "".
function metaResourceType(resource: string): string {
  const tokens = resource.split('/');
  return tokens.length === 2 || tokens.length === 3 ? (tokens[1] ?? '') : '';
}

function uidOf(content: unknown): string {
  if (typeof content !== 'object' || content === null) return '';
  const metadata = (content as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return '';
  const uid = (metadata as { uid?: unknown }).uid;
  return typeof uid === 'string' ? uid : '';
}
