import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { DiffBuilder, emptyDiff, isEmptyDiff } from './location-diff.js';
import type { ObjectRef } from './object-ref.js';
import { refKey } from './object-ref.js';

// Tests brand node names directly; production code gets them from protocol's parseNodeName.
const node = (name: string): NodeName => name as NodeName;
const secret = (name: string): ObjectRef => ({ kind: 'Secret', namespace: 'ns', name });

type Step = readonly ['gain' | 'lose', string, string];

describe('DiffBuilder', () => {
  const table: [string, readonly Step[], { gained: string[]; lost: string[] }][] = [
    ['nothing recorded gives an empty diff', [], { gained: [], lost: [] }],
    ['a gain stays a gain', [['gain', 'n1', 'a']], { gained: ['n1 a'], lost: [] }],
    ['a loss stays a loss', [['lose', 'n1', 'a']], { gained: [], lost: ['n1 a'] }],
    [
      'gain then loss of the same entry cancels out',
      [
        ['gain', 'n1', 'a'],
        ['lose', 'n1', 'a'],
      ],
      { gained: [], lost: [] },
    ],
    [
      'loss then gain of the same entry cancels out',
      [
        ['lose', 'n1', 'a'],
        ['gain', 'n1', 'a'],
      ],
      { gained: [], lost: [] },
    ],
    [
      'entries on different nodes do not cancel',
      [
        ['gain', 'n1', 'a'],
        ['lose', 'n2', 'a'],
      ],
      { gained: ['n1 a'], lost: ['n2 a'] },
    ],
    [
      'sorted by node, then by object',
      [
        ['gain', 'n2', 'a'],
        ['gain', 'n1', 'b'],
        ['gain', 'n1', 'a'],
      ],
      { gained: ['n1 a', 'n1 b', 'n2 a'], lost: [] },
    ],
  ];
  for (const [name, steps, expected] of table) {
    it(name, () => {
      const builder = new DiffBuilder();
      for (const [op, n, s] of steps) {
        if (op === 'gain') builder.gain(node(n), secret(s), refKey(secret(s)));
        else builder.lose(node(n), secret(s), refKey(secret(s)));
      }
      const diff = builder.build();
      assert.deepEqual(
        {
          gained: diff.gained.map((e) => `${e.node} ${e.object.name}`),
          lost: diff.lost.map((e) => `${e.node} ${e.object.name}`),
        },
        expected,
      );
      assert.equal(isEmptyDiff(diff), expected.gained.length === 0 && expected.lost.length === 0);
    });
  }

  it('shares one frozen empty diff', () => {
    assert.equal(new DiffBuilder().build(), emptyDiff);
    assert.ok(
      Object.isFrozen(emptyDiff) && Object.isFrozen(emptyDiff.gained) && Object.isFrozen(emptyDiff.lost),
    );
  });
});
