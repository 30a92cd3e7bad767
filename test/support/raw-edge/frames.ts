/**
 * KubeEdge frames built by hand (kubeedge-wire.md §1.1, §4.9): what an attacker holding a joined edge
 * sends, written without the project's protocol/ code so that a bug there cannot hide in the test's own
 * encoder. A frame is plain JSON text: `header` (msg_id, parent_msg_id, timestamp in ms), `route`
 * (source, group, operation, resource) and `content`.
 * @module
 */
import { randomUUID } from 'node:crypto';

/** One KubeEdge message as it travels in a frame (keys exactly as on the wire). */
export interface WireMessage {
  readonly header: {
    readonly msg_id: string;
    readonly parent_msg_id?: string;
    readonly timestamp: number;
    readonly resourceversion?: string;
  };
  readonly route: {
    readonly source?: string;
    readonly group?: string;
    readonly operation?: string;
    readonly resource?: string;
  };
  readonly content: unknown;
}

/** A request as the edge's metamanager sends it (`source: edged`, `group: meta`). */
export function request(operation: string, resource: string, content: unknown = null): WireMessage {
  return {
    header: { msg_id: randomUUID(), timestamp: Date.now() },
    route: { source: 'edged', group: 'meta', operation, resource },
    content,
  };
}

/** The edge hub's keepalive (§4.9): op `keepalive` on resource `node`, content `"ping"`. */
export function keepalive(): WireMessage {
  return {
    header: { msg_id: randomUUID(), timestamp: Date.now() },
    route: { source: 'websocket', group: 'resource', operation: 'keepalive', resource: 'node' },
    content: 'ping',
  };
}

/** The ACK metamanager sends for a push (§3.5): `response`/`"OK"`, parent = the push's msg_id. */
export function ackOf(push: WireMessage): WireMessage {
  return {
    header: { msg_id: randomUUID(), parent_msg_id: push.header.msg_id, timestamp: Date.now() },
    route: {
      source: push.route.source ?? 'edgecontroller',
      group: 'resource',
      operation: 'response',
      ...(push.route.resource !== undefined ? { resource: push.route.resource } : {}),
    },
    content: 'OK',
  };
}

/** The Node an EdgeCore registers with `insert null/node/<name>` (§4.5), edge label included. */
export function nodeObject(name: string): Record<string, unknown> {
  return {
    metadata: {
      name,
      labels: {
        'node-role.kubernetes.io/edge': '',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
      },
    },
    spec: {},
    status: { nodeInfo: { kubeletVersion: 'v1.31.0-kubeedge' } },
  };
}

/** The node's Lease as the kubelet writes it (`kube-node-lease/lease/<name>`). */
export function leaseObject(name: string, resourceVersion?: string): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(new Date()) },
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(at: Date): string {
  return at.toISOString().replace('Z', '000Z');
}

/** `{"Object":…,"Err":…}` as the cloud answers lease, node-insert and patch requests (§4.3). */
export interface ObjectResp {
  readonly Object: { metadata?: { name?: string; resourceVersion?: string } } | null;
  readonly Err: { ErrStatus?: { code?: number; reason?: string; message?: string } } | null;
}

/** A reply's content read as an ObjectResp, or undefined when it is not one. */
export function objectRespOf(reply: WireMessage): ObjectResp | undefined {
  const content: unknown = typeof reply.content === 'string' ? tryParse(reply.content) : reply.content;
  if (typeof content !== 'object' || content === null) return undefined;
  if (!('Object' in content) || !('Err' in content)) return undefined;
  return content as ObjectResp;
}

/** The HTTP-like status code a reply carries: an ObjectResp's Err, a bare ErrStatus, or 200 when neither. */
export function replyStatus(reply: WireMessage): number {
  if (reply.route.operation === 'error') return 500;
  const content: unknown = typeof reply.content === 'string' ? tryParse(reply.content) : reply.content;
  // A plain string is "OK", a PEM (k8s/ca.crt), or an error text (legacy nodestatus, errata W5).
  if (typeof content === 'string') return content === 'OK' || content.startsWith('-----BEGIN') ? 200 : 500;
  if (typeof content !== 'object' || content === null) return 200;
  const resp = objectRespOf(reply);
  if (resp !== undefined) return resp.Err === null ? 200 : (resp.Err.ErrStatus?.code ?? 500);
  if ('ErrStatus' in content) {
    const status = (content as { ErrStatus?: { code?: number } }).ErrStatus;
    return status?.code ?? 500;
  }
  return 200;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
