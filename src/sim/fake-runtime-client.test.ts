import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessageId } from '../protocol/index.js';
import type { Message, MessageStamp } from '../protocol/index.js';
import type { MetaStore } from './edge-client.js';
import { FakeRuntime } from './fake-runtime-client.js';
import type { EdgeLink, PodStatusEvent } from './fake-runtime-client.js';

const now = Date.UTC(2026, 10, 25, 8, 0, 0);

/** Records what the runtime sends and answers like the cloud would. */
class RecordingLink implements EdgeLink {
  readonly nodeName = 'edge-1';
  readonly store: MetaStore = new Map();
  readonly sent: Message[] = [];
  readonly acked: Message[] = [];
  readonly failures: unknown[] = [];
  /** Content of the reply to a pod delete; the cloud sends "OK". */
  deleteReply: unknown = 'OK';
  /** Content of the reply to a podpatch; default an ObjectResp with the pod. */
  podPatchReply: unknown = { Object: { metadata: { name: 'p', uid: 'u1' } }, Err: null };
  #seq = 0;
  connected = true;
  isConnected(): boolean {
    return this.connected;
  }
  request(message: Message): Promise<Message> {
    this.sent.push(message);
    const { operation = '', resource = '' } = message.route;
    const type = resource.split('/')[1];
    let content: unknown = 'OK';
    if (type === 'configmap' || type === 'secret') content = { kind: 'X', metadata: { name: resource } };
    if (type === 'serviceaccounttoken') content = { kind: 'TokenRequest', status: { token: 't' } };
    if (type === 'podpatch') content = this.podPatchReply;
    if (operation === 'delete') content = this.deleteReply;
    return Promise.resolve({
      header: { msg_id: this.stamp().id, parent_msg_id: message.header.msg_id, timestamp: now },
      route: { source: 'edgecontroller', group: 'resource', operation: 'response', resource },
      content,
    });
  }
  ack(reply: Message): void {
    this.acked.push(reply);
  }
  send(message: Message): void {
    this.sent.push(message);
  }
  stamp(): MessageStamp {
    this.#seq += 1;
    const id = parseMessageId(`m-${String(this.#seq)}`);
    assert.ok(id);
    return { id, now };
  }
  now(): number {
    return now;
  }
  fail(err: unknown): void {
    this.failures.push(err);
  }
  /** `<op> <resource>` of every request except events. */
  requests(): string[] {
    return this.sent
      .filter((m) => m.route.resource?.split('/')[1] !== 'event')
      .map((m) => `${m.route.operation ?? ''} ${m.route.resource ?? ''}`);
  }
}

function setup(): {
  link: RecordingLink;
  runtime: FakeRuntime;
  statuses: PodStatusEvent[];
  deleted: string[];
  fire: () => void;
} {
  const link = new RecordingLink();
  const statuses: PodStatusEvent[] = [];
  const deleted: string[] = [];
  const due: (() => void)[] = [];
  const runtime = new FakeRuntime({
    link,
    hostIP: '192.0.2.2',
    podStartDelayMs: 1000,
    sendEvents: true,
    onStatus: (e) => statuses.push(e),
    onDeleted: (k) => deleted.push(k),
    schedule: (callback) => {
      due.push(callback);
      return () => {
        const at = due.indexOf(callback);
        if (at >= 0) due.splice(at, 1);
      };
    },
  });
  const fire = (): void => {
    for (const callback of due.splice(0)) callback();
  };
  return { link, runtime, statuses, deleted, fire };
}

function push(operation: string, pod: object): Message {
  const id = parseMessageId('push-1');
  assert.ok(id);
  return {
    header: { msg_id: id, timestamp: now },
    route: { source: 'edgecontroller', group: 'resource', operation, resource: 'ns/pod/p' },
    content: pod,
  };
}

const pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: {
    nodeName: 'edge-1',
    serviceAccountName: 'robot',
    containers: [
      {
        name: 'c',
        image: 'nginx',
        envFrom: [{ configMapRef: { name: 'have' } }, { secretRef: { name: 's' } }],
      },
    ],
    volumes: [
      { name: 'cm', configMap: { name: 'need' } },
      {
        name: 'tok',
        projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] },
      },
    ],
  },
};

describe('FakeRuntime', () => {
  it('queries every ConfigMap/Secret it references, even those in the store, and the mounted token, then reports Pending', async () => {
    const { link, runtime, statuses } = setup();
    link.store.set('ns/configmap/have', { operation: 'insert', content: {} });
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    // A connected edge sends these queries to the cloud whatever its database holds (requireRemoteQuery).
    assert.deepEqual(link.requests(), [
      'query ns/configmap/have',
      'query ns/configmap/need',
      'query ns/secret/s',
      'query ns/serviceaccounttoken/robot',
      'patch ns/podpatch/p',
    ]);
    assert.ok(link.store.has('ns/configmap/need'), 'query replies are stored');
    assert.equal(link.acked.length, 4, 'query replies are ACKed; the podpatch reply is not');
    assert.deepEqual(
      statuses.map((s) => s.status.phase),
      ['Pending'],
    );
    assert.deepEqual(link.failures, []);
  });

  it('reports Running after the start delay, then stops and deletes with DeleteOptions on deletionTimestamp', async () => {
    const { link, runtime, statuses, fire } = setup();
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    fire();
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => s.status.phase),
      ['Pending', 'Running'],
    );
    const running = statuses[1]?.status;
    assert.ok(running);
    assert.equal(running.podIP, '10.88.0.1');
    assert.equal(running.hostIP, '192.0.2.2');
    const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-11-25T08:00:30Z' } };
    await runtime.onPush(push('update', deleting));
    await runtime.onPush(push('update', deleting));
    await runtime.settled();
    assert.equal(statuses.at(-1)?.status.phase, 'Succeeded');
    const deletes = link.sent.filter((m) => m.route.operation === 'delete');
    assert.equal(deletes.length, 1, 'deleted once although the update came twice');
    const [only] = deletes;
    assert.ok(only);
    assert.deepEqual(only.content, { gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
    assert.equal(only.route.resource, 'ns/pod/p');
  });

  it('a deletion before the start delay ends never reports Running', async () => {
    const { runtime, statuses, fire } = setup();
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    await runtime.onPush(push('update', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'x' } }));
    fire();
    await runtime.settled();
    assert.ok(!statuses.some((s) => s.status.phase === 'Running'));
  });

  it('a delete push forgets the pod and cancels its start', async () => {
    const { runtime, statuses, deleted, fire } = setup();
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    await runtime.onPush(push('delete', pod));
    fire();
    await runtime.settled();
    assert.deepEqual(deleted, ['ns/pod/p']);
    assert.equal(runtime.statuses.size, 0);
    assert.deepEqual(
      statuses.map((s) => s.status.phase),
      ['Pending'],
    );
  });

  it('sends kubelet events for container starts', async () => {
    const { link, runtime, fire } = setup();
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    fire();
    await runtime.settled();
    const reasons = link.sent
      .filter((m) => m.route.resource?.split('/')[1] === 'event')
      .map((m) => (m.content as { reason: string }).reason);
    assert.deepEqual(reasons, ['Pulled', 'Started']);
  });

  it('sends no query while offline: the edge answers from its database', async () => {
    const { link, runtime } = setup();
    link.connected = false;
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    assert.deepEqual(link.requests(), []);
    assert.deepEqual(link.failures, []);
  });

  it('re-adopts a pod it already ran (after a restart) with the same IP, reporting Running at once', async () => {
    const { link, runtime, statuses } = setup();
    const ran = {
      ...pod,
      status: { phase: 'Running', podIP: '10.88.0.7', startTime: '2026-11-25T07:00:00Z' },
    };
    await runtime.onPod('ns/pod/p', ran);
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => [s.status.phase, s.status.podIP, s.status.startTime]),
      [['Running', '10.88.0.7', '2026-11-25T07:00:00Z']],
    );
    // The new kubelet process mounts the volumes again, fetching what they reference.
    assert.deepEqual(link.requests().slice(1), [
      'query ns/configmap/have',
      'query ns/configmap/need',
      'query ns/secret/s',
      'query ns/serviceaccounttoken/robot',
    ]);
  });

  it('takes only "OK" as a successful pod delete, as the edge metaclient does (errata O7)', async () => {
    const { link, runtime } = setup();
    link.deleteReply = { Object: null, Err: null };
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    await runtime.onPush(push('update', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'x' } }));
    await runtime.settled();
    assert.match(String(link.failures[0]), /pod delete: response content type unsupported/);
  });

  it('a podpatch answered with a bare Status is not accepted and fails like the edge nil dereference', async () => {
    const { link, runtime, statuses } = setup();
    link.podPatchReply = { ErrStatus: { reason: 'NotFound', code: 404, message: 'gone' } };
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => s.accepted),
      [false],
    );
    assert.match(String(link.failures[0]), /podpatch: success without an Object/);
  });

  it('reports a refused status again on the next sync tick, until the cloud accepts it', async () => {
    const { link, runtime, statuses, fire } = setup();
    link.podPatchReply = { Object: {}, Err: { ErrStatus: { reason: 'TooManyRequests', code: 429 } } };
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => s.accepted),
      [false],
    );
    link.podPatchReply = { Object: { metadata: { name: 'p', uid: 'u1' } }, Err: null };
    fire(); // the retry tick, and the start delay
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => [s.status.phase, s.accepted]),
      [
        ['Pending', false],
        ['Pending', true],
        ['Running', true],
      ],
    );
    const patches = link.requests().filter((r) => r.startsWith('patch')).length;
    fire(); // nothing is left to retry
    await runtime.settled();
    assert.equal(link.requests().filter((r) => r.startsWith('patch')).length, patches);
  });

  it('starts a pod again after its back-off when a query it needs failed', async () => {
    const { link, runtime, statuses, fire } = setup();
    const request = link.request.bind(link);
    let failing = true;
    link.request = (message: Message) =>
      failing && message.route.resource === 'ns/configmap/need'
        ? Promise.reject(new Error('timed out'))
        : request(message);
    await runtime.onPush(push('update', pod));
    await runtime.settled();
    assert.equal(statuses.length, 0, 'no status while its volume could not be mounted');
    assert.equal(link.failures.length, 1);
    failing = false;
    fire(); // the back-off: started again
    await runtime.settled();
    fire(); // the start delay
    await runtime.settled();
    assert.deepEqual(
      statuses.map((s) => s.status.phase),
      ['Pending', 'Running'],
    );
  });

  it('ignores a pod bound to another node, as edged filterPodByNodeName does', async () => {
    const { link, runtime, statuses } = setup();
    await runtime.onPush(push('insert', { ...pod, spec: { ...pod.spec, nodeName: 'edge-2' } }));
    await runtime.settled();
    assert.deepEqual(link.requests(), []);
    assert.deepEqual(statuses, []);
  });

  it('a delete of another incarnation (other UID) leaves the running pod alone', async () => {
    const { runtime, deleted } = setup();
    await runtime.onPush(push('insert', pod));
    await runtime.settled();
    await runtime.onPush(push('delete', { ...pod, metadata: { ...pod.metadata, uid: 'u0' } }));
    assert.deepEqual(deleted, []);
    assert.equal(runtime.statuses.size, 1);
  });

  it("an orphan delete (metadata only) stops the pods whose rows left the edge's store", async () => {
    const { link, runtime, deleted } = setup();
    await runtime.onPush(push('insert', pod));
    await runtime.settled();
    link.store.set('ns/pod/p', { operation: 'insert', content: pod });
    await runtime.onPush(push('delete', { metadata: { name: 'p', namespace: 'ns', uid: 'u1' } }));
    assert.deepEqual(deleted, [], 'still in the store: kept');
    link.store.delete('ns/pod/p');
    await runtime.onPush(push('delete', { metadata: { name: 'p', namespace: 'ns', uid: 'u1' } }));
    assert.deepEqual(deleted, ['ns/pod/p']);
  });

  it('after a reconnect resends only the status the cloud has not accepted', async () => {
    const { link, runtime, fire } = setup();
    await runtime.onPush(push('insert', pod));
    await runtime.settled();
    link.connected = false;
    fire(); // Running while offline: not sent
    await runtime.settled();
    link.connected = true;
    const patches = (): number => link.requests().filter((r) => r.startsWith('patch')).length;
    const before = patches();
    await runtime.reportAll();
    assert.equal(patches(), before + 1, 'the Running status goes out once the link is back');
    await runtime.reportAll();
    assert.equal(patches(), before + 1, 'an accepted status is not sent again');
  });
});
