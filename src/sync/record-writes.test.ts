import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import type { RecordAction } from './on-ack.js';
import { newSyncRecord } from './record.js';
import type { SyncRecord } from './record.js';
import { coalesceRecordActions } from './record-writes.js';

function rec(uid: string, rv: string): SyncRecord {
  const record = newSyncRecord({
    node: 'edge-1' as NodeName,
    uid,
    namespace: 'ns',
    apiVersion: 'v1',
    kind: 'Pod',
    name: `p-${uid}`,
    resourceVersion: rv,
  });
  if (record === undefined) throw new Error('bad record');
  return record;
}
const upsert = (uid: string, rv: string): RecordAction => ({ kind: 'upsert', record: rec(uid, rv) });
const del = (uid: string): RecordAction => ({ kind: 'delete', target: rec(uid, '0') });

/** Writes as `upsert uid rv` / `delete uid`. */
function describeWrites(actions: readonly RecordAction[]): string[] {
  return coalesceRecordActions(actions).map((w) =>
    w.kind === 'upsert'
      ? `upsert ${w.record.uid} ${w.record.objectResourceVersion}`
      : `delete ${w.target.name.split('.')[1] ?? ''}`,
  );
}

describe('coalesceRecordActions', () => {
  const table: [name: string, actions: RecordAction[], expected: string[]][] = [
    [
      'keeps the highest of several upserts of one record',
      [upsert('a', '5'), upsert('a', '7'), upsert('a', '6')],
      ['upsert a 7'],
    ],
    ['a delete after upserts deletes', [upsert('a', '5'), del('a')], ['delete a']],
    ['an upsert after a delete re-creates', [del('a'), upsert('a', '9')], ['upsert a 9']],
    ['drops none actions', [{ kind: 'none', reason: 'no-uid' }, upsert('b', '1')], ['upsert b 1']],
    [
      'keeps first-touch order across records',
      [upsert('b', '1'), upsert('a', '1'), upsert('b', '2')],
      ['upsert b 2', 'upsert a 1'],
    ],
  ];
  for (const [name, actions, expected] of table) {
    it(name, () => {
      assert.deepEqual(describeWrites(actions), expected);
    });
  }
});
