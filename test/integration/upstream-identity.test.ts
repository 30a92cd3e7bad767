/**
 * Issue 12, upstream: a node, through its own legitimate session, cannot name another node's identity
 * (CSR subject, signer, usages, SANs; events of other nodes, by name or content; tokens bound to other
 * nodes' pods; mirror pods for other nodes), and one node's flood cannot refuse or delay another node's
 * lease or token requests. Simulated edges that joined by token send KubeEdge requests over mTLS to a
 * controller running against a real kube-apiserver; the assertions read the API server itself.
 */
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { after, before, describe, it } from 'node:test';
import { newMessageId, parseNodeName } from '../../src/protocol/index.js';
import type { Message, NodeName } from '../../src/protocol/index.js';
import type { EdgeClient, EdgeClientOptions } from '../../src/sim/index.js';
import type { KubeClient } from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { startTestController } from '../support/controller.js';
import type { TestController } from '../support/controller.js';
import { eventually } from '../support/eventually.js';

const getCluster = useLocalCluster();
let ctl: TestController;
const open: EdgeClient[] = [];
let seq = 0;

interface Meta {
  kind?: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string };
}
interface ErrStatus {
  ErrStatus: { code: number; reason: string; message: string };
}
interface ObjectResp {
  Object: Meta | null;
  Err: ErrStatus | null;
}

function request(operation: string, resource: string, content: unknown): Message {
  return {
    header: { msg_id: newMessageId(), timestamp: Date.now() },
    route: { source: 'metamanager', group: 'meta', operation, resource },
    content,
  };
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function contentOf<T>(reply: Message): T {
  const { content } = reply;
  return (typeof content === 'string' ? JSON.parse(content) : content) as T;
}

async function registeredEdge(
  prefix: string,
  options: Partial<EdgeClientOptions> = {},
): Promise<{ name: NodeName; edge: EdgeClient }> {
  seq += 1;
  const name = parseNodeName(`id-${prefix}-${String(seq)}`);
  assert.ok(name !== undefined);
  const edge = await ctl.connect(await ctl.join(name), options);
  open.push(edge);
  const reply = await edge.request(
    request('insert', `null/node/${name}`, {
      metadata: { name, labels: { 'node-role.kubernetes.io/edge': '' } },
      spec: {},
      status: {
        nodeInfo: { kubeletVersion: 'v1.31.0-kubeedge' },
        addresses: [{ type: 'InternalIP', address: `10.9.0.${String(seq)}` }],
      },
    }),
  );
  assert.equal(contentOf<ObjectResp>(reply).Err, null);
  return { name, edge };
}

async function createPod(admin: KubeClient, ns: string, name: string, node: string): Promise<Meta> {
  return admin.request<Meta>({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/pods`,
    body: { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } },
  });
}

async function podDelivered(edge: EdgeClient, ns: string, pod: string): Promise<void> {
  await eventually(() => {
    assert.ok(edge.store.has(`${ns}/pod/${pod}`), `pod ${ns}/${pod} reached the edge`);
  });
}

async function csrPem(subject: string, sans: x509.JsonGeneralNames = []): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: sans.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(sans)],
  });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

async function csrExists(admin: KubeClient, name: string): Promise<boolean> {
  try {
    await admin.request({
      method: 'GET',
      path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`,
    });
    return true;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}

describe('upstream identities a node cannot forge (issue 12)', () => {
  before(async () => {
    const { admin, cluster } = getCluster();
    ctl = await startTestController(admin, cluster.kubeconfigPath, {
      hub: { ackTimeoutMs: 500, maxAckTimeoutMs: 2000 },
    });
  });
  after(async () => {
    await Promise.all(open.map((e) => e.close()));
    await ctl.controller.stop();
  });

  it('refuses forged CSRs before they reach the API, and files its own', async () => {
    const { admin } = getCluster();
    const { name, edge } = await registeredEdge('csr');
    const { name: other } = await registeredEdge('csr-other');
    const client = 'kubernetes.io/kube-apiserver-client-kubelet';
    const serving = 'kubernetes.io/kubelet-serving';
    const clientUsages = ['digital signature', 'client auth'];
    const servingUsages = ['digital signature', 'server auth'];
    const own = `CN=system:node:${name}, O=system:nodes`;
    const cases: [string, string, string, string[], x509.JsonGeneralNames][] = [
      ['cn-other', client, `CN=system:node:${other}, O=system:nodes`, clientUsages, []],
      ['o-masters', client, `CN=system:node:${name}, O=system:masters`, clientUsages, []],
      ['signer', 'kubernetes.io/kube-apiserver-client', own, clientUsages, []],
      ['usages', client, own, [...clientUsages, 'server auth'], []],
      ['san-other', serving, own, servingUsages, [{ type: 'dns', value: other }]],
      ['san-foreign', serving, own, servingUsages, [{ type: 'dns', value: 'kubernetes.default.svc' }]],
      ['ip-foreign', serving, own, servingUsages, [{ type: 'ip', value: '10.200.0.1' }]],
    ];
    for (const [label, signerName, subject, usages, sans] of cases) {
      const csrName = `forged-${label}-${name}`;
      const body = {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name: csrName },
        spec: { request: await csrPem(subject, sans), signerName, usages },
      };
      const reply = contentOf<ObjectResp>(
        await edge.request(request('insert', `default/certificatesigningrequest/${csrName}`, body)),
      );
      assert.equal(reply.Object, null, label);
      assert.equal(reply.Err?.ErrStatus.code, 403, `${label}: ${JSON.stringify(reply.Err)}`);
      assert.equal(await csrExists(admin, csrName), false, `${label}: no CSR object in the API`);
    }
    // The node's own requests still go through: a client CSR and a serving CSR for its own name.
    for (const [label, signerName, usages, sans] of [
      ['client', client, clientUsages, []],
      ['serving', serving, servingUsages, [{ type: 'dns', value: name }]],
    ] as const) {
      const csrName = `own-${label}-${name}`;
      const body = {
        metadata: { name: csrName },
        spec: { request: await csrPem(own, [...sans]), signerName, usages },
      };
      const reply = contentOf<ObjectResp>(
        await edge.request(request('insert', `default/certificatesigningrequest/${csrName}`, body)),
      );
      assert.equal(reply.Err, null, `${label}: ${JSON.stringify(reply.Err)}`);
      assert.equal(await csrExists(admin, csrName), true, label);
    }
  });

  it("refuses an update or patch of another node's stored event, even named after its own pod", async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('ev');
    const { name, edge } = await registeredEdge('ev');
    const { name: other, edge: otherEdge } = await registeredEdge('ev-other');
    await createPod(admin, ns, 'mine', name);
    await createPod(admin, ns, 'theirs', other);
    await podDelivered(edge, ns, 'mine');
    await podDelivered(otherEdge, ns, 'theirs');
    // An event about node B's pod whose name starts with node A's pod name and a dot.
    const eventName = 'mine.forged';
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/events`,
      body: {
        metadata: { name: eventName },
        involvedObject: { kind: 'Pod', namespace: ns, name: 'theirs' },
        reason: 'Started',
        message: 'original',
        type: 'Normal',
      },
    });
    const forgedBody = {
      metadata: { name: eventName, namespace: ns },
      involvedObject: { kind: 'Pod', namespace: ns, name: 'mine' },
      reason: 'Started',
      message: 'rewritten',
      type: 'Normal',
    };
    const forbidden = (operation: string): Promise<number> =>
      ctl.metric('edgecontroller_upstream_requests_total', { type: 'event', operation, result: 'forbid' });
    edge.send(request('update', `${ns}/event/${eventName}`, forgedBody));
    edge.send(
      request('patch', `${ns}/event/${eventName}`, {
        event: forgedBody,
        patchData: JSON.stringify({ message: 'patched' }),
      }),
    );
    await eventually(async () => {
      assert.equal(await forbidden('update'), 1);
      assert.equal(await forbidden('patch'), 1);
    });
    const stored = await admin.request<{ message: string; involvedObject: { name: string } }>({
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/events/${eventName}`,
    });
    assert.equal(stored.message, 'original');
    assert.equal(stored.involvedObject.name, 'theirs');
    // Its own event, under any name, is still written.
    const ownName = 'any-name-at-all';
    edge.send(request('insert', `${ns}/event/${ownName}`, { ...forgedBody, metadata: { name: ownName } }));
    edge.send(
      request('update', `${ns}/event/${ownName}`, {
        ...forgedBody,
        metadata: { name: ownName },
        message: 'second',
      }),
    );
    await eventually(async () => {
      const own = await admin.request<{ message: string }>({
        method: 'GET',
        path: `/api/v1/namespaces/${ns}/events/${ownName}`,
      });
      assert.equal(own.message, 'second');
    });
  });

  it('accepts an event about its pod deleted a moment ago, and not about a pod another node lost', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('gone');
    const { name, edge } = await registeredEdge('gone');
    const { name: other, edge: otherEdge } = await registeredEdge('gone-other');
    await createPod(admin, ns, 'was-mine', name);
    await createPod(admin, ns, 'was-theirs', other);
    await podDelivered(edge, ns, 'was-mine');
    await podDelivered(otherEdge, ns, 'was-theirs');
    for (const pod of ['was-mine', 'was-theirs']) {
      await admin.request({
        method: 'DELETE',
        path: `/api/v1/namespaces/${ns}/pods/${pod}`,
        body: { gracePeriodSeconds: 0 },
      });
    }
    await eventually(() => {
      assert.ok(!edge.store.has(`${ns}/pod/was-mine`), "the pod's delete reached the edge");
    });
    const event = (pod: string) => ({
      metadata: { name: `${pod}.killing`, namespace: ns },
      involvedObject: { kind: 'Pod', namespace: ns, name: pod },
      reason: 'Killing',
      message: 'Stopping container c',
      type: 'Normal',
    });
    edge.send(request('insert', `${ns}/event/was-theirs.killing`, event('was-theirs')));
    edge.send(request('insert', `${ns}/event/was-mine.killing`, event('was-mine')));
    await eventually(async () => {
      await admin.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/events/was-mine.killing` });
    });
    await eventually(async () => {
      assert.ok(
        (await ctl.metric('edgecontroller_upstream_requests_total', {
          type: 'event',
          operation: 'insert',
          result: 'forbid',
        })) >= 1,
      );
    });
    await assert.rejects(
      admin.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/events/was-theirs.killing` }),
      (err: { status?: number }) => err.status === 404,
    );
  });

  it('refuses a token bound to a pod on another node, even for a ServiceAccount its own pods use', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('tok');
    const { name, edge } = await registeredEdge('tok');
    const { name: other, edge: otherEdge } = await registeredEdge('tok-other');
    await createPod(admin, ns, 'mine', name);
    const theirs = await createPod(admin, ns, 'theirs', other);
    await podDelivered(edge, ns, 'mine');
    await podDelivered(otherEdge, ns, 'theirs');
    const tokenRequest = {
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'theirs', uid: theirs.metadata.uid },
      },
    };
    const refused = contentOf<ObjectResp>(
      await edge.request(request('query', `${ns}/serviceaccounttoken/default`, tokenRequest)),
    );
    assert.equal(refused.Err?.ErrStatus.code, 403);
    assert.match(refused.Err.ErrStatus.message, /not bound to node/);
  });

  it('refuses a mirror pod for another node, and nothing is created', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('mir');
    const { edge } = await registeredEdge('mir');
    const { name: other } = await registeredEdge('mir-other');
    const mirror = {
      metadata: {
        name: 'static-forged',
        namespace: ns,
        annotations: { 'kubernetes.io/config.mirror': 'hash', 'kubernetes.io/config.source': 'file' },
      },
      spec: { nodeName: other, containers: [{ name: 'c', image: 'busybox' }] },
    };
    const refused = contentOf<ObjectResp>(
      await edge.request(request('insert', `${ns}/pod/static-forged`, mirror)),
    );
    assert.equal(refused.Err?.ErrStatus.code, 403);
    await assert.rejects(
      admin.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/static-forged` }),
      (err: { status?: number }) => err.status === 404,
    );
  });

  it("keeps answering node B's leases and token requests while node A floods both lanes", async (t) => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('flood');
    const { name: flooder, edge: floodEdge } = await registeredEdge('flood', { keepReceived: false });
    const { name: quiet, edge: quietEdge } = await registeredEdge('quiet');
    const pods = ['busy-0', 'busy-1', 'busy-2', 'busy-3'];
    for (const pod of pods) await createPod(admin, ns, pod, flooder);
    const runner = await createPod(admin, ns, 'runner', quiet);
    for (const pod of pods) await podDelivered(floodEdge, ns, pod);
    await podDelivered(quietEdge, ns, 'runner');
    const leaseResource = `kube-node-lease/lease/${quiet}`;
    const created = contentOf<ObjectResp>(
      await quietEdge.request(
        request('insert', leaseResource, {
          metadata: { name: quiet, namespace: 'kube-node-lease' },
          spec: { holderIdentity: quiet, leaseDurationSeconds: 40 },
        }),
      ),
    );
    assert.equal(created.Err, null);
    let resourceVersion = created.Object?.metadata.resourceVersion ?? '';

    // Node A sends status patches and event writes in both lanes, without pause, for as long as node B
    // works: its waiting requests stay at whatever the controller lets one node hold. Today's controller
    // let it take all 10,000 waiting slots of a lane, so every other node's lease was refused.
    const flooding = { isOn: true };
    let sent = 0;
    const flood = (async () => {
      while (flooding.isOn && sent < 200_000) {
        for (let i = 0; i < 250; i += 1, sent += 1) {
          floodEdge.send(
            request(
              'patch',
              `${ns}/podpatch/${pods[sent % pods.length] ?? ''}`,
              JSON.stringify({ status: { message: `report ${String(sent)}` } }),
            ),
          );
          floodEdge.send(
            request('insert', `${ns}/event/flood.${String(sent)}`, {
              involvedObject: { kind: 'Node', name: flooder },
              reason: 'Flood',
              message: String(sent),
              type: 'Normal',
            }),
          );
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const refusedOfA = (): Promise<number> =>
      ctl.metric('edgecontroller_upstream_requests_total', { result: 'queue-full' });
    // Node B starts once node A is being refused: A holds all the controller lets it hold.
    await eventually(async () => {
      assert.ok((await refusedOfA()) > 0, `node A has sent ${String(sent)} requests`);
    });
    const tokenRequest = {
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'runner', uid: runner.metadata.uid },
      },
    };
    const latenciesMs: number[] = [];
    try {
      for (let i = 0; i < 5; i += 1) {
        let started = performance.now();
        const renewed = await quietEdge.request(
          request('update', leaseResource, {
            metadata: { name: quiet, namespace: 'kube-node-lease', resourceVersion },
            spec: {
              holderIdentity: quiet,
              leaseDurationSeconds: 40,
              renewTime: new Date().toISOString().replace('Z', '000Z'),
            },
          }),
          20_000,
        );
        latenciesMs.push(performance.now() - started);
        assert.equal(renewed.route.operation, 'response', `lease renewal ${String(i)} was not refused`);
        const lease = contentOf<ObjectResp>(renewed);
        assert.equal(lease.Err, null, `lease renewal ${String(i)}: ${JSON.stringify(lease.Err)}`);
        resourceVersion = lease.Object?.metadata.resourceVersion ?? '';
        started = performance.now();
        const token = await quietEdge.request(
          request('query', `${ns}/serviceaccounttoken/default`, tokenRequest),
          20_000,
        );
        latenciesMs.push(performance.now() - started);
        assert.equal(token.route.operation, 'response', `token ${String(i)} was not refused`);
        assert.equal(contentOf<{ kind?: string }>(token).kind, 'TokenRequest', `token ${String(i)}`);
      }
    } finally {
      flooding.isOn = false;
      await flood;
    }
    t.diagnostic(
      `node A sent ${String(sent * 2)} requests; node B's 10 requests took at most ${String(Math.round(Math.max(...latenciesMs)))} ms`,
    );
    await ctl.controller.upstream.whenIdle();
  });
});
