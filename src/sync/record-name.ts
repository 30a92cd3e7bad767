/**
 * ObjectSync names: `<nodeName>.<objectUID>`, the only module that builds or parses them (STYLE.md rule
 * 18). KubeEdge recovers the node as everything before the LAST `.`, so node names may contain dots
 * (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/synccontroller/synccontroller.go` BuildObjectSyncName,
 * getNodeName, getObjectUID; spec §6).
 * @module
 */
import { parseNodeName } from '../protocol/index.js';
import type { Brand, NodeName } from '../protocol/index.js';

/** The name of an ObjectSync or ClusterObjectSync: `<node>.<uid>`. */
export type ObjectSyncName = Brand<string, 'ObjectSyncName'>;

// A custom resource name is a DNS-1123 subdomain: at most 253 characters.
const maxNameLength = 253;
// Object UIDs are UUIDs; anything with a dot or slash would not split back, or not be a valid name.
const uidPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `<node>.<uid>`, or `undefined` when the result cannot be a resource name: an empty or non-UUID-like
 * uid (no `.`, lowercase alphanumerics and `-`), or more than 253 characters (a 217-character node
 * name with a 36-character UUID already fits no more; KubeEdge would fail the create).
 */
export function objectSyncName(node: NodeName, uid: string): ObjectSyncName | undefined {
  if (!uidPattern.test(uid)) return undefined;
  const name = `${node}.${uid}`;
  return name.length <= maxNameLength ? (name as ObjectSyncName) : undefined;
}

/** Splits `<node>.<uid>` at the last `.`; `undefined` unless both parts are valid. */
export function parseObjectSyncName(
  name: string,
): { readonly name: ObjectSyncName; readonly node: NodeName; readonly uid: string } | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length > maxNameLength) return undefined;
  const node = parseNodeName(name.slice(0, dot));
  const uid = name.slice(dot + 1);
  if (node === undefined || !uidPattern.test(uid)) return undefined;
  return { name: name as ObjectSyncName, node, uid };
}
