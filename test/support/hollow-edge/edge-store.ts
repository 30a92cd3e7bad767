/**
 * Reads what a real EdgeCore holds: its metamanager store, the sqlite table `meta` in `<data dir>/edgecore.db`
 * (kubeedge/kubeedge v1.23.1 `edge/pkg/metamanager/dao/models/meta.go`: columns key, type, value; the key is
 * `<namespace>/<type>/<name>`, the value the object's JSON). This is the edge's own view, independent of what
 * our controller believes it sent.
 * @module
 */
import { DatabaseSync } from 'node:sqlite';

/** One row of the edge's `meta` table. */
export interface EdgeStoreRow {
  readonly key: string;
  readonly type: string;
  readonly value: string;
}

/** An object the edge holds, parsed. */
export interface EdgeObject {
  readonly key: string;
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;
  readonly object: Record<string, unknown>;
}

/** Every row of the edge's store; an empty list before the edge created its table. */
export function readEdgeStoreRows(dbPath: string): EdgeStoreRow[] {
  // readOnly and a busy timeout: the edge writes while we read (sqlite's default rollback journal).
  const db = new DatabaseSync(dbPath, { readOnly: true, timeout: 5_000 });
  try {
    const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
    if (table === undefined) return [];
    return db.prepare('SELECT key, type, value FROM meta ORDER BY key').all() as unknown as EdgeStoreRow[];
  } finally {
    db.close();
  }
}

/** The edge's objects of one type (`pod`, `configmap`, `secret`, `node`, ...), parsed. */
export function readEdgeObjects(dbPath: string, type: string): EdgeObject[] {
  return readEdgeStoreRows(dbPath)
    .filter((row) => row.type === type)
    .map((row) => {
      const object = JSON.parse(row.value) as Record<string, unknown>;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      const [namespace = '', , name = ''] = row.key.split('/');
      return {
        key: row.key,
        type: row.type,
        namespace,
        name,
        uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
        resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined,
        object,
      };
    });
}
