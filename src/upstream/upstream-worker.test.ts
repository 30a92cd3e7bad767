import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpFailure, toApiError } from '../kube/index.js';
import type { RawRequest } from '../kube/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import { resolveUpstreamOptions } from './options.js';
import { nodeA, requestOf, twoNodeGraph } from './test-support.js';
import { UpstreamWorker } from './upstream-worker.js';
import type { UpstreamOutcome, UpstreamWorkerOptions } from './upstream-worker.js';
import { capturedLogger } from '../../test/support/captured-logger.js';

type Respond = (req: RawRequest) => Promise<unknown>;

let ids = 0;

function harness(respond: Respond, overrides: Partial<UpstreamWorkerOptions> = {}) {
  const calls: RawRequest[] = [];
  const sent: { node: NodeName; message: Message }[] = [];
  const outcomes: UpstreamOutcome[] = [];
  const { logger, lines: logs } = capturedLogger();
  const worker = new UpstreamWorker({
    api: {
      request: async <T>(req: RawRequest): Promise<T> => {
        calls.push(req);
        return (await respond(req)) as T;
      },
    },
    hub: { enqueue: (node, message) => sent.push({ node, message }) },
    context: { graph: twoNodeGraph, options: resolveUpstreamOptions({ cloudcoreAddress: '10.0.0.1' }) },
    logger,
    newId: () => `out-${String((ids += 1))}` as MessageId,
    retryBaseDelayMs: 0,
    onOutcome: (o) => outcomes.push(o),
    ...overrides,
  });
  const send = (resource: string, operation: string, content: unknown, node = nodeA): Message => {
    const message: Message = {
      header: { msg_id: `in-${String((ids += 1))}` as MessageId, timestamp: 0 },
      route: { source: 'edged', group: 'meta', operation, resource },
      content,
    };
    worker.handle(node, message, requestOf(resource, operation));
    return message;
  };
  return { worker, calls, sent, outcomes, logs, send };
}

const configMap = {
  metadata: { name: 'a-cm', namespace: 'default', resourceVersion: '7' },
  data: { k: 'v' },
};
const unavailable = (): Error => toApiError(httpFailure(503, 'down'), { verb: 'GET', resource: '/x' });

describe('UpstreamWorker', () => {
  it('answers a cached read from the store without an API call', async () => {
    const h = harness(() => Promise.reject(new Error('no API call expected')), {
      stores: { configmaps: (t) => (t.name === 'a-cm' ? configMap : undefined) },
    });
    const request = h.send('default/configmap/a-cm', 'query', null);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 0);
    assert.equal(h.sent.length, 1);
    const reply = h.sent[0]?.message;
    assert.equal(reply?.header.parent_msg_id, request.header.msg_id);
    assert.equal(reply.header.resourceversion, '7');
    assert.equal((reply.content as { kind?: string }).kind, 'ConfigMap');
    assert.deepEqual(
      h.outcomes.map((o) => [o.result, o.lane]),
      [['ok', 'general']],
    );
  });

  it('falls back to the API on a store miss', async () => {
    const h = harness(() => Promise.resolve(configMap), { stores: { configmaps: () => undefined } });
    h.send('default/configmap/a-cm', 'query', null);
    await h.worker.whenIdle();
    assert.deepEqual(
      h.calls.map((c) => [c.method, c.path]),
      [['GET', '/api/v1/namespaces/default/configmaps/a-cm']],
    );
    assert.equal(h.outcomes[0]?.result, 'ok');
  });

  it('retries a 503 and then succeeds', async () => {
    let failures = 2;
    const h = harness(() => (failures-- > 0 ? Promise.reject(unavailable()) : Promise.resolve(configMap)));
    h.send('default/configmap/a-cm', 'query', null);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 3);
    assert.equal(h.outcomes[0]?.result, 'ok');
  });

  it('hands the failure to the decision after the last retry: a 503 in the reply Err', async () => {
    const h = harness(() => Promise.reject(unavailable()), { retries: 1 });
    h.send('default/configmap/a-cm', 'query', null);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 2);
    const content = h.sent[0]?.message.content as { Err?: { ErrStatus?: { code?: number } } };
    assert.equal(content.Err?.ErrStatus?.code, 503);
    assert.equal(h.outcomes[0]?.result, 'api-error');
  });

  it('impersonates the node only when enabled', async () => {
    const off = harness(() => Promise.resolve(configMap));
    off.send('default/configmap/a-cm', 'query', null);
    await off.worker.whenIdle();
    assert.equal(off.calls[0]?.headers, undefined);
    const on = harness(() => Promise.resolve(configMap), { impersonateNodes: true });
    on.send('default/configmap/a-cm', 'query', null);
    await on.worker.whenIdle();
    assert.deepEqual(on.calls[0]?.headers, {
      'Impersonate-User': `system:node:${nodeA}`,
      'Impersonate-Group': 'system:nodes',
    });
  });

  it('answers a forbidden read with a 403 and makes no call', async () => {
    const h = harness(() => Promise.resolve(configMap));
    h.send('default/configmap/b-cm', 'query', null);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 0);
    const content = h.sent[0]?.message.content as { Err?: { ErrStatus?: { code?: number } } };
    assert.equal(content.Err?.ErrStatus?.code, 403);
    assert.deepEqual(
      h.outcomes.map((o) => [o.result, o.reason]),
      [['forbid', 'object-not-referenced']],
    );
  });

  it('answers a full lane with an error reply, runs what it took, and refuses after stop', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(() => gate.then(() => configMap), {
      maxInFlight: 2,
      reservedStatusSlots: 1,
      maxPendingPerLane: 1,
    });
    h.send('default/configmap/a-cm', 'query', null); // in flight
    h.send('default/secret/a-secret', 'query', null); // waits
    const refused = h.send('default/persistentvolumeclaim/a-pvc', 'query', null); // lane full
    assert.equal(h.sent.length, 1);
    assert.equal(h.sent[0]?.message.route.operation, 'error');
    assert.equal(h.sent[0].message.header.parent_msg_id, refused.header.msg_id);
    const stopped = h.worker.stop();
    const late = h.send('default/configmap/a-cm', 'query', null);
    assert.equal(h.sent.at(-1)?.message.header.parent_msg_id, late.header.msg_id);
    release();
    await stopped;
    assert.equal(h.calls.length, 2, 'both taken requests ran');
    assert.deepEqual(h.outcomes.map((o) => o.result).sort(), ['ok', 'ok', 'queue-full', 'stopped']);
  });

  it('never throws from handle, and rejects invalid options with EC_CONFIG_INVALID', () => {
    assert.throws(
      () => harness(() => Promise.resolve(null), { maxInFlight: 2, reservedStatusSlots: 2 }),
      (err: { code?: string }) => err.code === 'EC_CONFIG_INVALID',
    );
    const h = harness(() => Promise.resolve(null), {
      hub: {
        enqueue: () => {
          throw new Error('hub gone');
        },
      },
      maxPendingPerLane: 1,
      maxInFlight: 1,
      reservedStatusSlots: 0,
    });
    h.send('default/configmap/a-cm', 'query', null);
    h.send('default/configmap/a-cm', 'query', null);
    assert.doesNotThrow(() => h.send('default/configmap/a-cm', 'query', null));
  });
});

describe('UpstreamWorker status coalescing', () => {
  it('writes only the newest of the lease updates waiting behind one in flight, and answers each', async () => {
    let release: (() => void) | undefined;
    const h = harness((req) => {
      const lease = typeof req.body === 'string' ? (JSON.parse(req.body) as unknown) : req.body;
      if (release === undefined) {
        return new Promise((resolve) => {
          release = () => {
            resolve(lease);
          };
        });
      }
      return Promise.resolve(lease);
    });
    const lease = (renewTime: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeA, namespace: 'kube-node-lease', resourceVersion: '5' },
      spec: { holderIdentity: nodeA, leaseDurationSeconds: 40, renewTime },
    });
    const resource = `kube-node-lease/lease/${nodeA}`;
    const first = h.send(resource, 'update', lease('2026-01-01T00:00:01.000000Z'));
    const second = h.send(resource, 'update', lease('2026-01-01T00:00:02.000000Z'));
    const third = h.send(resource, 'update', lease('2026-01-01T00:00:03.000000Z'));
    while (release === undefined) await new Promise((r) => setImmediate(r));
    release();
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 2, 'the second update was replaced by the third before it ran');
    const written = h.calls.map((c) => JSON.stringify(c.body));
    assert.ok(written[1]?.includes('00:00:03'), 'the newest update is the one written');
    const answered = h.sent.map((s) => s.message.header.parent_msg_id).sort();
    assert.deepEqual(
      answered,
      [first, second, third].map((m) => m.header.msg_id).sort(),
      'every request got a reply',
    );
    assert.deepEqual(h.outcomes.map((o) => o.result).sort(), ['coalesced', 'ok', 'ok']);
  });
});

describe('UpstreamWorker repeats and late reads (issue 15)', () => {
  const gated = () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return {
      gate,
      release: () => {
        release();
      },
    };
  };
  const edgeNode = { metadata: { name: nodeA, labels: { zone: 'a' } }, status: {} };

  it('creates the Node once for the registrations repeated while one waits, and answers each', async () => {
    const { gate, release } = gated();
    const h = harness((req) => gate.then(() => ({ ...(req.body as object), metadata: { name: nodeA } })));
    const resource = `null/node/${nodeA}`;
    const sent = [1, 2, 3, 4].map(() => h.send(resource, 'insert', edgeNode));
    release();
    await h.worker.whenIdle();
    const creates = h.calls.filter((c) => c.method === 'POST');
    assert.equal(creates.length, 2, 'the first ran at once; the three repeats behind it made one create');
    for (const m of sent) {
      const answer = h.sent.find((s) => s.message.header.parent_msg_id === m.header.msg_id);
      assert.ok(answer, `registration ${m.header.msg_id} answered`);
      assert.equal(answer.message.route.operation, 'response');
    }
    assert.deepEqual(h.outcomes.map((o) => o.result).sort(), ['coalesced', 'coalesced', 'ok', 'ok']);
  });

  it('gives up a query that waited past the reply deadline, unanswered, but still runs a late write', async () => {
    let clock = 1_000_000;
    const { gate, release } = gated();
    const h = harness(() => gate.then(() => configMap), {
      now: () => clock,
      maxInFlight: 2,
      reservedStatusSlots: 1, // one general slot: the secret query holds it
      replyDeadlineMs: 60_000,
    });
    h.send('default/secret/a-secret', 'query', null);
    const late = h.send('default/configmap/a-cm', 'query', null);
    const lateRepeat = h.send('default/configmap/a-cm', 'query', null);
    const registration = h.send(`null/node/${nodeA}`, 'insert', edgeNode);
    clock += 60_001;
    release();
    await h.worker.whenIdle();
    assert.ok(!h.calls.some((c) => c.path.includes('/configmaps/')), 'the late query made no API call');
    for (const m of [late, lateRepeat]) {
      assert.ok(
        !h.sent.some((s) => s.message.header.parent_msg_id === m.header.msg_id),
        'the edge gave up on it: no reply',
      );
    }
    assert.ok(
      h.sent.some((s) => s.message.header.parent_msg_id === registration.header.msg_id),
      'the late registration ran and was answered',
    );
    const results = h.outcomes.filter((o) => o.resourceType === 'configmap').map((o) => o.result);
    assert.deepEqual(results, ['expired', 'expired']);
  });

  it('runs a query that waited just under the deadline', async () => {
    let clock = 1_000_000;
    const { gate, release } = gated();
    const h = harness(() => gate.then(() => configMap), {
      now: () => clock,
      maxInFlight: 2,
      reservedStatusSlots: 1,
    });
    h.send('default/secret/a-secret', 'query', null);
    const query = h.send('default/configmap/a-cm', 'query', null);
    clock += 59_999;
    release();
    await h.worker.whenIdle();
    assert.ok(h.sent.some((s) => s.message.header.parent_msg_id === query.header.msg_id));
  });
});

describe('UpstreamWorker fair admission (issue 12)', () => {
  const nodeB = 'edge-b' as NodeName;
  const lease = {
    metadata: { name: nodeA, namespace: 'kube-node-lease', resourceVersion: '5' },
    spec: { holderIdentity: nodeA, leaseDurationSeconds: 40 },
  };
  const token = { spec: { audiences: ['x'], boundObjectRef: { kind: 'Pod', name: 'a-pod' } } };

  it("admits and answers node A's lease, pod status and token while node B's flood fills the lanes", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(
      (req) => gate.then(() => (req.path.endsWith('/token') ? { status: { token: 't' } } : {})),
      {
        maxInFlight: 2,
        reservedStatusSlots: 1,
        maxPendingPerLane: 10,
        maxPendingPerNode: 50,
      },
    );
    for (let i = 0; i < 100; i += 1) {
      h.send('default/podpatch/b-pod', 'patch', JSON.stringify({ status: { message: String(i) } }), nodeB);
      // Distinct names: repeats of one query would be coalesced into one waiting request.
      h.send(`default/configmap/b-cm-${String(i)}`, 'query', null, nodeB);
    }
    const mine = [
      h.send(`kube-node-lease/lease/${nodeA}`, 'update', lease),
      h.send('default/podpatch/a-pod', 'patch', JSON.stringify({ status: { message: 'a' } })),
      h.send('default/serviceaccounttoken/a-sa', 'query', token),
    ].map((m) => m.header.msg_id);
    const refusedEarly = h.sent.filter((s) =>
      mine.includes(s.message.header.parent_msg_id ?? ('' as MessageId)),
    );
    assert.deepEqual(refusedEarly, [], "none of node A's requests was refused");
    release();
    await h.worker.whenIdle();
    const answers = h.sent.filter((s) => mine.includes(s.message.header.parent_msg_id ?? ('' as MessageId)));
    assert.equal(answers.length, 3);
    assert.ok(
      answers.every((s) => s.message.route.operation === 'response'),
      'answered, not refused',
    );
    const refusedB = h.outcomes.filter((o) => o.node === nodeB && o.result === 'queue-full').length;
    assert.ok(refusedB > 150, `node B's flood was refused (${String(refusedB)})`);
    assert.ok(h.outcomes.every((o) => o.node === nodeB || o.result === 'ok'));
  });

  it("coalesces a node's own lease queries while one waits, and answers each", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(() => gate.then(() => lease), { maxInFlight: 2, reservedStatusSlots: 1 });
    const resource = `kube-node-lease/lease/${nodeA}`;
    h.send(resource, 'update', lease); // in flight
    const waiting = [1, 2, 3].map(() => h.send(resource, 'query', null));
    release();
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 2, 'one update, one query for the three that waited');
    for (const m of waiting) {
      assert.ok(h.sent.some((s) => s.message.header.parent_msg_id === m.header.msg_id));
    }
  });

  it('logs one warning per node and reason per interval for a flood of forbidden requests; all counted', async () => {
    const h = harness(() => Promise.resolve(configMap));
    for (let i = 0; i < 100; i += 1) h.send('default/configmap/b-cm', 'query', null);
    await h.worker.whenIdle();
    const warnings = h.logs.filter((l) => l.includes('Upstream request was forbidden'));
    assert.equal(warnings.length, 1);
    assert.equal(h.outcomes.filter((o) => o.result === 'forbid').length, 100);
  });

  it('answers a legacy podstatus list of 256 pods in full (more than 100 API calls in one request)', async () => {
    const pod = (name: string) => ({
      metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' },
      spec: { nodeName: nodeA },
      status: { phase: 'Pending' },
    });
    const h = harness((req) => Promise.resolve(pod(req.path.split('/')[6] ?? '')));
    const list = Array.from({ length: 256 }, (_, i) => ({
      UID: `u-p${String(i)}`,
      Name: `p${String(i)}`,
      Status: { phase: 'Running' },
    }));
    h.send('default/podstatus', 'update', list);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 512, 'a read and a status write per pod');
    assert.equal(h.sent.filter((s) => s.message.content === 'OK').length, 256);
    assert.ok(!h.outcomes.some((o) => o.result === 'internal-error'));
  });
});

describe('UpstreamWorker memory budget (issue 12 item 1)', () => {
  it('reserves each request’s bytes while it waits and runs, releases them once answered, and drops a request the budget refuses', async () => {
    const held = new Map<NodeName, number>();
    let refuseNext = false;
    const memory = {
      reserve: (node: NodeName, bytes: number) => {
        if (refuseNext) return undefined;
        held.set(node, (held.get(node) ?? 0) + bytes);
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            held.set(node, (held.get(node) ?? 0) - bytes);
          },
        };
      },
    };
    const h = harness(() => Promise.resolve(configMap), { memory });
    h.send('default/configmap/a-cm', 'query', null);
    assert.ok((held.get(nodeA) ?? 0) > 0, 'held while it waits');
    await h.worker.whenIdle();
    assert.equal(held.get(nodeA), 0, 'released once answered');
    refuseNext = true;
    const sentBefore = h.sent.length;
    h.send('default/configmap/a-cm', 'query', null);
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 1, 'no API call for the dropped request');
    assert.equal(h.sent.length, sentBefore, 'no reply: the hub disconnected the node');
    assert.deepEqual(h.outcomes.at(-1)?.reason, 'over-budget');
  });
});

describe('UpstreamWorker.dropWaiting', () => {
  it("drops a disconnected node's waiting requests unanswered and lets the running one finish", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(() => gate.then(() => configMap), { maxInFlight: 2, reservedStatusSlots: 1 });
    h.send('default/configmap/a-cm', 'query', null); // runs
    h.send('default/configmap/a-cm', 'query', null); // waits (same key)
    h.send('default/configmap/a-cm', 'query', null); // waits
    h.worker.dropWaiting(nodeA);
    assert.equal(h.worker.depth.general, 0);
    release();
    await h.worker.whenIdle();
    assert.equal(h.calls.length, 1);
    assert.equal(h.sent.length, 1, 'only the running request was answered');
    assert.deepEqual(h.outcomes.map((o) => o.result).sort(), ['ok', 'stopped', 'stopped']);
  });
});
