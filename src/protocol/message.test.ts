import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from './message.js';
import type { MessageId } from './message-id.js';
import { newErrorResponse, newKeepalive, newPush, newRespByMessage, newResponse } from './message.js';
import type { ResourcePath } from './resource.js';

const id = (value: string): MessageId => value as MessageId;
const path = (value: string): ResourcePath => value as ResourcePath;
const now = 1_732_400_000_123;

const configMapQuery: Message = {
  header: { msg_id: id('q-41'), timestamp: now - 5 },
  route: { source: 'edged', group: 'meta', operation: 'query', resource: 'default/configmap/app-cfg' },
  content: null,
};

describe('newPush', () => {
  it('builds the spec §3.5 pod insert: no parent, group resource, source edgecontroller, RV set', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', resourceVersion: '48213' } };
    const message = newPush({
      id: id('6f1c'),
      now,
      resource: path('default/pod/nginx'),
      operation: 'insert',
      content: pod,
      resourceVersion: '48213',
    });
    assert.deepEqual(message, {
      header: { msg_id: '6f1c', timestamp: now, resourceversion: '48213' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'insert',
        resource: 'default/pod/nginx',
      },
      content: pod,
    });
    assert.equal('parent_msg_id' in message.header, false);
  });

  const rvTable: [string, string | undefined][] = [
    ['omits resourceversion when none is given (orphan delete)', undefined],
    ['omits an empty resourceversion, as Go omitempty does', ''],
  ];
  for (const [name, resourceVersion] of rvTable) {
    it(name, () => {
      const message = newPush({
        id: id('d1'),
        now,
        resource: path('default/configmap/c'),
        operation: 'delete',
        content: { metadata: { name: 'c', namespace: 'default', uid: 'u' } },
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
      });
      assert.equal('resourceversion' in message.header, false);
    });
  }

  it('turns undefined content into null so that the content key is always sent', () => {
    const message = newPush({
      id: id('n'),
      now,
      resource: path('null/node/edge-1'),
      operation: 'delete',
      content: undefined,
    });
    assert.equal(message.content, null);
  });
});

describe('newResponse', () => {
  it('answers a meta-group request in group resource from edgecontroller (errata O1), spec §4.8 shape', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-cfg' } };
    const reply = newResponse(configMapQuery, cm, { id: id('r-77'), now, resourceVersion: '51002' });
    assert.deepEqual(reply, {
      header: { msg_id: 'r-77', parent_msg_id: 'q-41', timestamp: now, resourceversion: '51002' },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/configmap/app-cfg',
      },
      content: cm,
    });
  });

  it('lets the CA reply use source cloudhub', () => {
    const caQuery: Message = {
      ...configMapQuery,
      route: { ...configMapQuery.route, resource: 'k8s/ca.crt' },
    };
    const reply = newResponse(caQuery, 'PEM', { id: id('r'), now, source: 'cloudhub' });
    assert.equal(reply.route.source, 'cloudhub');
    assert.equal(reply.route.group, 'resource');
    assert.equal(reply.route.resource, 'k8s/ca.crt');
  });

  it('lets a nodestatus reply name the node resource instead (errata W5)', () => {
    const request: Message = {
      ...configMapQuery,
      route: { ...configMapQuery.route, operation: 'update', resource: 'null/nodestatus/edge-1' },
    };
    const reply = newResponse(request, 'OK', { id: id('r'), now, resource: 'null/node/edge-1' });
    assert.equal(reply.route.resource, 'null/node/edge-1');
  });

  it('does not copy the request type or resourceversion', () => {
    const request: Message = {
      ...configMapQuery,
      header: { ...configMapQuery.header, type: 'channel', resourceversion: '9' },
    };
    const reply = newResponse(request, 'OK', { id: id('r'), now });
    assert.deepEqual(Object.keys(reply.header), ['msg_id', 'parent_msg_id', 'timestamp']);
  });
});

describe('newErrorResponse', () => {
  it('replies with op error, the text as content and group resource so that the edge routes it', () => {
    const reply = newErrorResponse(configMapQuery, 'resource type unsupported', { id: id('e'), now });
    assert.deepEqual(reply, {
      header: { msg_id: 'e', parent_msg_id: 'q-41', timestamp: now },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'error',
        resource: 'default/configmap/app-cfg',
      },
      content: 'resource type unsupported',
    });
  });
});

describe('newRespByMessage', () => {
  it('builds the edge ACK of spec §3.5: source, group and resource copied from the push', () => {
    const push = newPush({
      id: id('6f1c'),
      now,
      resource: path('default/pod/nginx'),
      operation: 'insert',
      content: {},
      resourceVersion: '1',
    });
    const ack = newRespByMessage(push, 'OK', { id: id('a77d'), now: now + 67 });
    assert.deepEqual(ack, {
      header: { msg_id: 'a77d', parent_msg_id: '6f1c', timestamp: now + 67 },
      route: {
        source: 'edgecontroller',
        group: 'resource',
        operation: 'response',
        resource: 'default/pod/nginx',
      },
      content: 'OK',
    });
  });

  it('copies type and leaves out route fields the message did not have', () => {
    const ping: Message = {
      header: { msg_id: id('p'), timestamp: 1, type: 'channel' },
      route: { operation: 'ping' },
      content: null,
    };
    const ack = newRespByMessage(ping, 'ack', { id: id('a'), now: 2 });
    assert.deepEqual(ack, {
      header: { msg_id: 'a', parent_msg_id: 'p', timestamp: 2, type: 'channel' },
      route: { operation: 'response' },
      content: 'ack',
    });
  });
});

describe('newKeepalive', () => {
  it('matches the edge keepalive of spec §4.9', () => {
    assert.deepEqual(newKeepalive({ id: id('k'), now }), {
      header: { msg_id: 'k', timestamp: now },
      route: { source: 'websocket', group: 'resource', operation: 'keepalive', resource: 'node' },
      content: 'ping',
    });
  });
});
