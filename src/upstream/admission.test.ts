import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import type { Admission, AdmissionInput } from './admission.js';
import { decideAdmission, isOwnLease } from './admission.js';

const base: AdmissionInput = {
  isOwnLease: false,
  nodePending: 0,
  lanePending: 0,
  maxPendingPerNode: 10,
  maxPendingPerLane: 100,
  heaviest: undefined,
};
const flooder = { node: 'flood' as NodeName, pending: 10 };

describe('decideAdmission', () => {
  const table: [string, Partial<AdmissionInput>, Admission][] = [
    ['admits below both caps', { nodePending: 3, lanePending: 50 }, { action: 'admit' }],
    [
      'refuses a node at its cap',
      { nodePending: 10, lanePending: 50 },
      { action: 'refuse', reason: 'node-full' },
    ],
    [
      'always admits the own lease, at the node cap and in a full lane',
      { isOwnLease: true, nodePending: 10, lanePending: 100 },
      { action: 'admit' },
    ],
    [
      'makes room in a full lane from a node holding two more',
      { nodePending: 0, lanePending: 100, heaviest: flooder },
      { action: 'evict', victim: flooder.node },
    ],
    [
      'refuses in a full lane shared evenly',
      { nodePending: 9, lanePending: 100, heaviest: flooder },
      { action: 'refuse', reason: 'lane-full' },
    ],
    [
      'refuses in a full lane with no other node waiting',
      { nodePending: 5, lanePending: 100 },
      { action: 'refuse', reason: 'lane-full' },
    ],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => {
      assert.deepEqual(decideAdmission({ ...base, ...input }), expected);
    });
  }
});

describe('isOwnLease', () => {
  const node = 'edge-a' as NodeName;
  it('is the node lease in kube-node-lease named after the node, any operation', () => {
    assert.ok(isOwnLease(node, { resourceType: 'lease', namespace: 'kube-node-lease', name: 'edge-a' }));
  });
  it("is not another node's lease, a lease elsewhere, or another type", () => {
    assert.ok(!isOwnLease(node, { resourceType: 'lease', namespace: 'kube-node-lease', name: 'edge-b' }));
    assert.ok(!isOwnLease(node, { resourceType: 'lease', namespace: 'default', name: 'edge-a' }));
    assert.ok(!isOwnLease(node, { resourceType: 'nodepatch', namespace: null, name: 'edge-a' }));
  });
});
