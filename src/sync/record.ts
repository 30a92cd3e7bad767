/**
 * ObjectSync / ClusterObjectSync records: what a node's edge database holds, one record per object,
 * as KubeEdge's reliablesyncs CRs (spec §6; `kubeedge/kubeedge` v1.23.1
 * `staging/src/github.com/kubeedge/api/apis/reliablesyncs/v1alpha1/type.go`). Parsing a CR read from the
 * API into a {@link SyncRecord}, and the CR body for a record. Pure.
 *
 * Scope follows the object: a namespaced object's record is an ObjectSync in the object's namespace; a
 * cluster-scoped one's (namespace `null` on the wire, e.g. the Node) is a ClusterObjectSync.
 * @module
 */
import type { NodeName } from '../protocol/index.js';
import { objectSyncName, parseObjectSyncName } from './record-name.js';
import type { ObjectSyncName } from './record-name.js';

/** Group and version of both CRDs. */
export const reliableSyncsGroup = 'reliablesyncs.kubeedge.io';
/** `apiVersion` of ObjectSync and ClusterObjectSync objects. */
export const reliableSyncsApiVersion = `${reliableSyncsGroup}/v1alpha1`;

/** The two record kinds. */
export type RecordKind = 'ObjectSync' | 'ClusterObjectSync';

/** Where a record lives: enough to GET, DELETE or write the status of its CR. */
export interface RecordTarget {
  readonly recordKind: RecordKind;
  /** The CR's (and object's) namespace; absent for ClusterObjectSync. */
  readonly namespace?: string;
  readonly name: ObjectSyncName;
}

/** One record, parsed. */
export interface SyncRecord extends RecordTarget {
  /** From the name: the node whose edge holds the object. */
  readonly node: NodeName;
  /** From the name: the UID of the object the edge holds. */
  readonly uid: string;
  /** `spec.objectAPIVersion`, e.g. `v1`. */
  readonly objectAPIVersion: string;
  /** `spec.objectKind`, e.g. `Pod`, `ConfigMap`, `Secret`, `Node`. */
  readonly objectKind: string;
  /** `spec.objectName`. */
  readonly objectName: string;
  /** `status.objectResourceVersion`: the last version the edge ACKed; `''` when the status is empty. */
  readonly objectResourceVersion: string;
}

/**
 * Parses a CR read from the API (list, watch or GET; `kind` may be absent). The record kind follows the
 * namespace: set → ObjectSync, absent → ClusterObjectSync. `undefined` when the name does not split into a
 * valid node and uid or `spec.objectKind`/`objectName` is missing: such a record cannot be repaired and
 * the worker should leave it alone.
 */
export function parseSyncRecord(cr: unknown): SyncRecord | undefined {
  if (!isRecord(cr) || !isRecord(cr['metadata']) || !isRecord(cr['spec'])) return undefined;
  const { metadata, spec } = cr;
  const name = typeof metadata['name'] === 'string' ? parseObjectSyncName(metadata['name']) : undefined;
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const objectKind = stringField(spec, 'objectKind');
  const objectName = stringField(spec, 'objectName');
  if (name === undefined || objectKind === '' || objectName === '') return undefined;
  const status = isRecord(cr['status']) ? cr['status'] : {};
  return {
    ...(namespace === ''
      ? { recordKind: 'ClusterObjectSync' as const }
      : { recordKind: 'ObjectSync' as const, namespace }),
    name: name.name,
    node: name.node,
    uid: name.uid,
    objectAPIVersion: stringField(spec, 'objectAPIVersion'),
    objectKind,
    objectName,
    objectResourceVersion: stringField(status, 'objectResourceVersion'),
  };
}

/** What identifies the object a record is about, for {@link newSyncRecord}. */
export interface RecordedObject {
  readonly node: NodeName;
  readonly uid: string;
  /** `null` for cluster-scoped objects. */
  readonly namespace: string | null;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly resourceVersion: string;
}

/** The record for an object, or `undefined` when `<node>.<uid>` is not a valid name (record-name.ts). */
export function newSyncRecord(object: RecordedObject): SyncRecord | undefined {
  const name = objectSyncName(object.node, object.uid);
  if (name === undefined) return undefined;
  return {
    ...(object.namespace === null
      ? { recordKind: 'ClusterObjectSync' as const }
      : { recordKind: 'ObjectSync' as const, namespace: object.namespace }),
    name,
    node: object.node,
    uid: object.uid,
    objectAPIVersion: object.apiVersion,
    objectKind: object.kind,
    objectName: object.name,
    objectResourceVersion: object.resourceVersion,
  };
}

/**
 * The CR body of a record, exactly KubeEdge's shape. `status` is a subresource on both CRDs, so the API
 * server ignores it on create: create with this body, then write `status` with a status update or
 * {@link recordStatusPatch} (KubeEdge: Create, then UpdateStatus).
 */
export function recordBody(record: SyncRecord): Readonly<Record<string, unknown>> {
  return {
    apiVersion: reliableSyncsApiVersion,
    kind: record.recordKind,
    metadata: {
      name: record.name,
      ...(record.namespace === undefined ? {} : { namespace: record.namespace }),
    },
    spec: {
      objectAPIVersion: record.objectAPIVersion,
      objectKind: record.objectKind,
      objectName: record.objectName,
    },
    status: { objectResourceVersion: record.objectResourceVersion },
  };
}

/** A merge patch for the `status` subresource that records `resourceVersion`. */
export function recordStatusPatch(resourceVersion: string): Readonly<Record<string, unknown>> {
  return { status: { objectResourceVersion: resourceVersion } };
}

/** The target (kind, namespace, name) of a record, without its data. */
export function targetOf(record: RecordTarget): RecordTarget {
  return {
    recordKind: record.recordKind,
    ...(record.namespace === undefined ? {} : { namespace: record.namespace }),
    name: record.name,
  };
}

/** A string that identifies a target: `ObjectSync/<ns>/<name>` or `ClusterObjectSync/<name>`. */
export function targetId(target: RecordTarget): string {
  return target.namespace === undefined
    ? `${target.recordKind}/${target.name}`
    : `${target.recordKind}/${target.namespace}/${target.name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(object: Record<string, unknown>, key: string): string {
  const value = object[key];
  return typeof value === 'string' ? value : '';
}
