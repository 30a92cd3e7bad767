import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageId } from './message-id.js';
import {
  changeOperation,
  identityDelete,
  objectPush,
  preparedContent,
  pushContentDefaults,
  toMessage,
} from './object-push.js';
import type { ObjectChange, PushContentOptions, PushKind } from './object-push.js';
import type { KubeObjectShape } from './object-shape.js';
import { realisticNode, realisticObject, realisticPod } from '../../test/support/builders.js';

const keep: PushContentOptions = { stripManagedFields: false };

describe('changeOperation', () => {
  const table: [PushKind, ObjectChange, string][] = [
    ['Pod', 'add', 'insert'],
    ['Pod', 'update', 'update'],
    ['Pod', 'delete', 'delete'],
    ['ConfigMap', 'add', 'insert'],
    ['ConfigMap', 'update', 'update'],
    ['ConfigMap', 'delete', 'delete'],
    ['Secret', 'add', 'update'],
    ['Secret', 'update', 'update'],
    ['Secret', 'delete', 'delete'],
    ['Node', 'add', 'update'],
    ['Node', 'update', 'update'],
  ];
  for (const [kind, change, operation] of table) {
    it(`sends a ${kind} ${change} as ${operation}`, () => {
      assert.equal(changeOperation(kind, change), operation);
    });
  }
});

describe('objectPush', () => {
  const table: [name: string, kind: PushKind, object: KubeObjectShape, resource: string][] = [
    ['a Pod', 'Pod', realisticPod({ name: 'nginx' }), 'default/pod/nginx'],
    ['a ConfigMap', 'ConfigMap', realisticObject('ConfigMap', 'cfg', 'u1', '7'), 'default/configmap/cfg'],
    ['a Secret', 'Secret', realisticObject('Secret', 'sec', 'u2', '8'), 'default/secret/sec'],
    ['a Node under the null namespace', 'Node', realisticNode('edge-1'), 'null/node/edge-1'],
  ];
  for (const [name, kind, object, resource] of table) {
    it(`builds ${name} push with resource ${resource}, apiVersion/kind and the RV header`, () => {
      const push = objectPush(kind, 'update', object, pushContentDefaults);
      assert.equal(push.resource, resource);
      assert.equal(push.kind, kind);
      assert.equal(push.content['apiVersion'], 'v1');
      assert.equal(push.content['kind'], kind);
      assert.equal(push.resourceVersion, object.metadata?.resourceVersion);
    });
  }

  it('overrides a wrong or missing apiVersion/kind from the kind table', () => {
    const push = objectPush(
      'ConfigMap',
      'insert',
      { ...realisticObject('ConfigMap', 'c', 'u', '1'), kind: 'X' },
      keep,
    );
    assert.equal(push.content['kind'], 'ConfigMap');
  });

  it('keeps the full last-known Pod on delete, so edged can REMOVE it', () => {
    const pod = realisticPod();
    const push = objectPush('Pod', 'delete', pod, pushContentDefaults);
    assert.deepEqual(push.content['spec'], pod['spec']);
    assert.equal(push.resourceVersion, '48213');
  });

  it('sends a Secret delete without its data (the edge deletes by key)', () => {
    const push = objectPush(
      'Secret',
      'delete',
      realisticObject('Secret', 's', 'u9', '12'),
      pushContentDefaults,
    );
    assert.deepEqual(push.content, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default', uid: 'u9', resourceVersion: '12' },
    });
  });

  it('never pushes a Node delete', () => {
    assert.throws(() => objectPush('Node', 'delete', realisticNode('edge-1'), keep), RangeError);
    assert.throws(() => identityDelete('Node', { name: 'edge-1', uid: 'u' }), RangeError);
  });

  it('rejects an object without a name or a namespaced object without a namespace', () => {
    assert.throws(() => objectPush('Pod', 'insert', { metadata: { namespace: 'a' } }, keep), RangeError);
    assert.throws(() => objectPush('Pod', 'insert', { metadata: { name: 'a' } }, keep), RangeError);
  });

  it('does not change the object it is given', () => {
    const pod = realisticPod();
    const copy = structuredClone(pod);
    objectPush('Pod', 'update', pod, pushContentDefaults);
    assert.deepEqual(pod, copy);
  });
});

describe('managedFields stripping', () => {
  it('is on by default', () => {
    assert.equal(pushContentDefaults.stripManagedFields, true);
  });

  it('makes a realistic Pod push smaller and removes nothing else', () => {
    const pod = realisticPod();
    const full = preparedContent('Pod', pod, keep);
    const stripped = preparedContent('Pod', pod, pushContentDefaults);
    const fullBytes = Buffer.byteLength(JSON.stringify(full));
    const strippedBytes = Buffer.byteLength(JSON.stringify(stripped));
    assert.ok(strippedBytes < fullBytes);
    const metadataWithout = Object.fromEntries(
      Object.entries(full['metadata'] as Record<string, unknown>).filter(([key]) => key !== 'managedFields'),
    );
    assert.deepEqual(stripped, { ...full, metadata: metadataWithout });
  });

  it('leaves an object without managedFields as it is', () => {
    const metadata = { name: 'p', namespace: 'n', uid: 'u', resourceVersion: '1' };
    const content = preparedContent('Pod', { metadata }, pushContentDefaults);
    assert.deepEqual(content['metadata'], metadata);
  });
});

describe('identityDelete', () => {
  it('builds an orphan delete with kind, no RV header and no namespace for cluster kinds', () => {
    assert.deepEqual(identityDelete('ConfigMap', { namespace: 'ns', name: 'c', uid: 'u1' }), {
      kind: 'ConfigMap',
      resource: 'ns/configmap/c',
      operation: 'delete',
      content: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', uid: 'u1' } },
    });
  });
});

describe('toMessage', () => {
  it('stamps a push as an edgecontroller resource message without parent id', () => {
    const push = objectPush(
      'Secret',
      'update',
      realisticObject('Secret', 's', 'u', '31'),
      pushContentDefaults,
    );
    const message = toMessage(push, { id: 'id-1' as MessageId, now: 1_700_000_000_123 });
    assert.deepEqual(message.header, { msg_id: 'id-1', timestamp: 1_700_000_000_123, resourceversion: '31' });
    assert.deepEqual(message.route, {
      source: 'edgecontroller',
      group: 'resource',
      operation: 'update',
      resource: 'default/secret/s',
    });
    assert.equal(message.content, push.content);
  });

  it('omits the RV header when the push has none', () => {
    const message = toMessage(identityDelete('Pod', { namespace: 'n', name: 'p', uid: 'u' }), {
      id: 'id-2' as MessageId,
      now: 1,
    });
    assert.equal(message.header.resourceversion, undefined);
  });
});
