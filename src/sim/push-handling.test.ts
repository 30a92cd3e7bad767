import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessageId } from '../protocol/index.js';
import type { Message } from '../protocol/index.js';
import { inboundHandling, podRowMatches } from './push-handling.js';
import type { CloudReply } from './push-handling.js';

function frame(
  route: { source?: string; group?: string; operation: string; resource: string },
  options: { parent?: string; content?: unknown } = {},
): Message {
  const id = parseMessageId('push-1');
  const parent = parseMessageId(options.parent);
  assert.ok(id);
  return {
    header: { msg_id: id, timestamp: 0, ...(parent !== undefined ? { parent_msg_id: parent } : {}) },
    route: { group: 'resource', source: 'edgecontroller', ...route },
    content: options.content ?? null,
  };
}

describe('inboundHandling (edgehub + metamanager of KubeEdge v1.23.1)', () => {
  // [name, source, operation, resource, what goes back to the cloud, whether edged is told]
  const table: [string, string, string, string, CloudReply, boolean][] = [
    [
      'ACKs a pod insert from edgecontroller and runs it',
      'edgecontroller',
      'insert',
      'ns/pod/p',
      'ack',
      true,
    ],
    ['ACKs a pod update from edgecontroller', 'edgecontroller', 'update', 'ns/pod/p', 'ack', true],
    ['ACKs a pod update from dynamiccontroller', 'dynamiccontroller', 'update', 'ns/pod/p', 'ack', true],
    [
      'ACKs a node update but does not give it to edged',
      'edgecontroller',
      'update',
      'null/node/n',
      'ack',
      false,
    ],
    ['does not ACK an update from an unknown source', 'cloudhub', 'update', 'ns/configmap/c', 'none', false],
    ['does not ACK an update from synccontroller', 'synccontroller', 'update', 'ns/pod/p', 'none', false],
    ['ACKs an insert from any cloud source', 'synccontroller', 'insert', 'ns/secret/s', 'ack', true],
    [
      'ACKs a devicecontroller update (to devicetwin)',
      'devicecontroller',
      'update',
      'ns/device/d',
      'ack',
      false,
    ],
    [
      'ACKs a policycontroller insert without telling edged',
      'policycontroller',
      'insert',
      'ns/x/y',
      'ack',
      false,
    ],
    ['sends a patch back instead of ACKing it', 'edgecontroller', 'patch', 'ns/pod/p', 'echo', false],
    ['sends an event insert back', 'edgecontroller', 'insert', 'ns/event/e', 'echo', false],
    ['ACKs a delete from any source', 'synccontroller', 'delete', 'ns/pod/p', 'ack', true],
    ['sends back a pod delete carrying source edged', 'edged', 'delete', 'ns/pod/p', 'echo', false],
    [
      'gives a parentless response from edgecontroller to edged',
      'edgecontroller',
      'response',
      'ns/pod',
      'none',
      true,
    ],
    ['sends back a parentless response from another source', 'cloudhub', 'response', 'ns/pod', 'echo', false],
    ['answers nothing to a query push', 'edgecontroller', 'query', 'ns/configmap/c', 'none', false],
    [
      'answers nothing to a CSI operation (not simulated)',
      'edgecontroller',
      'createvolume',
      'ns/volume/v',
      'none',
      false,
    ],
  ];
  for (const [name, source, operation, resource, toCloud, toEdged] of table) {
    it(name, () => {
      const handling = inboundHandling(frame({ source, operation, resource }));
      assert.equal(handling.kind, 'push');
      assert.deepEqual({ toCloud: handling.toCloud, toEdged: handling.toEdged }, { toCloud, toEdged });
    });
  }

  it('stores an update from an unknown source although it never ACKs it', () => {
    const handling = inboundHandling(
      frame({ source: 'cloudhub', operation: 'update', resource: 'ns/pod/p' }),
    );
    assert.deepEqual(handling, {
      kind: 'push',
      store: { kind: 'put', key: 'ns/pod/p' },
      toEdged: false,
      toCloud: 'none',
    });
  });

  it('deletes a pod row by UID together with its podpatch row', () => {
    const handling = inboundHandling(
      frame({ operation: 'delete', resource: 'ns/pod/p' }, { content: { metadata: { uid: 'u1' } } }),
    );
    assert.ok(handling.kind === 'push');
    assert.deepEqual(handling.store, {
      kind: 'delete-pod',
      key: 'ns/pod/p',
      podPatchKey: 'ns/podpatch/p',
      uid: 'u1',
    });
  });

  it('routes a reply by group first: group resource with a parent is a reply', () => {
    const reply = frame({ operation: 'response', resource: 'null/node/n' }, { parent: 'req-1' });
    assert.deepEqual(inboundHandling(reply), { kind: 'reply' });
  });

  it('loses a reply that copied the request group meta, as the real edge does (errata W8)', () => {
    const reply = frame(
      { group: 'meta', operation: 'response', resource: 'null/node/n' },
      { parent: 'req-1' },
    );
    assert.deepEqual(inboundHandling(reply), { kind: 'other-group' });
  });

  it('hands twin, user and taskmanager groups to modules the simulator does not run', () => {
    for (const group of ['twin', 'user', 'taskmanager', 'meta']) {
      const push = frame({ group, operation: 'update', resource: 'ns/device/d' });
      assert.deepEqual(inboundHandling(push), { kind: 'other-group' }, group);
    }
  });
});

describe('podRowMatches (value LIKE %uid%)', () => {
  it('matches a row that contains the UID', () => {
    assert.ok(podRowMatches({ metadata: { uid: 'u1' } }, 'u1'));
  });
  it('keeps a row of another pod incarnation', () => {
    assert.ok(!podRowMatches({ metadata: { uid: 'u2' } }, 'u1'));
  });
  it('keeps a row that lacks the UID', () => {
    assert.ok(!podRowMatches({ metadata: {} }, 'u1'));
  });
  it('an empty UID matches every row', () => {
    assert.ok(podRowMatches({ metadata: { uid: 'u2' } }, ''));
  });
});
