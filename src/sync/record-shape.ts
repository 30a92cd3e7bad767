/**
 * What the record informers keep of an ObjectSync / ClusterObjectSync CR (issue 15 item 4): only what
 * {@link parseSyncRecord} reads and what the store needs, as a transform applied before the object enters
 * the store. There is a record per object per node (100,000 pods are 100,000 records), and nobody reads
 * a record's `creationTimestamp`, `generation`, labels, annotations, owner references or its own uid, nor
 * its `apiVersion`/`kind` (the informer says which kind it holds). Pure.
 * @module
 */
import type { KubeObject } from '../kube/index.js';

/** The slim CR: metadata (the store's key and version), spec and status as the parser reads them. */
export interface SlimRecordObject extends KubeObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
  };
  readonly spec: {
    readonly objectAPIVersion: string;
    readonly objectKind: string;
    readonly objectName: string;
  };
  readonly status: { readonly objectResourceVersion: string };
}

/**
 * The slim copy of a record CR, in one fixed shape per informer (every record the same hidden class,
 * properties in the object). A field that is absent or not a string becomes `''`, which {@link parseSyncRecord} reads
 * the same way as absent, so a malformed CR stays malformed (the worker leaves it alone).
 */
export function slimRecord(cr: KubeObject): SlimRecordObject {
  const { name, namespace, resourceVersion } = cr.metadata;
  const full = cr as KubeObject & { readonly spec?: unknown; readonly status?: unknown };
  const spec = isRecord(full.spec) ? full.spec : {};
  const status = isRecord(full.status) ? full.status : {};
  return {
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    spec: {
      objectAPIVersion: stringField(spec, 'objectAPIVersion'),
      objectKind: stringField(spec, 'objectKind'),
      objectName: stringField(spec, 'objectName'),
    },
    status: { objectResourceVersion: stringField(status, 'objectResourceVersion') },
  };
}

function stringField(object: Record<string, unknown>, key: string): string {
  const value = object[key];
  return typeof value === 'string' ? value : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
