/**
 * A planned controller restart with EdgeCore timing (issue 16 item 2): a simulated edge that redials a
 * fixed 30 s after losing its link and renews its lease every 10 s, as EdgeCore v1.23.1 does, stays
 * connected while the controller stops and starts again on the same ports. The controller renews the
 * node's Lease as the last step before closing its session, and once more when the session opens again,
 * so the lease never ages past the node lifecycle controller's grace; a node that was not connected gets
 * no renewal. Every write to the Lease is read from a watch of the real API server, and the edge's own
 * writes are told apart by the renewTimes the edge reports having written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeClient } from '../../src/kube/index.js';
import { SimulatedEdgeNode } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();

interface LeaseView {
  metadata: { name: string; resourceVersion: string };
  spec: { renewTime?: string; holderIdentity?: string };
}

interface NodeView {
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

const leasePath = (node: string): string =>
  `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`;

/** Every version of one Lease the API server writes after `resourceVersion`, as a watch reports them. */
function watchLease(admin: KubeClient, node: string, resourceVersion: string, signal: AbortSignal) {
  const seen: LeaseView[] = [];
  const path =
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?watch=1' +
    `&fieldSelector=${encodeURIComponent(`metadata.name=${node}`)}&resourceVersion=${resourceVersion}`;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of await admin.openStream({ path, signal })) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line) as { type: string; object: LeaseView };
        if (event.type === 'MODIFIED' || event.type === 'ADDED') seen.push(event.object);
      }
    }
  })().catch(() => undefined); // ends when the test aborts it
  return { seen, done };
}

const readyOf = (n: NodeView) => n.status?.conditions?.find((c) => c.type === 'Ready');

describe('a planned controller restart', () => {
  const edges: SimulatedEdgeNode[] = [];
  const controllers: TestController[] = [];
  const watches = new AbortController();
  after(async () => {
    watches.abort();
    await Promise.all(edges.map((e) => e.stop()));
    for (const c of controllers) await c.controller.stop();
  });

  let first: TestController;
  before(async () => {
    const { admin, cluster } = getCluster();
    first = await startTestController(admin, cluster.kubeconfigPath);
    controllers.push(first);
  });

  it('renews a connected node’s Lease at shutdown and again when its session reopens, and no other node’s', async () => {
    const { admin, cluster } = getCluster();
    /** A node with EdgeCore's timing: 30 s redial, lease every 10 s, keepalive every 15 s. */
    const edge = async (nodeName: string, server: TestController): Promise<SimulatedEdgeNode> => {
      const sim = new SimulatedEdgeNode({
        nodeName,
        server: server.hubServer,
        join: { httpServer: server.httpServer, token: await server.token() },
        reconnect: { kind: 'fixed' },
      });
      edges.push(sim);
      await sim.start();
      return sim;
    };
    const leaseOf = (node: string) => admin.request<LeaseView>({ method: 'GET', path: leasePath(node) });

    const live = await edge('restart-live', first);
    // The renewTimes the edge itself wrote: any other renewTime in the Lease was written by the controller.
    const edgeWrote = new Set<string>();
    live.on('lease', (lease: LeaseView | undefined) => {
      if (lease?.spec.renewTime !== undefined) edgeWrote.add(lease.spec.renewTime);
    });
    // A node that had a session and a Lease, and left before the restart.
    const left = await edge('restart-left', first);
    await eventually(() => leaseOf(left.nodeName));
    await left.stop();
    await eventually(() => {
      assert.ok(!first.controller.hub.isConnected(left.nodeName));
    });
    const leftBefore = await leaseOf(left.nodeName);

    const liveBefore = await eventually(async () => {
      const lease = await leaseOf(live.nodeName);
      assert.ok(lease.spec.renewTime !== undefined && edgeWrote.has(lease.spec.renewTime));
      return lease;
    });
    const readyBefore = readyOf(
      await admin.request<NodeView>({ method: 'GET', path: `/api/v1/nodes/${live.nodeName}` }),
    );
    assert.equal(readyBefore?.status, 'True');
    const watch = watchLease(admin, live.nodeName, liveBefore.metadata.resourceVersion, watches.signal);
    const byController = (): LeaseView[] =>
      watch.seen.filter((l) => l.spec.renewTime !== undefined && !edgeWrote.has(l.spec.renewTime));

    const lostLink = new Promise<number>((resolve) =>
      live.once('disconnected', () => {
        resolve(Date.now());
      }),
    );
    const stoppingAt = Date.now();
    await first.controller.stop();
    const stoppedAt = Date.now();
    // The edge has seen the close: every reply to its own lease writes was handled before it.
    const lostAt = await lostLink;
    assert.equal(
      await first.metric('edgecontroller_upstream_lease_renewals_total', {
        reason: 'shutdown',
        result: 'renewed',
      }),
      1,
      'one renewal at shutdown: the connected node, not the one that left',
    );
    const atShutdown = await eventually(() => {
      const [renewal] = byController();
      assert.ok(renewal !== undefined, 'the controller renewed the Lease at shutdown');
      return renewal;
    });
    const shutdownRenewMs = Date.parse(atShutdown.spec.renewTime ?? '');
    assert.ok(
      shutdownRenewMs >= stoppingAt - 1 && shutdownRenewMs <= stoppedAt + 1,
      `renewed during stop(): ${String(atShutdown.spec.renewTime)}`,
    );
    assert.equal(atShutdown.spec.holderIdentity, live.nodeName, 'only renewTime changes');

    // The same ports: the edge redials where it was, 30 s after losing its link.
    const reconnected = new Promise<number>((resolve) =>
      live.once('connected', () => {
        resolve(Date.now());
      }),
    );
    const second = await startTestController(admin, cluster.kubeconfigPath, {
      hub: { port: first.controller.ports.hub },
      httpsPort: first.controller.ports.https,
    });
    controllers.push(second);
    const reconnectedAt = await reconnected;
    assert.ok(reconnectedAt - lostAt >= 29_000, 'the edge waited its fixed 30 s before redialling');
    const atReopen = await eventually(() => {
      const renewal = byController()[1];
      assert.ok(renewal !== undefined, 'the controller renewed the Lease when the session reopened');
      return renewal;
    });
    assert.ok(Date.parse(atReopen.spec.renewTime ?? '') >= reconnectedAt - 1_000);
    assert.equal(
      await second.metric('edgecontroller_upstream_lease_renewals_total', {
        reason: 'session_opened',
        result: 'renewed',
      }),
      1,
    );

    assert.ok(
      !edgeWrote.has(atReopen.spec.renewTime ?? ''),
      'the renewal taken for the controller’s is not one the edge wrote',
    );
    // The edge takes over again: its own next write lands within the grace our renewal gave it.
    await eventually(
      () => {
        assert.ok(
          watch.seen.some(
            (l) =>
              edgeWrote.has(l.spec.renewTime ?? '') && Date.parse(l.spec.renewTime ?? '') >= reconnectedAt,
          ),
        );
      },
      { timeoutMs: 40_000 },
    );

    // Both renewals of the live node are done (observed above), and every renewal is planned from the
    // sessions at that moment: a write for the node that left would have happened by now.
    const leftAfter = await leaseOf(left.nodeName);
    assert.equal(leftAfter.metadata.resourceVersion, leftBefore.metadata.resourceVersion, 'no renewal');

    const readyAfter = readyOf(
      await admin.request<NodeView>({ method: 'GET', path: `/api/v1/nodes/${live.nodeName}` }),
    );
    assert.equal(readyAfter?.status, 'True');
    assert.equal(
      readyAfter.lastTransitionTime,
      readyBefore.lastTransitionTime,
      'the node never left Ready across the restart',
    );
  });
});
