import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { objectSyncName, parseObjectSyncName } from './record-name.js';

const uid = '5f0c2a8e-2f53-4f6b-9b61-0d9c3f7f6a11';
const node = (name: string): NodeName => name as NodeName;

describe('objectSyncName', () => {
  const table: [name: string, node: string, uid: string, expected: string | undefined][] = [
    ['joins node and uid with a dot', 'edge-1', uid, `edge-1.${uid}`],
    ['keeps dots in the node name', 'edge.site-a', uid, `edge.site-a.${uid}`],
    ['rejects an empty uid', 'edge-1', '', undefined],
    ['rejects a uid with a dot', 'edge-1', 'a.b', undefined],
    ['rejects a name over 253 characters', 'a'.repeat(217), uid, undefined],
    ['accepts exactly 253 characters', 'a'.repeat(216), uid, `${'a'.repeat(216)}.${uid}`],
  ];
  for (const [name, n, u, expected] of table) {
    it(name, () => {
      assert.equal(objectSyncName(node(n), u), expected);
    });
  }
});

describe('parseObjectSyncName', () => {
  const table: [name: string, input: string, expected: { node: string; uid: string } | undefined][] = [
    ['splits at the last dot', `edge-1.${uid}`, { node: 'edge-1', uid }],
    [
      'recovers a dotted node name (KubeEdge getNodeName)',
      `edge.site-a.${uid}`,
      { node: 'edge.site-a', uid },
    ],
    ['rejects a name without a dot', 'edge-1', undefined],
    ['rejects an empty node part', `.${uid}`, undefined],
    ['rejects an empty uid part', 'edge-1.', undefined],
    ['rejects an invalid node name', `Edge_1.${uid}`, undefined],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => {
      const parsed = parseObjectSyncName(input);
      assert.deepEqual(parsed === undefined ? undefined : { node: parsed.node, uid: parsed.uid }, expected);
    });
  }

  it('round-trips with objectSyncName', () => {
    const name = objectSyncName(node('edge.site-a'), uid);
    assert.ok(name !== undefined);
    assert.deepEqual(parseObjectSyncName(name), { name, node: 'edge.site-a', uid });
  });
});
