/**
 * The one view the fault suite compares: per node, the objects an edge should hold (from the API server)
 * and the objects it does hold (from its store), both reduced to what must match. Pods match by UID and
 * deletion state (deletionTimestamp set or not); ConfigMaps and Secrets by UID and a hash of their data;
 * the Node by UID. ResourceVersions cannot match: the controller does not push metadata-only updates.
 * Pure: objects in, views out.
 * @module
 */
import { createHash } from 'node:crypto';
import { podReferences } from '../../src/location/index.js';

/** The kinds compared. */
export type ViewKind = 'node' | 'pod' | 'configmap' | 'secret';

/** One object as compared: `key` is `<kind>/<namespace>/<name>` (namespace empty for the Node). */
export interface ObjectView {
  readonly key: string;
  readonly uid: string;
  /** Pods: `live` or `deleting`; ConfigMaps and Secrets: a hash of the data; the Node: empty. */
  readonly state: string;
}

/** Objects by key. */
export type ViewSet = ReadonlyMap<string, ObjectView>;

/** An API object as read from the API server or an edge store: only what the view reads. */
export interface KubeObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly deletionTimestamp?: string;
  };
  readonly spec?: { readonly nodeName?: string };
  readonly data?: unknown;
  readonly binaryData?: unknown;
  readonly stringData?: unknown;
}

/** What the API server holds, read fresh (not from the controller's caches). */
export interface ClusterObjects {
  readonly nodes: readonly KubeObject[];
  readonly pods: readonly KubeObject[];
  readonly configMaps: readonly KubeObject[];
  readonly secrets: readonly KubeObject[];
}

const viewKinds: ReadonlySet<string> = new Set<ViewKind>(['node', 'pod', 'configmap', 'secret']);

/** The view of one object of `kind`. */
export function viewOf(kind: ViewKind, object: KubeObject): ObjectView {
  const m = object.metadata ?? {};
  const namespace = kind === 'node' ? '' : (m.namespace ?? '');
  return {
    key: `${kind}/${namespace}/${m.name ?? ''}`,
    uid: m.uid ?? '',
    state: stateOf(kind, object),
  };
}

function stateOf(kind: ViewKind, object: KubeObject): string {
  switch (kind) {
    case 'node':
      return '';
    case 'pod':
      return object.metadata?.deletionTimestamp !== undefined ? 'deleting' : 'live';
    case 'configmap':
    case 'secret':
      return dataHash(object);
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** A hash of `data` and `binaryData` with keys sorted (a stored copy may order keys differently). */
export function dataHash(object: KubeObject): string {
  const canonical = JSON.stringify([sorted(object.data), sorted(object.binaryData)]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

function sorted(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value ?? null;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * What each node in `nodeNames` should hold: its Node, the pods bound to it, and the ConfigMaps and
 * Secrets those pods reference (location/ `podReferences`, the rule the controller follows) that exist.
 */
export function desiredViews(
  cluster: ClusterObjects,
  nodeNames: readonly string[],
): Map<string, Map<string, ObjectView>> {
  const byKey = new Map<string, KubeObject>();
  for (const cm of cluster.configMaps) byKey.set(viewOf('configmap', cm).key, cm);
  for (const secret of cluster.secrets) byKey.set(viewOf('secret', secret).key, secret);
  const result = new Map<string, Map<string, ObjectView>>();
  for (const name of nodeNames) result.set(name, new Map());
  const add = (node: string, view: ObjectView): void => {
    result.get(node)?.set(view.key, view);
  };
  for (const node of cluster.nodes) {
    const name = node.metadata?.name ?? '';
    add(name, viewOf('node', node));
  }
  for (const pod of cluster.pods) {
    const node = pod.spec?.nodeName;
    if (node === undefined || !result.has(node)) continue;
    add(node, viewOf('pod', pod));
    for (const ref of podReferences(pod)) {
      const kind = ref.kind === 'ConfigMap' ? 'configmap' : ref.kind === 'Secret' ? 'secret' : undefined;
      if (kind === undefined) continue;
      const object = byKey.get(`${kind}/${ref.namespace}/${ref.name}`);
      if (object !== undefined) add(node, viewOf(kind, object));
    }
  }
  return result;
}

/**
 * What one edge holds, from its store rows (`<namespace>/<type>/<name>` → object JSON, as the simulator's
 * store and a real EdgeCore's sqlite `meta` table both key them). Other row types (leases, podpatch,
 * service account tokens...) are not compared. Two rows for one object (a node stored as `null/node/x`
 * from its own insert and pushed again) must agree; if they do not, the view says so in its state.
 */
export function storeViews(rows: Iterable<readonly [string, unknown]>): Map<string, ObjectView> {
  const result = new Map<string, ObjectView>();
  for (const [rowKey, content] of rows) {
    const type = rowKey.split('/')[1] ?? '';
    if (!viewKinds.has(type) || typeof content !== 'object' || content === null) continue;
    const view = viewOf(type as ViewKind, content);
    const seen = result.get(view.key);
    if (seen !== undefined && (seen.uid !== view.uid || seen.state !== view.state)) {
      result.set(view.key, {
        ...view,
        state: `conflicting rows: ${seen.uid}/${seen.state} and ${view.uid}/${view.state}`,
      });
      continue;
    }
    result.set(view.key, view);
  }
  return result;
}
