import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message, MessageHeader, MessageRoute } from './message.js';
import type { MessageId } from './message-id.js';
import type { UpstreamKind } from './upstream-kind.js';
import { classifyUpstream } from './upstream-kind.js';

function message(route: MessageRoute, header: Partial<MessageHeader> = {}): Message {
  return { header: { msg_id: 'm1' as MessageId, timestamp: 1, ...header }, route, content: null };
}

const edged = (operation: string, resource: string): MessageRoute => ({
  source: 'edged',
  group: 'meta',
  operation,
  resource,
});

type Expected = UpstreamKind | { readonly kind: 'unsupported'; readonly reason: string };

interface Case {
  readonly name: string;
  readonly message: Message;
  readonly expected: Expected;
}

const cases: Case[] = [
  // §1.3 viaduct control, answered by the connection layer.
  { name: 'ping', message: message({ operation: 'ping' }), expected: { kind: 'control', operation: 'ping' } },
  {
    name: 'config',
    message: message(edged('config', 'default/pod/a')),
    expected: { kind: 'control', operation: 'config' },
  },
  // Step 1.
  {
    name: 'keepalive from the edge hub',
    message: message({ source: 'websocket', group: 'resource', operation: 'keepalive', resource: 'node' }),
    expected: { kind: 'keepalive' },
  },
  {
    name: 'keepalive on any resource, even a CSI one (op is checked first)',
    message: message({ operation: 'keepalive', resource: 'ns/volume/v' }),
    expected: { kind: 'keepalive' },
  },
  // Step 2, before responses (errata W9).
  {
    name: 'CSI response',
    message: message(
      { operation: 'response', resource: 'ns/volume/v1' },
      { parent_msg_id: 'p' as MessageId },
    ),
    expected: { kind: 'unsupported', reason: 'csi' },
  },
  // Step 3.
  {
    name: 'ACK of a push',
    message: message(
      { source: 'edgecontroller', group: 'resource', operation: 'response', resource: 'default/pod/nginx' },
      { parent_msg_id: 'push-1' as MessageId },
    ),
    expected: { kind: 'ack', parentId: 'push-1' as MessageId },
  },
  {
    name: 'response from edgecontroller source is still an ACK (step 3 precedes the cloud-source drop)',
    message: message(
      { source: 'edgecontroller', operation: 'response', resource: 'k8s/ca.crt' },
      { parent_msg_id: 'p' as MessageId },
    ),
    expected: { kind: 'ack', parentId: 'p' as MessageId },
  },
  {
    name: 'response without a parent id',
    message: message({ operation: 'response', resource: 'default/pod/a' }),
    expected: { kind: 'unsupported', reason: 'missing-parent-id' },
  },
  // Step 4.
  {
    name: 'edge error feedback for a push',
    message: message(
      { source: 'metamanager', group: 'resource', operation: 'error', resource: 'default/pod/a' },
      { parent_msg_id: 'push-2' as MessageId },
    ),
    expected: { kind: 'error-report', parentId: 'push-2' as MessageId },
  },
  {
    name: 'error without parent',
    message: message({ operation: 'error' }),
    expected: { kind: 'error-report' },
  },
  // Step 5.
  {
    name: 'user upload for the router',
    message: message({ source: 'eventbus', group: 'user', operation: 'upload', resource: 'a/b' }),
    expected: { kind: 'unsupported', reason: 'router-upload' },
  },
  {
    name: 'upload outside group user goes on to edgecontroller and is an unknown operation',
    message: message({ source: 'edged', group: 'meta', operation: 'upload', resource: 'default/pod/a' }),
    expected: { kind: 'unsupported', reason: 'unknown-operation' },
  },
  // Step 6.
  {
    name: 'task manager status',
    message: message({ source: 'taskmanager', operation: 'UpdateNodeActionStatus', resource: 'task/x' }),
    expected: { kind: 'unsupported', reason: 'task-manager' },
  },
  // Step 7.
  { name: 'CA query', message: message(edged('query', 'k8s/ca.crt')), expected: { kind: 'ca-query' } },
  {
    name: 'CA query even from a cloud-module source (step 7 precedes step 8)',
    message: message({ source: 'cloudhub', operation: 'query', resource: 'k8s/ca.crt' }),
    expected: { kind: 'ca-query' },
  },
  // Step 8.
  {
    name: 'message claiming a cloud source',
    message: message({ source: 'synccontroller', operation: 'update', resource: 'default/pod/a' }),
    expected: { kind: 'unsupported', reason: 'cloud-source' },
  },
  {
    name: 'metaserver application',
    message: message({
      source: 'metaserver',
      group: 'dynamiccontroller',
      operation: 'null',
      resource: 'null',
    }),
    expected: { kind: 'unsupported', reason: 'metaserver' },
  },
  {
    name: 'device twin',
    message: message({
      source: 'twin',
      group: 'twin',
      operation: 'update',
      resource: 'device/d/twin/edge_updated',
    }),
    expected: { kind: 'unsupported', reason: 'twin' },
  },
  // Requests (spec §4.2, §4.9).
  {
    name: 'configmap query',
    message: message(edged('query', 'default/configmap/app-cfg')),
    expected: {
      kind: 'request',
      resourceType: 'configmap',
      operation: 'query',
      namespace: 'default',
      name: 'app-cfg',
      resource: 'default/configmap/app-cfg',
    } as UpstreamKind,
  },
  {
    name: 'node registration (cluster-scoped)',
    message: message(edged('insert', 'null/node/edge-1')),
    expected: {
      kind: 'request',
      resourceType: 'node',
      operation: 'insert',
      namespace: null,
      name: 'edge-1',
      resource: 'null/node/edge-1',
    } as UpstreamKind,
  },
  {
    name: 'podstatus list form without a name',
    message: message(edged('update', 'default/podstatus')),
    expected: {
      kind: 'request',
      resourceType: 'podstatus',
      operation: 'update',
      namespace: 'default',
      resource: 'default/podstatus',
    } as UpstreamKind,
  },
  {
    name: 'nodepatch',
    message: message(edged('patch', 'null/nodepatch/edge-1')),
    expected: {
      kind: 'request',
      resourceType: 'nodepatch',
      operation: 'patch',
      namespace: null,
      name: 'edge-1',
      resource: 'null/nodepatch/edge-1',
    } as UpstreamKind,
  },
  {
    name: 'unknown resource type',
    message: message(edged('query', 'default/service/s')),
    expected: { kind: 'unsupported', reason: 'unknown-resource-type' },
  },
  {
    name: 'rulestatus (cloud-internal only)',
    message: message(edged('update', 'default/rulestatus/r')),
    expected: { kind: 'unsupported', reason: 'unknown-resource-type' },
  },
  {
    name: 'resource with an extra segment',
    message: message(edged('query', 'default/configmap/a/b')),
    expected: { kind: 'unsupported', reason: 'malformed-resource' },
  },
  {
    name: 'empty resource',
    message: message(edged('query', '')),
    expected: { kind: 'unsupported', reason: 'malformed-resource' },
  },
  {
    name: 'no route at all',
    message: message({}),
    expected: { kind: 'unsupported', reason: 'malformed-resource' },
  },
  {
    name: 'keepalive-shaped resource with another op',
    message: message(edged('query', 'node')),
    expected: { kind: 'unsupported', reason: 'malformed-resource' },
  },
];

describe('classifyUpstream (spec §4.1 order)', () => {
  for (const c of cases) {
    it(`classifies ${c.name} as ${c.expected.kind}${'reason' in c.expected ? ` (${c.expected.reason})` : ''}`, () => {
      const kind = classifyUpstream(c.message);
      if (c.expected.kind === 'unsupported') {
        assert.equal(kind.kind, 'unsupported');
        assert.equal(kind.reason, c.expected.reason);
        assert.ok(kind.detail.length > 0);
        return;
      }
      assert.deepEqual(kind, c.expected);
    });
  }

  it('keeps long edge-chosen strings out of the detail', () => {
    const kind = classifyUpstream(message(edged('query', `default/${'x'.repeat(10_000)}/a`)));
    assert.equal(kind.kind, 'unsupported');
    assert.ok(kind.detail.length < 200);
  });

  it('handles every kind in an exhaustive switch', () => {
    const describe = (kind: UpstreamKind): string => {
      switch (kind.kind) {
        case 'control':
        case 'keepalive':
        case 'ack':
        case 'error-report':
        case 'ca-query':
        case 'request':
        case 'unsupported':
          return kind.kind;
        default: {
          const never: never = kind;
          return never;
        }
      }
    };
    assert.equal(describe(classifyUpstream(message({ operation: 'keepalive' }))), 'keepalive');
  });
});
