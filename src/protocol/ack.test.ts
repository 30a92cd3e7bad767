import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAckRequired, isFailedObjectRespContent, isStatusErrorContent } from './ack.js';
import type { Message, MessageRoute } from './message.js';
import type { MessageId } from './message-id.js';

interface Case {
  readonly name: string;
  readonly route: MessageRoute;
  readonly content?: unknown;
  readonly ack: boolean;
}

const ec = 'edgecontroller';
const notFound = { ErrStatus: { metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 } };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { uid: 'u1' } };

const push = (operation: string, resource: string): MessageRoute => ({
  source: ec,
  group: 'resource',
  operation,
  resource,
});

const cases: Case[] = [
  // Everything spec §5.6 says needs an ACK.
  { name: 'pod insert push', route: push('insert', 'default/pod/nginx'), content: pod, ack: true },
  { name: 'pod update push', route: push('update', 'default/pod/nginx'), content: pod, ack: true },
  { name: 'pod delete push', route: push('delete', 'default/pod/nginx'), content: pod, ack: true },
  { name: 'configmap update push', route: push('update', 'default/configmap/c'), ack: true },
  { name: 'secret update push', route: push('update', 'default/secret/s'), ack: true },
  { name: 'node update push', route: push('update', 'null/node/edge-1'), ack: true },
  { name: 'configmap query reply', route: push('response', 'default/configmap/c'), content: {}, ack: true },
  { name: 'PV query reply', route: push('response', 'null/persistentvolume/pv'), content: {}, ack: true },
  { name: 'PVC query reply', route: push('response', 'ns/persistentvolumeclaim/c'), content: {}, ack: true },
  { name: 'VA query reply', route: push('response', 'default/volumeattachment/v'), content: {}, ack: true },
  {
    name: 'dynamiccontroller push',
    route: {
      source: 'dynamiccontroller',
      group: 'resource',
      operation: 'update',
      resource: 'default/service/s',
    },
    ack: true,
  },
  {
    name: 'policycontroller push',
    route: { source: 'policycontroller', group: 'resource', operation: 'insert', resource: 'default/x/y' },
    ack: true,
  },
  {
    name: 'a configmap whose name merely contains podlist',
    route: push('update', 'default/configmap/podlist-cfg'),
    ack: true,
  },
  { name: 'a secret whose name contains k8s', route: push('update', 'k8s/secret/ca.crt-copy'), ack: true },

  // The no-ACK list.
  { name: 'podlist resource', route: push('update', 'default/podlist'), ack: false },
  {
    name: 'membership resource',
    route: { source: 'devicecontroller', group: 'twin', operation: 'get', resource: 'membership/detail' },
    ack: false,
  },
  {
    name: 'twin/cloud_updated',
    route: {
      source: 'devicecontroller',
      group: 'twin',
      operation: 'updated',
      resource: '$hw/events/device/d/twin/cloud_updated',
    },
    ack: false,
  },
  {
    name: 'SA token reply',
    route: push('response', 'default/serviceaccounttoken/sa'),
    content: {},
    ack: false,
  },
  {
    name: 'k8s CA reply',
    route: { source: 'cloudhub', group: 'resource', operation: 'response', resource: 'k8s/ca.crt' },
    content: 'PEM',
    ack: false,
  },
  {
    name: 'CSI op',
    route: { source: 'cloudhub', group: 'resource', operation: 'createvolume', resource: 'ns/volume/v' },
    ack: false,
  },
  {
    name: 'applicationResponse',
    route: {
      source: 'dynamiccontroller',
      group: 'dynamiccontroller',
      operation: 'applicationResponse',
      resource: 'ignore/Application/ignore',
    },
    ack: false,
  },
  {
    name: 'group user',
    route: { source: 'router_eventbus', group: 'user', operation: 'publish', resource: 'a/b' },
    ack: false,
  },
  {
    name: 'source taskmanager',
    route: { source: 'taskmanager', group: 'taskmanager', operation: 'upgrade', resource: 'a/b' },
    ack: false,
  },
  {
    name: 'source nodeupgradejobcontroller',
    route: {
      source: 'nodeupgradejobcontroller',
      group: 'taskmanager',
      operation: 'upgrade',
      resource: 'a/b',
    },
    ack: false,
  },
  { name: '"OK" response', route: push('response', 'default/podstatus/p'), content: 'OK', ack: false },
  {
    name: '"OK" response from another source',
    route: { source: 'x', group: 'resource', operation: 'response', resource: 'default/configmap/c' },
    content: 'OK',
    ack: false,
  },
  {
    name: 'Status error response (configmap not found)',
    route: push('response', 'default/configmap/c'),
    content: notFound,
    ack: false,
  },
  {
    name: 'ObjectResp failure response (secret not found: ours, not stored by the edge)',
    route: push('response', 'default/secret/s'),
    content: { Object: null, Err: notFound },
    ack: false,
  },
  {
    name: 'ObjectResp success response to a secret query (never sent: needs its object keyed)',
    route: push('response', 'default/secret/s'),
    content: { Object: { metadata: { uid: 'u' } }, Err: null },
    ack: true,
  },
  { name: 'node query reply', route: push('response', 'null/node/edge-1'), content: {}, ack: false },
  {
    name: 'node registration reply',
    route: push('response', 'null/node/edge-1'),
    content: { Object: {}, Err: null },
    ack: false,
  },
  { name: 'node delete (closes the session instead)', route: push('delete', 'null/node/edge-1'), ack: false },
  { name: 'node insert push', route: push('insert', 'null/node/edge-1'), ack: false },
  {
    name: 'lease reply',
    route: push('response', 'kube-node-lease/lease/edge-1'),
    content: { Object: null, Err: notFound },
    ack: false,
  },
  { name: 'lease push (any op)', route: push('update', 'kube-node-lease/lease/edge-1'), ack: false },
  {
    name: 'nodepatch reply',
    route: push('response', 'null/nodepatch/edge-1'),
    content: { Object: {}, Err: null },
    ack: false,
  },
  {
    name: 'podpatch reply',
    route: push('response', 'default/podpatch/p'),
    content: { Object: pod, Err: null },
    ack: false,
  },
  { name: 'podstatus delete for a vanished pod', route: push('delete', 'default/podstatus/p'), ack: false },
  {
    name: 'CSR reply',
    route: push('response', 'default/certificatesigningrequest/c'),
    content: {},
    ack: false,
  },
  {
    name: 'pod create reply',
    route: push('response', 'default/pod/p'),
    content: { Object: pod, Err: null },
    ack: false,
  },
  {
    name: 'error reply (ours, never ACKed by the edge)',
    route: push('error', 'default/configmap/c'),
    content: 'boom',
    ack: false,
  },

  // Rules that depend on the source being edgecontroller.
  {
    name: 'lease from dynamiccontroller needs an ACK',
    route: { source: 'dynamiccontroller', group: 'resource', operation: 'update', resource: 'ns/lease/l' },
    ack: true,
  },
  {
    name: 'pod response from another source needs an ACK',
    route: { source: 'x', group: 'resource', operation: 'response', resource: 'default/pod/p' },
    content: {},
    ack: true,
  },
];

describe('isAckRequired (spec §5.6 noAckRequired, negated)', () => {
  for (const c of cases) {
    it(`${c.ack ? 'requires' : 'does not require'} an ACK for: ${c.name}`, () => {
      const message: Message = {
        header: { msg_id: 'm' as MessageId, timestamp: 1 },
        route: c.route,
        content: c.content ?? null,
      };
      assert.equal(isAckRequired(message), c.ack);
    });
  }
});

describe('isStatusErrorContent', () => {
  const table: [unknown, boolean][] = [
    [notFound, true],
    [{ ErrStatus: {} }, true],
    [{ ErrStatus: null }, false],
    [{ ErrStatus: 'x' }, false],
    [{ ErrStatus: [] }, false],
    [{ Object: null, Err: notFound }, false],
    [[notFound], false],
    ['OK', false],
    [null, false],
    [Object.create({ ErrStatus: {} }), false],
    [JSON.parse('{"__proto__":{"ErrStatus":{}}}'), false],
  ];
  table.forEach(([content, expected], index) => {
    it(`case ${index}: ${expected ? 'is' : 'is not'} a Status error`, () => {
      assert.equal(isStatusErrorContent(content), expected);
    });
  });
});

describe('isFailedObjectRespContent', () => {
  const table: [unknown, boolean][] = [
    [{ Object: null, Err: notFound }, true],
    [{ Object: {}, Err: notFound }, true],
    [{ Object: null, Err: null }, false],
    [{ Object: {}, Err: { ErrStatus: 'x' } }, false],
    [{ Err: notFound }, false],
    [notFound, false],
    ['OK', false],
    [null, false],
    [[{ Object: null, Err: notFound }], false],
  ];
  table.forEach(([content, expected], index) => {
    it(`case ${index}: ${expected ? 'is' : 'is not'} a failed ObjectResp`, () => {
      assert.equal(isFailedObjectRespContent(content), expected);
    });
  });
});
