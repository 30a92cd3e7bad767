import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  edgeNodeLabel,
  microTime,
  nodeConditions,
  nodeHeartbeatPatch,
  nodeLease,
  registeredNode,
} from './node-status.js';

const now = Date.UTC(2026, 10, 25, 8, 0, 0, 123);

interface NodeView {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; labels: Record<string, string> };
  status: {
    capacity: Record<string, string>;
    allocatable: Record<string, string>;
    addresses: { type: string; address: string }[];
    daemonEndpoints: { kubeletEndpoint: { Port: number } };
    nodeInfo: Record<string, string>;
    conditions: { type: string; status: string; reason: string }[];
  };
}

describe('registeredNode', () => {
  const node = registeredNode({ nodeName: 'edge-1', now }) as unknown as NodeView;
  it('has no apiVersion/kind, as a real v1.23.1 edge sends it (§4.10)', () => {
    assert.equal(node.apiVersion, undefined);
    assert.equal(node.kind, undefined);
  });
  it('carries the edge label and the kubelet well-known labels', () => {
    assert.equal(node.metadata.labels[edgeNodeLabel], '');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'edge-1');
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
  });
  it('reports capacity = allocatable, addresses, the read-only port and the KubeEdge kubelet version', () => {
    assert.deepEqual(node.status.capacity, node.status.allocatable);
    assert.equal(node.status.capacity.pods, '110');
    assert.deepEqual(node.status.addresses, [
      { type: 'InternalIP', address: '192.0.2.2' },
      { type: 'Hostname', address: 'edge-1' },
    ]);
    assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, 10350);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.10-kubeedge-v1.23.1');
  });
  it('has the four healthy conditions', () => {
    assert.deepEqual(
      node.status.conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
  });
  const shapes: [string, Parameters<typeof registeredNode>[0]['shape'], (n: NodeView) => void][] = [
    [
      'custom IP becomes the InternalIP',
      { internalIP: '10.1.2.3' },
      (n) => {
        assert.equal(n.status.addresses[0]?.address, '10.1.2.3');
      },
    ],
    [
      'custom labels merge over the defaults',
      { labels: { zone: 'a' } },
      (n) => {
        assert.equal(n.metadata.labels.zone, 'a');
      },
    ],
    [
      'custom CPU shows in capacity',
      { cpu: '64' },
      (n) => {
        assert.equal(n.status.capacity.cpu, '64');
      },
    ],
  ];
  for (const [name, shape, check] of shapes) {
    it(name, () => {
      check(
        registeredNode({
          nodeName: 'edge-1',
          now,
          ...(shape !== undefined ? { shape } : {}),
        }) as unknown as NodeView,
      );
    });
  }
});

describe('nodeConditions', () => {
  it('sets heartbeats to now and transitions to since', () => {
    const first = nodeConditions(now, now - 60_000)[0];
    assert.ok(first);
    assert.equal(first.lastHeartbeatTime, '2026-11-25T08:00:00Z');
    assert.equal(first.lastTransitionTime, '2026-11-25T07:59:00Z');
  });
});

describe('nodeHeartbeatPatch', () => {
  it('is the kubelet strategic-merge heartbeat patch string', () => {
    const patch = JSON.parse(nodeHeartbeatPatch(now)) as {
      status: { '$setElementOrder/conditions': { type: string }[]; conditions: Record<string, string>[] };
    };
    assert.equal(patch.status['$setElementOrder/conditions'].length, 4);
    assert.deepEqual(patch.status.conditions[3], {
      lastHeartbeatTime: '2026-11-25T08:00:00Z',
      type: 'Ready',
    });
  });
});

describe('microTime', () => {
  const table: [number, string][] = [
    [now, '2026-11-25T08:00:00.123000Z'],
    [Date.UTC(2026, 0, 1), '2026-01-01T00:00:00.000000Z'],
  ];
  for (const [ms, expected] of table) {
    it(`formats ${String(ms)} with six fractional digits`, () => {
      assert.equal(microTime(ms), expected);
    });
  }
});

describe('nodeLease', () => {
  it('creates the kubelet lease: holder, 40 s, MicroTime renewTime, owned by the node', () => {
    assert.deepEqual(nodeLease({ nodeName: 'edge-1', now, nodeUid: 'n-uid' }), {
      metadata: {
        name: 'edge-1',
        namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'edge-1', uid: 'n-uid' }],
      },
      spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40, renewTime: '2026-11-25T08:00:00.123000Z' },
    });
  });
  it('renews from the previous lease, keeping its resourceVersion', () => {
    const previous = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'edge-1', namespace: 'kube-node-lease', resourceVersion: '77', uid: 'l' },
      spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40, renewTime: 'old', acquireTime: 'a' },
    };
    const renewed = nodeLease({ nodeName: 'edge-1', now: now + 10_000, previous }) as typeof previous;
    assert.equal(renewed.metadata.resourceVersion, '77');
    assert.equal(renewed.spec.acquireTime, 'a');
    assert.equal(renewed.spec.renewTime, '2026-11-25T08:00:10.123000Z');
    assert.equal(previous.spec.renewTime, 'old', 'the previous lease is not mutated');
  });
});
