import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityDelete, objectPush, pushContentDefaults, toMessage } from '../protocol/index.js';
import type { Message, MessageId, NodeName, PushSpec } from '../protocol/index.js';
import { realisticNode, realisticObject, realisticPod } from '../../test/support/builders.js';
import type { AckItem } from '../queues/index.js';
import { onAck } from './on-ack.js';
import { recordBody } from './record.js';

const node = 'edge-1' as NodeName;
const podUid = '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11';

/** The item the hub hands to its onAck hook for `push` (hub/outbound.ts routeOutbound). */
function acked(push: PushSpec, uid: string, overrides: Partial<Message> = {}): AckItem<Message> {
  const message = { ...toMessage(push, { id: 'm1' as MessageId, now: 1 }), ...overrides };
  return {
    uid,
    key: push.resource,
    resourceVersion: push.resourceVersion ?? '',
    isDelete: push.operation === 'delete',
    payload: message,
  };
}

describe('onAck', () => {
  it('upserts an ObjectSync with the ACKed resourceVersion for a pod insert', () => {
    const action = onAck(
      node,
      acked(objectPush('Pod', 'insert', realisticPod(), pushContentDefaults), podUid),
    );
    assert.ok(action.kind === 'upsert');
    assert.deepEqual(recordBody(action.record), {
      apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
      kind: 'ObjectSync',
      metadata: { name: `edge-1.${podUid}`, namespace: 'default' },
      spec: { objectAPIVersion: 'v1', objectKind: 'Pod', objectName: 'web-7c5ddbdf54-x2x7k' },
      status: { objectResourceVersion: '48213' },
    });
  });

  it('records a terminating pod update (deletionTimestamp is not a delete here, errata U4)', () => {
    const pod = realisticPod({ deletionTimestamp: '2025-11-23T11:00:00Z', resourceVersion: '50000' });
    const action = onAck(node, acked(objectPush('Pod', 'update', pod, pushContentDefaults), podUid));
    assert.equal(action.kind === 'upsert' ? action.record.objectResourceVersion : action.kind, '50000');
  });

  it('upserts a ClusterObjectSync for the Node', () => {
    const action = onAck(
      node,
      acked(
        objectPush('Node', 'update', realisticNode('edge-1', { uid: 'n-1' }), pushContentDefaults),
        'n-1',
      ),
    );
    assert.equal(action.kind === 'upsert' ? action.record.recordKind : action.kind, 'ClusterObjectSync');
  });

  const deletes: [name: string, push: PushSpec, uid: string, target: unknown][] = [
    [
      'deletes the record when a pod delete is ACKed',
      objectPush('Pod', 'delete', realisticPod(), pushContentDefaults),
      podUid,
      { recordKind: 'ObjectSync', namespace: 'default', name: `edge-1.${podUid}` },
    ],
    [
      'deletes the record when an orphan delete (no RV) is ACKed',
      identityDelete('Secret', { namespace: 'ns', name: 's', uid: 'u1' }),
      'u1',
      { recordKind: 'ObjectSync', namespace: 'ns', name: 'edge-1.u1' },
    ],
  ];
  for (const [name, push, uid, target] of deletes) {
    it(name, () => {
      assert.deepEqual(onAck(node, acked(push, uid)), { kind: 'delete', target });
    });
  }

  const none: [name: string, item: AckItem<Message>, reason: string][] = [
    [
      'an object without uid changes nothing',
      acked(
        objectPush('ConfigMap', 'insert', realisticObject('ConfigMap', 'c', 'u', '3'), pushContentDefaults),
        '',
      ),
      'no-uid',
    ],
    [
      'a non-object resource changes nothing',
      acked(
        objectPush('ConfigMap', 'insert', realisticObject('ConfigMap', 'c', 'u', '3'), pushContentDefaults),
        'u',
        {
          route: { operation: 'update', resource: 'default/podstatus' },
        },
      ),
      'not-an-object',
    ],
    [
      'a non-delete without a numeric resourceversion changes nothing',
      acked(
        objectPush('ConfigMap', 'insert', realisticObject('ConfigMap', 'c', 'u', '3'), pushContentDefaults),
        'u',
        {
          header: { msg_id: 'm' as MessageId, timestamp: 1, resourceversion: 'abc' },
        },
      ),
      'invalid-resource-version',
    ],
    [
      'an unknown type without kind in the content changes nothing',
      acked(
        objectPush('ConfigMap', 'insert', realisticObject('ConfigMap', 'c', 'u', '3'), pushContentDefaults),
        'u',
        {
          route: { operation: 'update', resource: 'default/widget/w' },
          content: {},
        },
      ),
      'unknown-kind',
    ],
  ];
  for (const [name, item, reason] of none) {
    it(name, () => {
      assert.deepEqual(onAck(node, item), { kind: 'none', reason });
    });
  }

  it('takes the kind from the resource type when the content lacks it (a query reply from KubeEdge-style code)', () => {
    const item = acked(
      objectPush('Secret', 'update', realisticObject('Secret', 's', 'u', '3'), pushContentDefaults),
      'u',
      {
        content: { metadata: { uid: 'u' } },
      },
    );
    const action = onAck(node, item);
    assert.deepEqual(
      action.kind === 'upsert' ? [action.record.objectAPIVersion, action.record.objectKind] : action,
      ['v1', 'Secret'],
    );
  });
});
