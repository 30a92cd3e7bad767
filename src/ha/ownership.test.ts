import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterConflict,
  connectedElsewhere,
  onNodeSeen,
  ownerAnnotation,
  owns,
  planClaim,
  versionOf,
} from './ownership.js';
import type { NodeMeta } from './ownership.js';

const node = (owner: string | undefined, rv = '10', cloudcore = '10.0.0.1'): NodeMeta => ({
  metadata: {
    name: 'edge-1',
    resourceVersion: rv,
    annotations: {
      cloudcore,
      ...(owner !== undefined ? { [ownerAnnotation]: owner } : {}),
    },
  },
});

describe('planClaim', () => {
  it('writes nothing when the Node already names us and our address', () => {
    assert.deepEqual(planClaim(node('a'), 'a', '10.0.0.1'), { kind: 'none' });
  });
  it('patches both annotations with the resourceVersion it decided on', () => {
    const plan = planClaim(node('b', '42'), 'a', '10.0.0.1');
    if (plan.kind !== 'patch') assert.fail('expected a patch');
    assert.equal(plan.from, 'b');
    assert.deepEqual(plan.body.metadata, {
      resourceVersion: '42',
      annotations: { [ownerAnnotation]: 'a', cloudcore: '10.0.0.1' },
    });
  });
  it('patches when only the address differs (a replica moved)', () => {
    assert.equal(planClaim(node('a', '1', '10.0.0.9'), 'a', '10.0.0.1').kind, 'patch');
  });
});

describe('afterConflict', () => {
  it('yields when another replica claimed since we decided', () => {
    assert.equal(afterConflict({ decidedOnOwner: undefined, current: node('b'), me: 'a' }), 'yield');
    assert.equal(afterConflict({ decidedOnOwner: 'c', current: node('b'), me: 'a' }), 'yield');
  });
  it('retries when only something else changed (a status heartbeat)', () => {
    assert.equal(afterConflict({ decidedOnOwner: 'b', current: node('b', '11'), me: 'a' }), 'retry');
    assert.equal(afterConflict({ decidedOnOwner: undefined, current: node(undefined), me: 'a' }), 'retry');
    assert.equal(afterConflict({ decidedOnOwner: 'b', current: node('a'), me: 'a' }), 'retry');
  });
  it('stops when the Node is gone', () => {
    assert.equal(afterConflict({ decidedOnOwner: 'b', current: undefined, me: 'a' }), 'gone');
  });
});

describe('onNodeSeen', () => {
  const base = { me: 'a', holding: true, claiming: false, claimedAtVersion: undefined };
  it('releases a node another replica now owns', () => {
    assert.equal(onNodeSeen({ ...base, node: node('b') }), 'release');
  });
  it('keeps a node that is ours, unowned, not held, or being claimed', () => {
    assert.equal(onNodeSeen({ ...base, node: node('a') }), 'keep');
    assert.equal(onNodeSeen({ ...base, node: node(undefined) }), 'keep');
    assert.equal(onNodeSeen({ ...base, holding: false, node: node('b') }), 'keep');
    assert.equal(onNodeSeen({ ...base, claiming: true, node: node('b') }), 'keep');
  });
  it('ignores an event older than our last claim (the informer lags behind our write)', () => {
    assert.equal(onNodeSeen({ ...base, claimedAtVersion: 20n, node: node('b', '19') }), 'keep');
    assert.equal(onNodeSeen({ ...base, claimedAtVersion: 20n, node: node('b', '21') }), 'release');
  });
});

describe('owns', () => {
  it('needs our own Lease live, and a session of ours or the Node naming us', () => {
    assert.ok(owns({ selfLive: true, held: true, recordedOwner: 'b', me: 'a' }));
    assert.ok(owns({ selfLive: true, held: false, recordedOwner: 'a', me: 'a' }));
    assert.ok(!owns({ selfLive: true, held: false, recordedOwner: 'b', me: 'a' }));
    assert.ok(!owns({ selfLive: true, held: false, recordedOwner: undefined, me: 'a' }));
    assert.ok(
      !owns({ selfLive: false, held: true, recordedOwner: 'a', me: 'a' }),
      'a lapsed replica owns nothing',
    );
  });
});

describe('connectedElsewhere', () => {
  const ready = (
    owner: string | undefined,
    status: string,
  ): Parameters<typeof connectedElsewhere>[0]['node'] => ({
    ...node(owner),
    status: { conditions: [{ type: 'Ready', status }] },
  });
  it('is true only for a Ready node owned by another live replica', () => {
    const live = (h: string): boolean => h === 'b';
    assert.ok(connectedElsewhere({ node: ready('b', 'True'), me: 'a', isLive: live }));
    assert.ok(
      !connectedElsewhere({ node: ready('b', 'Unknown'), me: 'a', isLive: live }),
      'its edge is gone',
    );
    assert.ok(!connectedElsewhere({ node: ready('c', 'True'), me: 'a', isLive: live }), 'its owner is dead');
    assert.ok(
      !connectedElsewhere({ node: ready('a', 'True'), me: 'a', isLive: live }),
      'ours: the hub answers',
    );
    assert.ok(!connectedElsewhere({ node: undefined, me: 'a', isLive: live }));
  });
});

describe('versionOf', () => {
  it('reads etcd revisions and nothing else', () => {
    assert.equal(versionOf('123'), 123n);
    assert.equal(versionOf('abc'), undefined);
    assert.equal(versionOf(undefined), undefined);
  });
});
