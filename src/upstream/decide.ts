/**
 * The upstream's entry point: one edge request in, one {@link Decision} out, routed by resource type as
 * KubeEdge's `dispatchMessage` does (spec §4.2), then by operation inside each handler. The worker
 * (`upstream-worker.ts`, later) runs the decision: see decision.ts.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` dispatchMessage.
 * @module
 */
import type { NodeName } from '../protocol/index.js';
import type { NodeGraph } from './authorize.js';
import type { Decision } from './decision.js';
import { decideCertificateSigningRequest } from './handlers/certificate-signing-request.js';
import { decideConfigMap } from './handlers/configmap.js';
import type { Handler, HandlerInput, UpstreamRequest } from './handlers/context.js';
import { decideEvent } from './handlers/event.js';
import { decideLease } from './handlers/lease.js';
import { decideNodePatch } from './handlers/node-patch.js';
import { decideNodeStatus } from './handlers/node-status.js';
import { decideNode } from './handlers/node.js';
import { decidePersistentVolumeClaim } from './handlers/persistent-volume-claim.js';
import { decidePersistentVolume } from './handlers/persistent-volume.js';
import { decidePodPatch } from './handlers/pod-patch.js';
import { decidePodStatus } from './handlers/pod-status.js';
import { decidePod } from './handlers/pod.js';
import { decideSecret } from './handlers/secret.js';
import { decideServiceAccountToken } from './handlers/service-account-token.js';
import { decideVolumeAttachment } from './handlers/volume-attachment.js';
import type { ResolvedUpstreamOptions } from './options.js';

/** One request to decide. */
export interface UpstreamInput {
  /** The node of the session (its verified `node_id`). Authorization is against this node only. */
  readonly node: NodeName;
  /** The request as protocol's `classifyUpstream` returned it (kind `request`). */
  readonly request: UpstreamRequest;
  /** The message's `content`, unvalidated. */
  readonly content: unknown;
  /** Current time, ms since the epoch. */
  readonly now: number;
}

/** What every decision may consult: built once in `main.ts`. */
export interface UpstreamContext {
  readonly graph: NodeGraph;
  /** From `resolveUpstreamOptions`. */
  readonly options: ResolvedUpstreamOptions;
}

/**
 * Decides one edge request. Total and pure: malformed content, a missing name, an unserved operation and
 * a rejected access all become decisions with their replies; nothing throws on input.
 */
export function decideUpstream(input: UpstreamInput, context: UpstreamContext): Decision {
  const handlerInput: HandlerInput = { ...input, graph: context.graph, options: context.options };
  return handlerFor(input.request.resourceType)(handlerInput);
}

function handlerFor(type: UpstreamRequest['resourceType']): Handler {
  switch (type) {
    case 'nodestatus':
      return decideNodeStatus;
    case 'podstatus':
      return decidePodStatus;
    case 'event':
      return decideEvent;
    case 'configmap':
      return decideConfigMap;
    case 'secret':
      return decideSecret;
    case 'serviceaccounttoken':
      return decideServiceAccountToken;
    case 'persistentvolume':
      return decidePersistentVolume;
    case 'persistentvolumeclaim':
      return decidePersistentVolumeClaim;
    case 'volumeattachment':
      return decideVolumeAttachment;
    case 'node':
      return decideNode;
    case 'nodepatch':
      return decideNodePatch;
    case 'podpatch':
      return decidePodPatch;
    case 'pod':
      return decidePod;
    case 'lease':
      return decideLease;
    case 'certificatesigningrequest':
      return decideCertificateSigningRequest;
  }
}
