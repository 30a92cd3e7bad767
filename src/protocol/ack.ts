/**
 * Which cloud → edge messages need an ACK: KubeEdge's `noAckRequired`, negated. A message that needs one
 * goes through the per-node reliable queue (keyed per object, stop-and-wait, resent until ACKed); any
 * other message is sent once. Used by downstream/ and hub/ when they enqueue.
 *
 * Source: kubeedge-wire.md §5.6 and errata U7; `kubeedge/kubeedge` v1.23.1
 * `cloud/pkg/cloudhub/dispatcher/message_dispatcher.go` noAckRequired.
 * @module
 */
import type { Message } from './message.js';
import { groups, sources } from './modules.js';
import { isCsiOperation } from './operations.js';
import { resourceTypeOf } from './resource.js';

/**
 * Whether the edge must ACK `message` before the cloud considers it delivered. Pure; reads only the
 * route and, for `response` messages, the content. `route.resource` must be in wire form.
 *
 * No ACK when any of these hold, checked in KubeEdge's order:
 * 1. the resource contains a segment `podlist`, `membership` or `serviceaccounttoken`, the segment pair
 *    `twin/cloud_updated`, or the pair `k8s/ca.crt`;
 * 2. the operation is a CSI volume op or `applicationResponse`;
 * 3. the group is `user`;
 * 4. the source is `taskmanager` or `nodeupgradejobcontroller`;
 * 5. the operation is `response` and the content is `"OK"`, a Status error (`{"ErrStatus":…}`), or
 *    (ours) an `ObjectResp` carrying one (`{"Object":null,"Err":{"ErrStatus":…}}`);
 * 6. the source is `edgecontroller` and the type is `node` with op ≠ `update`, `lease`, `nodepatch`,
 *    `podpatch`, `podstatus` or `certificatesigningrequest`, or `pod` with op `response`;
 * 7. (ours) the operation is `error`.
 *
 * Differences from KubeEdge, deliberate:
 * - Rule 1 matches whole `/`-separated segments. KubeEdge uses a substring test on the internal resource,
 *   so a ConfigMap named `podlist-cfg`, or every message to a node named `serviceaccounttoken-gw`, silently
 *   loses ACK tracking and resends. The wire is unchanged: the edge ACKs what it stores either way.
 * - Rule 5 recognises an error by its JSON shape; Go tests the in-process value for the `error` interface.
 *   It also covers a failed query answered as an `ObjectResp`, which we send for the queries the edge
 *   stores (upstream/decision.ts `stored-object`) where KubeEdge sends a bare Status error: such a reply
 *   carries no object, so on the ACK path it could not be keyed and would be dropped unsent.
 * - Rule 7: KubeEdge never sends an `error` op from the cloud. If it did, the message would need an ACK,
 *   fail `AckMessageKeyFunc` (no object UID) and be dropped unsent. Ours are sent once.
 *
 * Not promised: that an ACK-required message is deliverable. KubeEdge keys the ACK store by the content
 * object's UID and only for group `resource` (errata U7); the queue must reject what it cannot key.
 */
export function isAckRequired(message: Message): boolean {
  return !isNoAckRequired(message);
}

/**
 * Whether `content` is a serialized Kubernetes `StatusError`: a JSON object with an object-valued
 * `ErrStatus` key (spec §1.2, §4.3). This is how Go's `*errors.StatusError` travels.
 */
export function isStatusErrorContent(content: unknown): boolean {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return false;
  if (!Object.hasOwn(content, 'ErrStatus')) return false;
  const status: unknown = (content as { ErrStatus: unknown }).ErrStatus;
  return typeof status === 'object' && status !== null && !Array.isArray(status);
}

/**
 * Whether `content` is Go's `ObjectResp` carrying a failure: `{"Object": …, "Err": {"ErrStatus": {…}}}`
 * (spec §4.3). An `Err` of `null` or `{}` is success, as the edge reads it.
 */
export function isFailedObjectRespContent(content: unknown): boolean {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return false;
  if (!Object.hasOwn(content, 'Object')) return false;
  return isStatusErrorContent((content as { Err?: unknown }).Err);
}

const noAckSegments: ReadonlySet<string> = new Set(['podlist', 'membership', 'serviceaccounttoken']);
const noAckSegmentPairs: readonly (readonly [string, string])[] = [
  ['twin', 'cloud_updated'],
  ['k8s', 'ca.crt'],
];

// Resource types that edgecontroller sends without needing an ACK, whatever the operation.
const noAckEdgeControllerTypes: ReadonlySet<string> = new Set([
  'lease',
  'nodepatch',
  'podpatch',
  'podstatus',
  'certificatesigningrequest',
]);

function isNoAckRequired(message: Message): boolean {
  const { resource = '', operation = '', group = '', source = '' } = message.route;
  if (hasNoAckSegments(resource)) return true;
  if (isCsiOperation(operation) || operation === 'applicationResponse') return true;
  if (group === groups.user) return true;
  if (source === sources.taskManager || source === sources.nodeUpgradeJobController) return true;
  if (operation === 'response') {
    const { content } = message;
    if (content === 'OK' || isStatusErrorContent(content) || isFailedObjectRespContent(content)) return true;
  }
  if (source === sources.edgeController) {
    const type = resourceTypeOf(resource);
    if (type === 'node' && operation !== 'update') return true;
    if (type !== undefined && noAckEdgeControllerTypes.has(type)) return true;
    if (type === 'pod' && operation === 'response') return true;
  }
  return operation === 'error';
}

function hasNoAckSegments(resource: string): boolean {
  const segments = resource.split('/');
  if (segments.some((segment) => noAckSegments.has(segment))) return true;
  for (let i = 0; i + 1 < segments.length; i++) {
    for (const [first, second] of noAckSegmentPairs) {
      if (segments[i] === first && segments[i + 1] === second) return true;
    }
  }
  return false;
}
