import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { appendOp, decideFailure } from './record-ops.js';
import type { QueuedOp, RecordOp, RecordOpResult } from './record-ops.js';
import { newSyncRecord } from './record.js';
import type { SyncRecord } from './record.js';

const record = newSyncRecord({
  node: 'edge-1' as NodeName,
  uid: 'u-1',
  namespace: 'default',
  apiVersion: 'v1',
  kind: 'ConfigMap',
  name: 'cm',
  resourceVersion: '5',
}) as SyncRecord;
const create: RecordOp = { kind: 'create', record };
const status = (rv: string): RecordOp => ({ kind: 'status', record, resourceVersion: rv });
const del: RecordOp = { kind: 'delete', target: record };

function kinds(list: readonly QueuedOp[]): string[] {
  return list.map((q) => (q.op.kind === 'status' ? `status ${q.op.resourceVersion}` : q.op.kind));
}

describe('appendOp', () => {
  it('keeps the later of two statuses, with both callers', () => {
    const list: QueuedOp[] = [];
    const told: RecordOpResult[] = [];
    appendOp(list, status('5'), (r) => told.push(r), false);
    appendOp(list, status('0'), (r) => told.push(r), false);
    assert.deepEqual(kinds(list), ['status 0'], 'a reset after an ACK wins');
    assert.equal(list[0]?.done.length, 2);
  });

  it('never touches a running head', () => {
    const list: QueuedOp[] = [];
    appendOp(list, status('5'), undefined, false);
    appendOp(list, status('6'), undefined, true);
    assert.deepEqual(kinds(list), ['status 5', 'status 6']);
  });

  it('folds a create into a waiting create or status, and keeps a create after a delete', () => {
    const list: QueuedOp[] = [];
    appendOp(list, create, undefined, false);
    appendOp(list, create, undefined, false);
    assert.deepEqual(kinds(list), ['create']);
    appendOp(list, status('7'), undefined, false);
    appendOp(list, create, undefined, false);
    assert.deepEqual(kinds(list), ['create', 'status 7']);
    appendOp(list, del, undefined, false);
    assert.deepEqual(kinds(list), ['create', 'delete'], 'a delete replaces the waiting status');
    appendOp(list, create, undefined, false);
    assert.deepEqual(kinds(list), ['create', 'delete', 'create'], 'the record comes back after the delete');
  });
});

describe('decideFailure', () => {
  it('treats what already happened as done', () => {
    assert.equal(decideFailure(create, 'reread', 409).kind, 'done');
    assert.equal(decideFailure(del, 'absorb', 404).kind, 'done');
  });

  it('creates a missing record before writing its status', () => {
    assert.equal(decideFailure(status('5'), 'absorb', 404).kind, 'create-first');
  });

  it('retries outages, throttling and 403 (RBAC gets fixed); drops what cannot succeed', () => {
    assert.equal(decideFailure(create, 'retry', 503).kind, 'retry');
    assert.equal(decideFailure(create, 'retry', 0).kind, 'retry');
    assert.equal(decideFailure(create, 'terminal', 403).kind, 'retry');
    assert.equal(decideFailure(status('5'), 'reread', 409).kind, 'retry');
    assert.equal(decideFailure(create, 'terminal', 422).kind, 'drop');
    assert.equal(decideFailure(del, 'terminal', 400).kind, 'drop');
  });
});
