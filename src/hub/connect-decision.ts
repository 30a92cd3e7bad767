/**
 * Whether to accept a WebSocket upgrade from an edge, decided from what the TLS layer verified and the
 * upgrade headers (KubeEdge `cloud/pkg/cloudhub/handler/message_handler.go` HandleConnection, v1.23.1).
 * Stricter than KubeEdge by default: the certificate's CN must name the node in `node_id`, and a refused
 * connection is closed instead of being left open without a session.
 * @module
 */
import { parseNodeName } from '../protocol/index.js';
import type { NodeName } from '../protocol/index.js';

/** What the hub knows about one upgrade request. */
export interface ConnectRequest {
  /** Upgrade request headers, as node's `IncomingMessage.headers` (lower-case keys). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The verified client certificate's subject CN and O values (the TLS layer checked the chain). */
  readonly peer: { readonly commonName: string; readonly organizations: readonly string[] } | undefined;
  /** Sessions open right now. */
  readonly connectedCount: number;
  /** Whether `node_id` has a session now (a new connection replaces it and does not add to the count). */
  readonly isNodeConnected: (nodeName: string) => boolean;
  /**
   * How much longer a node disconnected for cause is refused, ms (offender-penalty.ts); 0 when it may
   * connect. Asked only once the certificate has proven the name, so no one can lock another node out.
   */
  readonly refusedForMs?: (nodeName: NodeName) => number;
}

/** The hub's admission policy. */
export interface ConnectPolicy {
  /** Most sessions this process holds (KubeEdge's nodeLimit, default 500 there; ours is higher). */
  readonly nodeLimit: number;
  /** Accept KubeEdge's legacy shared edge certificate (`CN=kubeedge.io`) for any node. Default off. */
  readonly allowLegacyEdgeCert: boolean;
}

/** Why a connection was refused; also the `result` label of the connects metric. */
export type RefusalReason =
  | 'missing_certificate'
  | 'bad_headers'
  | 'not_msg_connection'
  | 'identity_mismatch'
  | 'node_limit'
  | 'repeat_offender';

/** The decision, with the HTTP status to answer a refused upgrade with. */
export type ConnectDecision =
  | {
      readonly accept: true;
      readonly nodeName: NodeName;
      readonly projectId: string;
      readonly replaces: boolean;
    }
  | {
      readonly accept: false;
      readonly reason: RefusalReason;
      readonly status: number;
      readonly detail: string;
      /** For `repeat_offender`: when the node may try again, seconds (the `Retry-After` header). */
      readonly retryAfterSeconds?: number;
    };

const legacyCommonName = 'kubeedge.io';

/** Decides one upgrade. Pure; the hub server carries the decision out. */
export function decideConnect(req: ConnectRequest, policy: ConnectPolicy): ConnectDecision {
  if (req.peer === undefined) {
    return refuse('missing_certificate', 401, 'a client certificate signed by the hub CA is required');
  }
  const nodeName = parseNodeName(firstValue(req.headers['node_id']));
  if (nodeName === undefined) {
    return refuse('bad_headers', 400, 'header node_id must be a valid node name');
  }
  // Go's http.Header may join repeated headers: "msg, msg" is seen from real edges. Compare the first.
  const use = firstValue(req.headers['connectionuse']);
  if (use !== 'msg') {
    return refuse('not_msg_connection', 400, 'header ConnectionUse must be "msg"');
  }
  const { commonName, organizations } = req.peer;
  const isLegacy = policy.allowLegacyEdgeCert && commonName === legacyCommonName;
  if (!isLegacy && (commonName !== `system:node:${nodeName}` || !organizations.includes('system:nodes'))) {
    return refuse(
      'identity_mismatch',
      403,
      `certificate CN ${commonName} does not belong to node ${nodeName}`,
    );
  }
  const refusedForMs = req.refusedForMs?.(nodeName) ?? 0;
  if (refusedForMs > 0) {
    const retryAfterSeconds = Math.ceil(refusedForMs / 1000);
    return {
      accept: false,
      reason: 'repeat_offender',
      status: 429,
      detail: `node ${nodeName} was disconnected for cause; retry in ${String(retryAfterSeconds)} s`,
      retryAfterSeconds,
    };
  }
  const replaces = req.isNodeConnected(nodeName);
  if (!replaces && req.connectedCount >= policy.nodeLimit) {
    return refuse('node_limit', 503, `node limit ${String(policy.nodeLimit)} reached`);
  }
  return { accept: true, nodeName, projectId: firstValue(req.headers['project_id']) ?? '', replaces };
}

function refuse(reason: RefusalReason, status: number, detail: string): ConnectDecision {
  return { accept: false, reason, status, detail };
}

function firstValue(value: string | readonly string[] | undefined): string | undefined {
  const raw = typeof value === 'string' ? value : value?.[0];
  const first = raw?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}
