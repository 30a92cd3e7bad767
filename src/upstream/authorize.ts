/**
 * Node authorization of upstream requests, on by default: what a node may read and write, decided from
 * the informer caches (the location graph) with no API round trip, and what a rejection answers.
 *
 * A node may read only the ConfigMaps, Secrets and PersistentVolumeClaims that pods bound to it reference,
 * the PersistentVolumes bound to those claims, the VolumeAttachments for itself, its own Node and Lease,
 * and request tokens only for ServiceAccounts its pods run as, bound to one of those pods. It may write
 * only its own Node (registration, update, status), its own Lease in `kube-node-lease`, the status of and
 * deletion of pods bound to it, mirror pods for itself, CSRs to the kubelet signers naming only itself
 * (subject, usages, SANs: kubelet-csr.ts), and events about itself, its pods or pods it lost in the last
 * five minutes (an update or patch judged on the stored event). These are the Kubernetes Node authorizer's and NodeRestriction's rules (v1.35
 * `plugin/pkg/auth/authorizer/node/node_authorizer.go`, `plugin/pkg/admission/noderestriction`), applied
 * before any call: KubeEdge leaves authorization off by default and, when on, drops a rejection silently
 * (spec §5.8, errata W2); we answer it with a 403.
 *
 * Handlers build an {@link Access} from the request (and, for a few, from the object they read) and call
 * {@link authorize}. Pure: the graph is a narrow interface the worker supplies.
 * @module
 */
import type { NodeName } from '../protocol/index.js';
import type { KubeResource } from './api-call.js';
import type { ApiFailure } from './api-outcome.js';
import { forbiddenFailure } from './api-outcome.js';
import type { AuthorizationMode } from './options.js';
import type { ErrStatusContent } from './replies.js';
import { errStatusContent } from './replies.js';
import type { KubeletCsrRequest, NodeFacts } from './kubelet-csr.js';
import { kubeletCsrViolation, kubeletSigners } from './kubelet-csr.js';

/** The namespace of node leases. */
export const nodeLeaseNamespace = 'kube-node-lease';

/** The label namespace a node may never set or change (NodeRestriction). */
export const nodeRestrictionLabelDomain = 'node-restriction.kubernetes.io';

/** CSR signers a node may request: the kubelet client and serving signers. */
export const nodeCsrSigners: readonly string[] = kubeletSigners;

/** The kinds of object the graph can tell a node needs (location/'s `ObjectKind`). */
export type GraphObjectKind = 'ConfigMap' | 'PersistentVolumeClaim' | 'Secret' | 'ServiceAccount';

/** A namespaced object a pod can reference. Structurally location/'s `ObjectRef`. */
export interface GraphObjectRef {
  readonly kind: GraphObjectKind;
  readonly namespace: string;
  readonly name: string;
}

/**
 * What authorization asks the caches. `LocationCache` answers `nodeNeeds`; `podOn` and `claimOfVolume`
 * are supplied by `main.ts` from the location cache's pod locations and the PV (or PVC) store;
 * `podRecentlyDeletedFrom` by a {@link RecentPodDeletions} fed from the pod informer; the
 * {@link NodeFacts} (a node's addresses, whether a Node exists) from the Node store.
 */
export interface NodeGraph extends NodeFacts {
  /** Whether a pod bound to `node` references `object`. */
  nodeNeeds(node: NodeName, object: GraphObjectRef): boolean;
  /** Whether the pod `namespace/name` is bound to `node` (recorded on it by the location cache). */
  podOn(node: NodeName, namespace: string, name: string): boolean;
  /**
   * Whether a pod `namespace/name` bound to `node` was deleted recently (5 minutes): a kubelet still
   * records events about a pod it has just stopped.
   */
  podRecentlyDeletedFrom(node: NodeName, namespace: string, name: string): boolean;
  /** The claim a PersistentVolume is bound to (`spec.claimRef`), or `undefined` when unbound or unknown. */
  claimOfVolume(volumeName: string): { readonly namespace: string; readonly name: string } | undefined;
}

/** A reference as authorization reads it from an object (`involvedObject`, `boundObjectRef`, owner). */
export interface ObjectReference {
  readonly kind?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/** What a request wants to do, as authorization sees it. Closed: {@link authorize} switches over it. */
export type Access =
  | {
      readonly kind: 'read-object';
      readonly objectKind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
      readonly namespace: string;
      readonly name: string;
    }
  | { readonly kind: 'read-volume'; readonly name: string }
  /** Checked after the read: `attachedNode` is the object's `spec.nodeName`. */
  | { readonly kind: 'read-volume-attachment'; readonly attachedNode: string | undefined }
  | {
      readonly kind: 'create-token';
      readonly namespace: string;
      readonly serviceAccount: string;
      readonly boundObject: ObjectReference | undefined;
    }
  /** Any read or write of the Node `name`; `labelKeys` are labels the request sets or removes. */
  | { readonly kind: 'node'; readonly name: string; readonly labelKeys?: readonly string[] }
  | { readonly kind: 'lease'; readonly namespace: string | null; readonly name: string }
  /** A pod write decided from the cache (status patch, delete). */
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  /** A pod write decided from the pod just read: `nodeName` is its `spec.nodeName`. */
  | { readonly kind: 'bound-pod'; readonly nodeName: string | undefined }
  | {
      readonly kind: 'create-mirror-pod';
      readonly nodeName: string | undefined;
      readonly isMirror: boolean;
      readonly ownerReferences: readonly ObjectReference[];
    }
  /**
   * An event about `involvedObject`, in `namespace`: for a create, the new event; for an update or patch,
   * both the stored event (read first, never judged by its name) and, for an update, the new body.
   */
  | { readonly kind: 'event'; readonly namespace: string; readonly involvedObject: ObjectReference }
  /** A CSR, with its PKCS#10 request as kubelet-csr.ts parsed it. */
  | {
      readonly kind: 'create-csr';
      readonly signerName: string;
      readonly usages: readonly string[] | undefined;
      readonly request: KubeletCsrRequest;
    }
  /** Checked after the read: who created the CSR. */
  | {
      readonly kind: 'read-csr';
      readonly username: string | undefined;
      readonly requestingNode: string | undefined;
    };

/** Why a request was rejected. Closed: a metric label. */
export type ForbidReason =
  | 'not-own-node'
  | 'not-own-lease'
  | 'pod-not-on-node'
  | 'object-not-referenced'
  | 'volume-not-referenced'
  | 'attachment-not-on-node'
  | 'token-not-pod-bound'
  | 'mirror-pod-not-allowed'
  | 'event-not-about-node'
  | 'csr-signer-not-allowed'
  | 'csr-subject-not-allowed'
  | 'csr-usages-not-allowed'
  | 'csr-san-not-allowed'
  | 'csr-not-own'
  | 'restricted-label'
  | 'patch-field-not-allowed';

/** The verdict. A rejection names the rule and explains it for the 403 message. */
export type AuthorizationResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: ForbidReason; readonly message: string };

const allowed: AuthorizationResult = Object.freeze({ allowed: true });

/**
 * Whether `node` may perform `access`. With mode `none` everything is allowed. Pure: reads only the graph.
 * Messages name the node and the rule, never object content.
 */
export function authorize(
  node: NodeName,
  access: Access,
  graph: NodeGraph,
  mode: AuthorizationMode = 'node',
): AuthorizationResult {
  if (mode === 'none') return allowed;
  switch (access.kind) {
    case 'read-object':
      return check(
        graph.nodeNeeds(node, { kind: access.objectKind, namespace: access.namespace, name: access.name }),
        'object-not-referenced',
        `no pod bound to node ${q(node)} references ${access.objectKind} ${access.namespace}/${access.name}`,
      );
    case 'read-volume': {
      const claim = graph.claimOfVolume(access.name);
      const needed =
        claim !== undefined &&
        graph.nodeNeeds(node, {
          kind: 'PersistentVolumeClaim',
          namespace: claim.namespace,
          name: claim.name,
        });
      return check(
        needed,
        'volume-not-referenced',
        `no pod bound to node ${q(node)} uses a claim bound to this volume`,
      );
    }
    case 'read-volume-attachment':
      return check(
        access.attachedNode === node,
        'attachment-not-on-node',
        `the attachment is not for node ${q(node)}`,
      );
    case 'create-token':
      return authorizeToken(node, access, graph);
    case 'node':
      if (access.name !== node) return deny('not-own-node', `node ${q(node)} may only access its own Node`);
      return checkLabels(access.labelKeys ?? []);
    case 'lease':
      return check(
        access.namespace === nodeLeaseNamespace && access.name === node,
        'not-own-lease',
        `node ${q(node)} may only access its own Lease ${nodeLeaseNamespace}/${node}`,
      );
    case 'pod':
      return check(
        graph.podOn(node, access.namespace, access.name),
        'pod-not-on-node',
        `pod ${access.namespace}/${access.name} is not bound to node ${q(node)}`,
      );
    case 'bound-pod':
      return check(access.nodeName === node, 'pod-not-on-node', `the pod is not bound to node ${q(node)}`);
    case 'create-mirror-pod':
      return authorizeMirrorPod(node, access);
    case 'event':
      return authorizeEvent(node, access, graph);
    case 'create-csr': {
      const violation = kubeletCsrViolation(node, access, graph);
      return violation === undefined
        ? allowed
        : deny(violation.reason, `node ${q(node)}: ${violation.message}`);
    }
    case 'read-csr':
      return check(
        access.username === `system:node:${node}` || access.requestingNode === node,
        'csr-not-own',
        `the certificate signing request was not made by node ${q(node)}`,
      );
  }
}

/**
 * Whether a label key is one a node may not set, change or remove: under `node-restriction.kubernetes.io`
 * (NodeRestriction), or a strategic-merge directive (`$patch`, `$retainKeys`, …) that could rewrite the
 * whole label map.
 */
export function isRestrictedLabelKey(key: string): boolean {
  if (key.startsWith('$')) return true;
  const slash = key.indexOf('/');
  if (slash === -1) return false;
  const prefix = key.slice(0, slash);
  return prefix === nodeRestrictionLabelDomain || prefix.endsWith(`.${nodeRestrictionLabelDomain}`);
}

/** The 403 failure for a rejection of an access to `resource`/`name`. */
export function rejectionFailure(
  resource: KubeResource,
  name: string,
  result: Extract<AuthorizationResult, { allowed: false }>,
): ApiFailure {
  return forbiddenFailure(resource, name, result.message);
}

/** The `{"ErrStatus"}` reply content of a rejection (403 `Forbidden`, the reason in the message). */
export function rejectionContent(
  resource: KubeResource,
  name: string,
  result: Extract<AuthorizationResult, { allowed: false }>,
): ErrStatusContent {
  return errStatusContent(rejectionFailure(resource, name, result));
}

function authorizeToken(
  node: NodeName,
  access: Extract<Access, { kind: 'create-token' }>,
  graph: NodeGraph,
): AuthorizationResult {
  const sa: GraphObjectRef = {
    kind: 'ServiceAccount',
    namespace: access.namespace,
    name: access.serviceAccount,
  };
  if (!graph.nodeNeeds(node, sa)) {
    return deny(
      'object-not-referenced',
      `no pod bound to node ${q(node)} runs as ServiceAccount ${access.namespace}/${access.serviceAccount}`,
    );
  }
  // NodeRestriction: a node's token requests must be bound to one of its pods.
  const bound = access.boundObject;
  if (bound?.kind !== 'Pod' || bound.name === undefined || bound.name === '') {
    return deny('token-not-pod-bound', `node ${q(node)} may only request tokens bound to a pod`);
  }
  return check(
    graph.podOn(node, access.namespace, bound.name),
    'pod-not-on-node',
    `pod ${access.namespace}/${bound.name} is not bound to node ${q(node)}`,
  );
}

function authorizeMirrorPod(
  node: NodeName,
  access: Extract<Access, { kind: 'create-mirror-pod' }>,
): AuthorizationResult {
  if (!access.isMirror) return deny('mirror-pod-not-allowed', `node ${q(node)} may only create mirror pods`);
  if (access.nodeName !== node)
    return deny('mirror-pod-not-allowed', `a mirror pod must be bound to node ${q(node)}`);
  // NodeRestriction: a mirror pod may be owned only by its own Node.
  const foreignOwner = access.ownerReferences.some((owner) => owner.kind !== 'Node' || owner.name !== node);
  return check(!foreignOwner, 'mirror-pod-not-allowed', `a mirror pod may only be owned by Node ${q(node)}`);
}

function authorizeEvent(
  node: NodeName,
  access: Extract<Access, { kind: 'event' }>,
  graph: NodeGraph,
): AuthorizationResult {
  const { involvedObject: about } = access;
  const aboutName = about.name ?? '';
  let isOwn = false;
  if (about.kind === 'Node') isOwn = aboutName === node;
  else if (about.kind === 'Pod') {
    // A pod event lives in the pod's namespace. A pod deleted a moment ago still gets its last events.
    const namespace = about.namespace ?? access.namespace;
    isOwn =
      namespace === access.namespace &&
      aboutName !== '' &&
      (graph.podOn(node, namespace, aboutName) || graph.podRecentlyDeletedFrom(node, namespace, aboutName));
  }
  return check(
    isOwn,
    'event-not-about-node',
    `node ${q(node)} may only record events about itself or its pods`,
  );
}

function checkLabels(keys: readonly string[]): AuthorizationResult {
  const restricted = keys.find(isRestrictedLabelKey);
  return restricted === undefined
    ? allowed
    : deny(
        'restricted-label',
        `a node may not set or remove label ${q(restricted)} (${nodeRestrictionLabelDomain} or a patch directive)`,
      );
}

function check(condition: boolean, reason: ForbidReason, message: string): AuthorizationResult {
  return condition ? allowed : deny(reason, message);
}

function deny(reason: ForbidReason, message: string): AuthorizationResult {
  return { allowed: false, reason, message };
}

function q(value: string): string {
  return JSON.stringify(value);
}
