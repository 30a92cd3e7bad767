import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isPodNotRunning,
  isStaleReport,
  isTerminatedAndDeleting,
  mergePodStatus,
  staleReportDelete,
} from './pod-status-merge.js';
import type { Pod, PodStatus } from './schemas.js';
import { now, nowText } from './test-support.js';

const old = '2024-11-01T10:00:00Z';

function podWith(status: PodStatus, initContainers: string[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { nodeName: 'edge-a', initContainers: initContainers.map((name) => ({ name })) },
    status,
  };
}

describe('mergePodStatus: condition transition times', () => {
  const table: [string, PodStatus['conditions'], PodStatus['conditions'], (string | null)[]][] = [
    [
      'keeps the old Ready time when Ready keeps its status',
      [{ type: 'Ready', status: 'True', lastTransitionTime: old }],
      [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-11-23T00:00:00Z' }],
      [old],
    ],
    [
      'stamps now when Ready changes status',
      [{ type: 'Ready', status: 'False', lastTransitionTime: old }],
      [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-11-23T00:00:00Z' }],
      [nowText],
    ],
    ['stamps now for a new Initialized condition', [], [{ type: 'Initialized', status: 'True' }], [nowText]],
    [
      'leaves other conditions as reported, normalized',
      [{ type: 'PodScheduled', status: 'True', lastTransitionTime: old }],
      [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-11-22T01:02:03.456Z' }],
      ['2024-11-22T01:02:03Z'],
    ],
    [
      'keeps a null old time when the status is unchanged',
      [{ type: 'Initialized', status: 'True', lastTransitionTime: null }],
      [{ type: 'Initialized', status: 'True', lastTransitionTime: '2024-11-22T01:02:03Z' }],
      [null],
    ],
  ];
  for (const [name, current, reported, expected] of table) {
    it(name, () => {
      const merged = mergePodStatus(podWith({ conditions: current }), { conditions: reported }, now);
      assert.deepEqual(
        merged.conditions?.map((c) => c.lastTransitionTime),
        expected,
      );
    });
  }
});

describe('mergePodStatus: startTime', () => {
  const table: [string, string | null | undefined, string | null | undefined, string][] = [
    ['keeps the current start time', old, '2024-11-23T00:00:00Z', old],
    [
      'takes the reported start time when the pod has none, normalized',
      undefined,
      '2024-11-23T00:00:00.9Z',
      '2024-11-23T00:00:00Z',
    ],
    ['sets now when neither has one', null, null, nowText],
  ];
  for (const [name, current, reported, expected] of table) {
    it(name, () => {
      assert.equal(
        mergePodStatus(podWith({ startTime: current }), { startTime: reported }, now).startTime,
        expected,
      );
    });
  }
});

describe('mergePodStatus: normalization and order', () => {
  it('normalizes container times and sorts containerStatuses by name', () => {
    const merged = mergePodStatus(
      podWith({}),
      {
        containerStatuses: [
          { name: 'web', state: { running: { startedAt: '2024-11-23T01:00:00.123+01:00' } } },
          {
            name: 'app',
            state: {
              terminated: { startedAt: '2024-11-23T00:00:00.5Z', finishedAt: '2024-11-23T00:00:01.5Z' },
            },
            lastState: { running: { startedAt: '2024-11-22T00:00:00.5Z' } },
          },
        ],
      },
      now,
    );
    assert.deepEqual(merged.containerStatuses, [
      {
        name: 'app',
        state: { terminated: { startedAt: '2024-11-23T00:00:00Z', finishedAt: '2024-11-23T00:00:01Z' } },
        lastState: { running: { startedAt: '2024-11-22T00:00:00Z' } },
      },
      { name: 'web', state: { running: { startedAt: '2024-11-23T00:00:00Z' } } },
    ]);
  });

  it('orders initContainerStatuses as spec.initContainers', () => {
    const merged = mergePodStatus(
      podWith({}, ['setup', 'migrate', 'warm']),
      {
        initContainerStatuses: [{ name: 'warm' }, { name: 'stray' }, { name: 'setup' }, { name: 'migrate' }],
      },
      now,
    );
    assert.deepEqual(
      merged.initContainerStatuses?.map((s) => s.name),
      ['setup', 'migrate', 'warm', 'stray'],
    );
  });

  it('keeps unknown fields and does not change its arguments', () => {
    const reported: PodStatus = {
      phase: 'Running',
      podIPs: [{ ip: '10.1.2.3' }],
      qosClass: 'BestEffort',
      hostIP: '192.168.0.5',
    };
    const snapshot = structuredClone(reported);
    const merged = mergePodStatus(podWith({}), reported, now);
    assert.deepEqual(reported, snapshot);
    assert.partialDeepStrictEqual(merged, snapshot);
  });
});

describe('isPodNotRunning', () => {
  const table: [string, PodStatus['containerStatuses'], boolean][] = [
    ['no statuses', undefined, true],
    [
      'all terminated or waiting',
      [
        { name: 'a', state: { terminated: {} } },
        { name: 'b', state: { waiting: {} } },
      ],
      true,
    ],
    [
      'one running',
      [
        { name: 'a', state: { terminated: {} } },
        { name: 'b', state: { running: {} } },
      ],
      false,
    ],
    ['an empty state counts as running (as in KubeEdge)', [{ name: 'a', state: {} }], false],
  ];
  for (const [name, statuses, expected] of table) {
    it(name, () => {
      assert.equal(isPodNotRunning(statuses), expected);
    });
  }
});

describe('isTerminatedAndDeleting', () => {
  const deleting: Pod = { metadata: { deletionTimestamp: old } };
  const table: [string, Pod, PodStatus, boolean][] = [
    [
      'a succeeded pod being deleted',
      deleting,
      { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: {} } }] },
      true,
    ],
    ['a failed pod being deleted', deleting, { phase: 'Failed' }, true],
    ['a running pod being deleted', deleting, { phase: 'Running' }, false],
    ['a succeeded pod not being deleted', {}, { phase: 'Succeeded' }, false],
    [
      'a failed pod with a running container',
      deleting,
      { phase: 'Failed', containerStatuses: [{ name: 'a', state: { running: {} } }] },
      false,
    ],
  ];
  for (const [name, written, merged, expected] of table) {
    it(`${expected ? 'deletes' : 'keeps'} ${name}`, () => {
      assert.equal(isTerminatedAndDeleting(written, merged), expected);
    });
  }
});

describe('isStaleReport / staleReportDelete', () => {
  it('treats a missing pod and a UID mismatch as stale', () => {
    assert.equal(isStaleReport(undefined, 'u1'), true);
    assert.equal(isStaleReport(podWith({}), 'u2'), true);
    assert.equal(isStaleReport(podWith({}), undefined), true);
    assert.equal(isStaleReport(podWith({}), 'u1'), false);
  });

  it('pushes a delete of the reported incarnation only: namespace, name and the reported UID', () => {
    assert.deepEqual(staleReportDelete('default', 'p', 'u1'), {
      kind: 'push',
      operation: 'delete',
      resource: 'default/pod/p',
      content: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' } },
    });
  });

  it('pushes a delete by name alone when the report had no UID (as KubeEdge)', () => {
    for (const uid of ['', undefined]) {
      assert.deepEqual(staleReportDelete('default', 'p', uid), {
        kind: 'push',
        operation: 'delete',
        resource: 'default/pod/p',
        content: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } },
      });
    }
  });
});
