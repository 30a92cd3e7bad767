/**
 * Resource strings: the only module that builds or parses them (STYLE.md rule 18).
 *
 * Two forms exist (spec §2.1):
 * - wire form `<ns>/<type>[/<name>]` ({@link ResourcePath}), what the edge sends and receives and what
 *   `route.resource` holds everywhere in this codebase;
 * - KubeEdge's cloud-internal form `node/<node>/<ns>/<type>[/<name>]` ({@link NodeResourcePath}), built by
 *   `BuildResource`, trimmed by cloudhub's `TrimMessage` before sending and re-added by `PubToController`
 *   on receipt. We keep the node beside the message instead, so this form is only for compatibility
 *   (logs, tools, tests).
 *
 * Cluster-scoped objects use the literal namespace token `null`; parsed, it becomes JS `null`. A
 * namespace that is really called "null" is indistinguishable on the wire, as in KubeEdge.
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/common/messagelayer/util.go`,
 * `cloud/pkg/cloudhub/common/helper.go` TrimMessage, `cloud/pkg/cloudhub/dispatcher/message_dispatcher.go`.
 * @module
 */
import type { Brand } from './brand.js';
import { nullNamespace } from './resource-types.js';

/** A Kubernetes node name (== KubeEdge node id): a DNS-1123 subdomain. */
export type NodeName = Brand<string, 'NodeName'>;

/** A wire-form resource `<ns>/<type>[/<name>]`, every segment non-empty and without `/`. */
export type ResourcePath = Brand<string, 'ResourcePath'>;

/** KubeEdge's cloud-internal resource `node/<node>/<rest>`. */
export type NodeResourcePath = Brand<string, 'NodeResourcePath'>;

/**
 * The key of the edge's database row that a message writes (`meta` table key, spec §2.1). Two messages
 * with the same key must not be in flight to one edge at once, because the edge applies messages in
 * parallel (errata Part A omission 7) and keeps whichever lands last (omission 6).
 */
export type EdgeKey = Brand<string, 'EdgeKey'>;

/** The parts of a wire-form resource. */
export interface ResourceRef {
  /** Namespace; `null` for cluster-scoped objects (wire token `null`). */
  readonly namespace: string | null;
  /** The type token, e.g. `pod`. Not narrowed: see resource-types.ts. */
  readonly resourceType: string;
  /** Object name. Absent in list forms such as `<ns>/podstatus` (spec §4.2). */
  readonly name?: string;
}

/** A parsed wire-form resource and its branded text. */
export interface ParsedResource extends ResourceRef {
  readonly path: ResourcePath;
}

// DNS-1123 subdomain, as kube-apiserver validates Node names.
const nodeNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxNodeNameLength = 253;
const nodePrefix = 'node/';

/** Brands a valid node name (DNS-1123 subdomain, at most 253 characters), or returns `undefined`. */
export function parseNodeName(value: unknown): NodeName | undefined {
  return typeof value === 'string' && value.length <= maxNodeNameLength && nodeNamePattern.test(value)
    ? (value as NodeName)
    : undefined;
}

/**
 * Builds the wire form `<ns>/<type>[/<name>]` (KubeEdge `BuildResource` without the node prefix).
 * Throws a `RangeError` if a segment is empty or contains `/`: callers pass names from Kubernetes
 * objects, which cannot, so that is a broken invariant, not an input error.
 */
export function buildResource(ref: ResourceRef): ResourcePath {
  const segments = [ref.namespace ?? nullNamespace, ref.resourceType];
  if (ref.name !== undefined) segments.push(ref.name);
  for (const segment of segments) {
    if (!isSegment(segment)) {
      throw new RangeError(`resource segment ${JSON.stringify(segment)} is empty or contains "/"`);
    }
  }
  return segments.join('/') as ResourcePath;
}

/**
 * Parses a wire-form resource: exactly 2 or 3 non-empty `/`-separated segments. Returns `undefined`
 * otherwise, including for more than 3 segments: KubeEdge would silently take the 3rd segment as the
 * name and ignore the rest, which could act on an object the edge did not mean. Kubernetes names never
 * contain `/`. Special resources (`node`, `k8s/ca.crt`) must be recognised before calling this:
 * `k8s/ca.crt` parses as namespace `k8s`, type `ca.crt`.
 */
export function parseResource(resource: string): ParsedResource | undefined {
  const segments = resource.split('/');
  if (segments.length < 2 || segments.length > 3 || !segments.every(isSegment)) return undefined;
  const [namespace = '', resourceType = '', name] = segments;
  return {
    namespace: namespace === nullNamespace ? null : namespace,
    resourceType,
    ...(name === undefined ? {} : { name }),
    path: resource as ResourcePath,
  };
}

/**
 * The type token of a wire-form resource (segment index 1), or `undefined` when it is missing or empty.
 * Works on any string, like KubeEdge's `GetResourceType` (which reads index 3 of the internal form).
 */
export function resourceTypeOf(resource: string): string | undefined {
  const type = resource.split('/', 2)[1];
  return type === undefined || type === '' ? undefined : type;
}

/** KubeEdge's `BuildResource`: `node/<node>/<ns>/<type>[/<name>]`. Throws like {@link buildResource}. */
export function buildNodeResource(node: NodeName, ref: ResourceRef): NodeResourcePath {
  return withNodePrefix(node, buildResource(ref));
}

/**
 * Prefixes `node/<node>/` to a resource received from an edge, as cloudhub's `PubToController` does. The
 * node must come from the connection (the verified `node_id`), never from the message (spec §2.1).
 */
export function withNodePrefix(node: NodeName, resource: string): NodeResourcePath {
  return `${nodePrefix}${node}/${resource}` as NodeResourcePath;
}

/**
 * Splits `node/<node>/<rest>` into the node and the wire-form rest (KubeEdge `GetNodeID` + `TrimMessage`).
 * Returns `undefined` if the prefix is missing, the node name is invalid or the rest is empty. Stricter
 * than `TrimMessage`, which drops two tokens from anything that merely starts with `node`.
 */
export function splitNodeResource(value: string): { node: NodeName; resource: string } | undefined {
  if (!value.startsWith(nodePrefix)) return undefined;
  const end = value.indexOf('/', nodePrefix.length);
  if (end === -1) return undefined;
  const node = parseNodeName(value.slice(nodePrefix.length, end));
  const resource = value.slice(end + 1);
  return node === undefined || resource === '' ? undefined : { node, resource };
}

/** Drops the `node/<node>/` prefix (KubeEdge `TrimMessage`). */
export function trimNodePrefix(path: NodeResourcePath): string {
  return path.slice(path.indexOf('/', nodePrefix.length) + 1);
}

// Replies to these types carry an object the edge stores under another type's row (errata O2):
// a podpatch reply's Object under `<ns>/pod/<name>`, a nodepatch reply's under `null/node/<name>`.
const edgeRowType: Readonly<Record<string, string>> = { podpatch: 'pod', nodepatch: 'node' };

/**
 * The edge database key a message for `ref` writes: `<ns>/<type>[/<name>]`, the trimmed resource, as
 * metamanager stores it (spec §2.1), except that `podpatch`/`nodepatch` map to the `pod`/`node` row their
 * replies update (errata O2). Throws like {@link buildResource}.
 */
export function edgeKey(ref: ResourceRef): EdgeKey {
  const rowType = Object.hasOwn(edgeRowType, ref.resourceType) ? edgeRowType[ref.resourceType] : undefined;
  return buildResource({ ...ref, resourceType: rowType ?? ref.resourceType }) as string as EdgeKey;
}

function isSegment(segment: string): boolean {
  return segment !== '' && !segment.includes('/');
}
