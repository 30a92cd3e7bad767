import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPush, parseMessageId } from '../protocol/index.js';
import type { MessageId, ResourcePath } from '../protocol/index.js';
import { routeOutbound, withMessageId } from './outbound.js';

const id = parseMessageId('m-1') as MessageId;
const pod = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'default', uid: 'u-1', resourceVersion: '7', ...extra },
});

describe('routeOutbound', () => {
  it('puts a pod update on the ACK path keyed by the edge key and UID', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'update',
      content: pod(),
      resourceVersion: '7',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack');
    assert.equal(r.item.key, 'default/pod/p1');
    assert.equal(r.item.uid, 'u-1');
    assert.equal(r.item.resourceVersion, '7');
    assert.equal(r.item.isDelete, false);
  });

  it('treats an object with deletionTimestamp as a delete, as KubeEdge isDeleteMessage does', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'update',
      content: pod({ deletionTimestamp: '2026-01-01T00:00:00Z' }),
      resourceVersion: '8',
    });
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack' && r.item.isDelete);
  });

  it('sends a podpatch reply once, on the no-ACK path', () => {
    const m = {
      header: { msg_id: id, parent_msg_id: id, timestamp: 1 },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/podpatch/p1',
      },
      content: { Object: null, Err: null },
    };
    assert.equal(routeOutbound(m).path, 'no-ack');
  });

  it('caps resends of a configmap query reply', () => {
    const m = {
      header: { msg_id: id, parent_msg_id: id, timestamp: 1, resourceversion: '3' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/configmap/c',
      },
      content: { kind: 'ConfigMap', metadata: { uid: 'c-1' } },
    };
    const r = routeOutbound(m);
    assert.ok(r.path === 'ack' && r.item.isResponse === true && r.item.dropAfterResends === 3);
  });
});

describe('withMessageId', () => {
  it('replaces only msg_id', () => {
    const m = newPush({
      id,
      now: 1,
      resource: 'default/pod/p1' as ResourcePath,
      operation: 'insert',
      content: pod(),
      resourceVersion: '7',
    });
    const other = parseMessageId('m-2') as MessageId;
    const framed = withMessageId(m, other);
    assert.equal(framed.header.msg_id, 'm-2');
    assert.equal(framed.header.resourceversion, '7');
    assert.equal(m.header.msg_id, 'm-1');
  });
});
