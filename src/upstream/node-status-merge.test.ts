import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gpuStatusAnnotation, mergeNodeStatus } from './node-status-merge.js';
import type { Node, NodeStatusRequest } from './schemas.js';
import { now, nowText } from './test-support.js';

const current: Node = {
  metadata: { name: 'edge-a', resourceVersion: '9', annotations: { keep: 'me' } },
  status: {
    volumesAttached: [{ name: 'kubernetes.io/csi/vol-1', devicePath: '' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10350 } },
  },
};

describe('mergeNodeStatus', () => {
  it('bumps stale heartbeats, keeps fresh ones', () => {
    const fresh = new Date(now - 5_000).toISOString();
    const request: NodeStatusRequest = {
      Status: {
        conditions: [
          { type: 'Ready', status: 'True', lastHeartbeatTime: '2024-11-01T00:00:00Z' },
          { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: fresh },
          { type: 'DiskPressure', status: 'False', lastHeartbeatTime: null },
        ],
      },
    };
    const merged = mergeNodeStatus(current, request, now, 10_000);
    assert.deepEqual(
      merged.status?.conditions?.map((c) => c.lastHeartbeatTime),
      [nowText, fresh, nowText],
    );
  });

  it('keeps volumesAttached and the kubelet port from the server', () => {
    const request: NodeStatusRequest = {
      Status: { volumesAttached: [], daemonEndpoints: { kubeletEndpoint: { Port: 0 } }, phase: 'Running' },
    };
    const merged = mergeNodeStatus(current, request, now, 10_000);
    assert.deepEqual(merged.status?.volumesAttached, current.status?.volumesAttached);
    assert.equal(merged.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10350);
    assert.equal((merged.status as Record<string, unknown>).phase, 'Running');
    assert.equal(merged.metadata?.resourceVersion, '9');
  });

  it('drops a reported volumesAttached when the server has none', () => {
    const merged = mergeNodeStatus(
      { metadata: { name: 'edge-a' } },
      { Status: { volumesAttached: [{ name: 'x' }] } },
      now,
      10_000,
    );
    assert.equal(merged.status?.volumesAttached, undefined);
  });

  it('writes extended resources as annotations, with the NVIDIA health list', () => {
    const request: NodeStatusRequest = {
      Status: {},
      ExtendResources: {
        'nvidia.com/gpu': [{ name: 'gpu-0', type: 'T4', capacity: '1' }, { name: 'gpu-1' }],
        'example.com/fpga': [],
      },
    };
    const annotations = mergeNodeStatus(current, request, now, 10_000).metadata?.annotations;
    assert.deepEqual(annotations, {
      keep: 'me',
      [gpuStatusAnnotation]: '[{"id":"gpu-0","healthy":true},{"id":"gpu-1","healthy":true}]',
      'nvidia.com/gpu': '[{"name":"gpu-0","type":"T4","capacity":"1"},{"name":"gpu-1","capacity":"0"}]',
      'example.com/fpga': '[]',
    });
  });

  it('does not change its arguments', () => {
    const snapshot = structuredClone(current);
    mergeNodeStatus(current, { Status: { conditions: [] }, ExtendResources: { a: [] } }, now, 10_000);
    assert.deepEqual(current, snapshot);
  });
});
