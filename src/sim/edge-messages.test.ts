import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessageId } from '../protocol/index.js';
import type { Message, MessageId, MessageStamp } from '../protocol/index.js';
import {
  eventInsert,
  kubeletEvent,
  leaseQuery,
  leaseWrite,
  nodeInsert,
  nodePatch,
  objectQuery,
  podDelete,
  podPatch,
  readReply,
  serviceAccountTokenQuery,
} from './edge-messages.js';
import type { ReplyOutcome } from './edge-messages.js';

const id = (v: string): MessageId =>
  parseMessageId(v) ??
  (() => {
    throw new Error('bad id');
  })();
const now = Date.UTC(2026, 10, 25, 8, 0, 0, 0);
const stamp: MessageStamp = { id: id('m-1'), now };
const token = {
  namespace: 'ns',
  serviceAccountName: 'default',
  audiences: [],
  expirationSeconds: 3607,
  podName: 'p',
  podUid: 'pu',
};

describe('edge request builders', () => {
  const table: [string, Message, string, string, unknown][] = [
    [
      'node insert',
      nodeInsert(stamp, 'e1', { metadata: { name: 'e1' } }),
      'insert',
      'null/node/e1',
      { metadata: { name: 'e1' } },
    ],
    ['node status patch', nodePatch(stamp, 'e1', '{}'), 'patch', 'null/nodepatch/e1', '{}'],
    ['lease query', leaseQuery(stamp, 'e1'), 'query', 'kube-node-lease/lease/e1', null],
    [
      'lease create',
      leaseWrite(stamp, 'insert', 'e1', { spec: {} }),
      'insert',
      'kube-node-lease/lease/e1',
      { spec: {} },
    ],
    [
      'lease renew',
      leaseWrite(stamp, 'update', 'e1', { spec: {} }),
      'update',
      'kube-node-lease/lease/e1',
      { spec: {} },
    ],
    [
      'pod status patch',
      podPatch(stamp, 'ns', 'p', '{"status":{}}'),
      'patch',
      'ns/podpatch/p',
      '{"status":{}}',
    ],
    [
      'pod delete with DeleteOptions (grace 0, UID precondition)',
      podDelete(stamp, 'ns', 'p', 'pu'),
      'delete',
      'ns/pod/p',
      { gracePeriodSeconds: 0, preconditions: { uid: 'pu' } },
    ],
    ['configmap query', objectQuery(stamp, 'configmap', 'ns', 'cm'), 'query', 'ns/configmap/cm', null],
    ['secret query', objectQuery(stamp, 'secret', 'ns', 's'), 'query', 'ns/secret/s', null],
    [
      'service account token query with a bound TokenRequest',
      serviceAccountTokenQuery(stamp, token),
      'query',
      'ns/serviceaccounttoken/default',
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: 'default', namespace: 'ns' },
        spec: {
          audiences: [],
          expirationSeconds: 3607,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'pu' },
        },
      },
    ],
  ];
  for (const [name, message, operation, resource, content] of table) {
    it(`${name}: source edged, group meta, ${operation} ${resource}`, () => {
      assert.deepEqual(message, {
        header: { msg_id: 'm-1', timestamp: now },
        route: { source: 'edged', group: 'meta', operation, resource },
        content,
      });
    });
  }

  it('builds a kubelet Event and inserts it under <ns>/event/<name>', () => {
    const event = kubeletEvent({
      nodeName: 'e1',
      subject: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'pu' },
      type: 'Normal',
      reason: 'Started',
      message: 'Started container c',
      now,
    });
    const message = eventInsert(stamp, event);
    const name = `p.${(BigInt(now) * 1_000_000n).toString(16)}`;
    assert.equal(message.route.resource, `ns/event/${name}`);
    assert.equal(message.route.operation, 'insert');
    assert.equal(message.route.source, 'edged');
    const content = message.content as Record<string, unknown>;
    assert.deepEqual(content.source, { component: 'kubelet', host: 'e1' });
    assert.deepEqual(content.involvedObject, {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'ns',
      name: 'p',
      uid: 'pu',
    });
    assert.equal(content.count, 1);
  });
});

describe('readReply', () => {
  const reply = (content: unknown, operation = 'response'): Message => ({
    header: { msg_id: id('r'), parent_msg_id: id('m-1'), timestamp: now },
    route: { source: 'edgecontroller', group: 'resource', operation, resource: 'x/lease/e1' },
    content,
  });
  const notFound = {
    ErrStatus: { metadata: {}, status: 'Failure', message: 'nope', reason: 'NotFound', code: 404 },
  };
  const lease = { metadata: { name: 'e1' } };
  const table: [string, Message, ReplyOutcome][] = [
    ['ObjectResp success', reply({ Object: lease, Err: null }), { ok: true, object: lease }],
    [
      'ObjectResp with an empty Err map is success (errata U5)',
      reply({ Object: lease, Err: {} }),
      { ok: true, object: lease },
    ],
    [
      'ObjectResp with Object null and a 404 (lease query, §4.10)',
      reply({ Object: null, Err: notFound }),
      { ok: false, error: { reason: 'NotFound', code: 404, message: 'nope' } },
    ],
    [
      'bare ErrStatus',
      reply(notFound),
      { ok: false, error: { reason: 'NotFound', code: 404, message: 'nope' } },
    ],
    ['"OK"', reply('OK'), { ok: true, object: null }],
    ['an error text', reply('boom'), { ok: false, error: { reason: '', code: 0, message: 'boom' } }],
    [
      'operation error',
      reply('denied', 'error'),
      { ok: false, error: { reason: '', code: 0, message: 'denied' } },
    ],
    ['a bare object (query reply)', reply(lease), { ok: true, object: lease }],
    ['null content', reply(null), { ok: true, object: null }],
  ];
  for (const [name, message, expected] of table) {
    it(name, () => {
      assert.deepEqual(readReply(message), expected);
    });
  }
});
