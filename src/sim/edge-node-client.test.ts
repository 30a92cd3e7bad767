import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { parseMessageId } from '../protocol/index.js';
import type { Message } from '../protocol/index.js';
import type { EdgeClientOptions } from './edge-client.js';
import { SimulatedEdgeNode } from './edge-node-client.js';
import type { EdgeConnection, SimulatedEdgeNodeOptions } from './edge-node-options.js';
import type { EdgeIdentity } from './join-client.js';
import { inboundHandling } from './push-handling.js';

const identity: EdgeIdentity = { nodeName: 'n', caPem: '', certPem: '', keyPem: '' };
const leaseKey = 'kube-node-lease/lease/n';

/** One cloud shared by every connection of the node: answers like edgecontroller, records everything. */
class FakeCloud {
  readonly log: string[] = [];
  readonly acked: string[] = [];
  dials = 0;
  connection: FakeConnection | undefined;
  /** Answer a missing lease with a bare `{"ErrStatus":…}` instead of an ObjectResp (a cloud bug). */
  bareLeaseNotFound = false;
  #nodeExists = false;
  #lease: Record<string, unknown> | undefined;
  #seq = 0;

  reply(request: Message): Message {
    const { operation = '', resource = '' } = request.route;
    this.log.push(`${operation} ${resource}`);
    return {
      header: { msg_id: this.id(), parent_msg_id: request.header.msg_id, timestamp: 0 },
      route: { source: 'edgecontroller', group: 'resource', operation: 'response', resource },
      content: this.#answer(operation, resource, request.content),
    };
  }

  id(): NonNullable<ReturnType<typeof parseMessageId>> {
    this.#seq += 1;
    const id = parseMessageId(`cloud-${String(this.#seq)}`);
    assert.ok(id);
    return id;
  }

  #answer(operation: string, resource: string, content: unknown): unknown {
    const node = { metadata: { name: 'n', uid: 'node-uid' } };
    if (resource === 'null/node/n' && operation === 'insert') {
      if (!this.#nodeExists) {
        this.#nodeExists = true;
        return { Object: node, Err: null };
      }
      return { Object: {}, Err: status('AlreadyExists', 409) };
    }
    if (resource === 'null/nodepatch/n') return { Object: node, Err: null };
    if (resource.includes('/podpatch/')) return { Object: { metadata: { name: 'p', uid: 'u1' } }, Err: null };
    if (resource === leaseKey && operation === 'query') {
      if (this.#lease !== undefined) return { Object: this.#lease, Err: null };
      return this.bareLeaseNotFound
        ? status('NotFound', 404)
        : { Object: null, Err: status('NotFound', 404) };
    }
    if (resource === leaseKey) {
      this.#lease = {
        ...(content as Record<string, unknown>),
        metadata: { name: 'n', resourceVersion: '1' },
      };
      return { Object: this.#lease, Err: null };
    }
    return 'OK';
  }
}

function status(reason: string, code: number): unknown {
  return { ErrStatus: { status: 'Failure', reason, code, message: reason } };
}

/** A connection double: opens at once, answers requests from the cloud, emits `close` when killed. */
class FakeConnection extends EventEmitter implements EdgeConnection {
  isOpen = false;
  readonly #cloud: FakeCloud;
  constructor(cloud: FakeCloud) {
    super();
    this.#cloud = cloud;
  }
  connect(): Promise<void> {
    this.#cloud.dials += 1;
    this.isOpen = true;
    return Promise.resolve();
  }
  setLinkDelay(): void {
    return;
  }
  send(message: Message): void {
    this.#cloud.log.push(`${message.route.operation ?? ''} ${message.route.resource ?? ''}`);
  }
  request(message: Message): Promise<Message> {
    return this.isOpen
      ? Promise.resolve(this.#cloud.reply(message))
      : Promise.reject(new Error('not connected'));
  }
  ack(reply: Message): void {
    this.#cloud.acked.push(reply.route.resource ?? '');
  }
  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }
  kill(): void {
    this.isOpen = false;
    this.emit('close', 1006, '');
  }
  /** Delivers a push from the cloud as EdgeClient does: handled as metamanager would, then emitted. */
  deliver(message: Message): void {
    this.emit('push', message, inboundHandling(message));
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await turn();
}

function podInsert(cloud: FakeCloud): Message {
  return {
    header: { msg_id: cloud.id(), timestamp: 0 },
    route: { source: 'edgecontroller', group: 'resource', operation: 'insert', resource: 'ns/pod/p' },
    content: {
      metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
      spec: { nodeName: 'n', containers: [{ name: 'c', image: 'nginx' }] },
    },
  };
}

function simulatedNode(
  cloud: FakeCloud,
  options: Partial<SimulatedEdgeNodeOptions> = {},
): { node: SimulatedEdgeNode; failures: Error[] } {
  const node = new SimulatedEdgeNode({
    nodeName: 'n',
    server: 'hub.invalid:10000',
    identity,
    leasePeriodMs: 10_000,
    dial: (_options: EdgeClientOptions) => {
      const connection = new FakeConnection(cloud);
      cloud.connection = connection;
      return connection;
    },
    ...options,
  });
  const failures: Error[] = [];
  node.on('failure', (err: Error) => failures.push(err));
  return { node, failures };
}

describe('SimulatedEdgeNode message sequences (KubeEdge v1.23.1 EdgeCore)', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  it('on start registers its Node, patches it, then queries and creates its lease; ACKs those replies', async () => {
    const cloud = new FakeCloud();
    const { node, failures } = simulatedNode(cloud);
    await node.start();
    await settle();
    assert.deepEqual(cloud.log, [
      'insert null/node/n',
      'patch null/nodepatch/n',
      `query ${leaseKey}`,
      `insert ${leaseKey}`,
    ]);
    // metamanager processRemote ACKs node insert, lease and query replies; nodepatch goes to edged only.
    assert.deepEqual(cloud.acked, ['null/node/n', leaseKey, leaseKey]);
    assert.deepEqual(failures, []);
    await node.stop();
  });

  it('after a process restart inserts its Node again and queries its lease before updating it', async () => {
    const cloud = new FakeCloud();
    const { node, failures } = simulatedNode(cloud);
    await node.start();
    await settle();
    cloud.log.length = 0;
    await node.restart();
    await settle();
    // The kubelet's lease controller keeps its last lease in memory only (component-helpers
    // apimachinery/lease/controller.go sync): a new process GETs it first, then updates it.
    assert.deepEqual(cloud.log, [
      'insert null/node/n',
      'patch null/nodepatch/n',
      `query ${leaseKey}`,
      `update ${leaseKey}`,
    ]);
    assert.deepEqual(failures, []);
    await node.stop();
  });

  it('after a link loss without restart sends no Node insert and renews its lease with an update', async () => {
    const cloud = new FakeCloud();
    const { node } = simulatedNode(cloud, { leasePeriodMs: 40_000 });
    await node.start();
    await settle();
    cloud.log.length = 0;
    node.cut();
    mock.timers.tick(1_000); // jittered default: redial within 1 s
    await settle();
    assert.equal(cloud.dials, 2, 'redialled');
    mock.timers.tick(39_000);
    await settle();
    assert.deepEqual(cloud.log, [`update ${leaseKey}`]);
    await node.stop();
  });

  it('with reconnect fixed redials exactly 30 s after a link loss, like edgehub', async () => {
    const cloud = new FakeCloud();
    const { node } = simulatedNode(cloud, { reconnect: { kind: 'fixed' }, leasePeriodMs: 100_000 });
    await node.start();
    await settle();
    node.cut();
    mock.timers.tick(29_999);
    await settle();
    assert.equal(cloud.dials, 1, 'still waiting');
    mock.timers.tick(1);
    await settle();
    assert.equal(cloud.dials, 2, 'redialled at 30 s');
    assert.ok(node.isConnected);
    await node.stop();
  });

  it('does not create its lease when the cloud answers the query with a bare 404 Status (§4.10)', async () => {
    const cloud = new FakeCloud();
    cloud.bareLeaseNotFound = true;
    const { node, failures } = simulatedNode(cloud);
    await node.start();
    await settle();
    mock.timers.tick(10_000);
    await settle();
    // The kubelet decodes it into a zero LeaseResp, (nil, nil): no create, a new GET every period.
    assert.deepEqual(
      cloud.log.filter((entry) => entry.endsWith(leaseKey)),
      [`query ${leaseKey}`, `query ${leaseKey}`],
    );
    assert.equal(failures.length, 2, 'each period reports that the lease was neither created nor renewed');
    await node.stop();
  });

  it('runs a pushed pod to Running without sending kubelet Events (edged.reportEvent is off by default)', async () => {
    const cloud = new FakeCloud();
    const { node } = simulatedNode(cloud);
    await node.start();
    await settle();
    cloud.log.length = 0;
    cloud.connection?.deliver(podInsert(cloud));
    await settle();
    mock.timers.tick(1_000);
    await settle();
    assert.equal(node.podStatuses.get('ns/pod/p')?.phase, 'Running');
    assert.deepEqual(cloud.log, ['patch ns/podpatch/p', 'patch ns/podpatch/p']);
    await node.stop();
  });

  it('patches its node status every 5 minutes, the kubelet nodeStatusReportFrequency', async () => {
    const cloud = new FakeCloud();
    const { node } = simulatedNode(cloud, { leasePeriodMs: 1_000_000 });
    await node.start();
    await settle();
    cloud.log.length = 0;
    mock.timers.tick(299_999);
    await settle();
    assert.deepEqual(cloud.log, []);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(cloud.log, ['patch null/nodepatch/n']);
    await node.stop();
  });
});
