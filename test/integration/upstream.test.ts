/**
 * Upstream against real parts: simulated edges that joined by token send KubeEdge requests over mTLS, the
 * controller's UpstreamWorker runs them against a real kube-apiserver, and the tests assert the reply
 * shapes (spec §4.3) and what the API server then holds. Node authorization is on (the default): every
 * test that reads or writes also proves a node cannot do it for another node's objects.
 */
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { after, before, describe, it } from 'node:test';
import { newMessageId, parseNodeName } from '../../src/protocol/index.js';
import type { Message, MessageId, NodeName } from '../../src/protocol/index.js';
import type { EdgeClient } from '../../src/sim/index.js';
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
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

interface ErrStatus {
  ErrStatus: { code: number; reason: string; message: string; status?: string };
}

interface ObjectResp {
  Object: (Meta & Record<string, unknown>) | null;
  Err: ErrStatus | null;
}

function id(): MessageId {
  return newMessageId();
}

function nodeName(prefix: string): NodeName {
  seq += 1;
  const name = parseNodeName(`up-${prefix}-${String(seq)}`);
  assert.ok(name !== undefined);
  return name;
}

/** A request as the edge's metamanager sends it. */
function request(operation: string, resource: string, content: unknown): Message {
  return {
    header: { msg_id: id(), timestamp: Date.now() },
    route: { source: 'metamanager', group: 'meta', operation, resource },
    content,
  };
}

/** Reply content as an object (the codec may hand over JSON text). */
// The caller names the shape it then asserts field by field; a cast in one place reads better.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function contentOf<T>(reply: Message): T {
  const { content } = reply;
  if (typeof content === 'string') {
    try {
      return JSON.parse(content) as T;
    } catch {
      return content as T;
    }
  }
  return content as T;
}

/** Joins, connects and registers a node with `insert null/node/<n>`, as EdgeCore does on first start. */
async function registeredEdge(prefix: string): Promise<{ name: NodeName; edge: EdgeClient; reply: Message }> {
  const name = nodeName(prefix);
  const edge = await ctl.connect(await ctl.join(name));
  open.push(edge);
  const reply = await edge.request(
    request('insert', `null/node/${name}`, {
      metadata: {
        name,
        labels: {
          'node-role.kubernetes.io/edge': '',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          site: 'lab',
        },
      },
      spec: {},
      status: { nodeInfo: { kubeletVersion: 'v1.31.0-kubeedge' } },
    }),
  );
  return { name, edge, reply };
}

async function createPod(
  admin: KubeClient,
  ns: string,
  name: string,
  node: string,
  extra: Record<string, unknown> = {},
): Promise<Meta> {
  return admin.request<Meta>({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/pods`,
    body: {
      metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], ...extra },
    },
  });
}

async function getPod(admin: KubeClient, ns: string, name: string): Promise<Meta & { status?: PodStatus }> {
  return admin.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/${name}` });
}

interface PodStatus {
  phase?: string;
  message?: string;
  podIP?: string;
  conditions?: { type: string; status: string }[];
}

/** Waits until the node's edge received the pod: the location cache (authorization) has it too. */
async function podDelivered(edge: EdgeClient, ns: string, pod: string): Promise<void> {
  await eventually(() => {
    assert.ok(edge.store.has(`${ns}/pod/${pod}`), `pod ${ns}/${pod} reached the edge`);
  });
}

describe('upstream', () => {
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

  it('registers a node with insert null/node: ObjectResp, labels kept, cloudcore annotated', async () => {
    const { admin } = getCluster();
    const { name, reply } = await registeredEdge('reg');
    assert.equal(reply.route.operation, 'response');
    assert.equal(reply.route.group, 'resource');
    const content = contentOf<ObjectResp>(reply);
    assert.equal(content.Err, null);
    assert.equal(content.Object?.metadata.name, name);
    assert.equal(content.Object.kind, 'Node');
    const node = await admin.request<Meta>({ method: 'GET', path: `/api/v1/nodes/${name}` });
    const labels = node.metadata.labels ?? {};
    assert.equal(labels['node-role.kubernetes.io/edge'], '');
    assert.equal(labels['kubernetes.io/hostname'], name, 'kubernetes.io labels patched back');
    assert.equal(labels.site, 'lab');
    assert.equal(node.metadata.annotations?.cloudcore, '127.0.0.1');
  });

  it('answers a missing lease with a 404 ObjectResp, then creates and updates it; another node cannot', async () => {
    const { admin } = getCluster();
    const { name, edge } = await registeredEdge('lease');
    const { edge: other } = await registeredEdge('lease-other');
    const resource = `kube-node-lease/lease/${name}`;
    const missing = contentOf<ObjectResp>(await edge.request(request('query', resource, null)));
    assert.equal(missing.Object, null);
    assert.equal(missing.Err?.ErrStatus.code, 404);
    assert.equal(missing.Err.ErrStatus.reason, 'NotFound');
    const lease = {
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' },
    };
    const created = contentOf<ObjectResp>(await edge.request(request('insert', resource, lease)));
    assert.equal(created.Err, null);
    assert.equal(created.Object?.kind, 'Lease');
    const rv = created.Object.metadata.resourceVersion;
    const renewTime = '2026-01-01T00:00:10.000000Z';
    const updated = contentOf<ObjectResp>(
      await edge.request(
        request('update', resource, {
          ...lease,
          metadata: { ...lease.metadata, resourceVersion: rv },
          spec: { ...lease.spec, renewTime },
        }),
      ),
    );
    assert.equal(updated.Err, null);
    const stored = await admin.request<{ spec: { renewTime: string } }>({
      method: 'GET',
      path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
    });
    assert.equal(stored.spec.renewTime, renewTime);
    const stolen = contentOf<ObjectResp>(
      await other.request(request('update', resource, { ...lease, spec: { ...lease.spec, renewTime: 'x' } })),
    );
    assert.equal(stolen.Object, null);
    assert.equal(stolen.Err?.ErrStatus.code, 403);
  });

  it('applies a podpatch status from the pod’s node and refuses it from another node', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('podpatch');
    const { name, edge } = await registeredEdge('pp');
    const { edge: other } = await registeredEdge('pp-other');
    await createPod(admin, ns, 'web', name);
    await podDelivered(edge, ns, 'web');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patch = JSON.stringify({
      status: {
        phase: 'Running',
        podIP: '10.0.0.7',
        podIPs: [{ ip: '10.0.0.7' }],
        hostIP: '192.168.1.2',
        hostIPs: [{ ip: '192.168.1.2' }],
        qosClass: 'BestEffort',
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
      },
    });
    const refused = contentOf<ObjectResp>(await other.request(request('patch', `${ns}/podpatch/web`, patch)));
    assert.equal(refused.Object, null);
    assert.equal(refused.Err?.ErrStatus.code, 403);
    assert.notEqual((await getPod(admin, ns, 'web')).status?.phase, 'Running', 'nothing changed');
    const reply = await edge.request(request('patch', `${ns}/podpatch/web`, patch));
    const content = contentOf<ObjectResp>(reply);
    assert.equal(content.Err, null);
    assert.equal(content.Object?.kind, 'Pod');
    assert.equal(content.Object.metadata.name, 'web');
    const pod = await getPod(admin, ns, 'web');
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status.podIP, '10.0.0.7');
    const status = pod.status as unknown as { hostIP?: string; qosClass?: string; podIPs?: { ip: string }[] };
    assert.equal(status.hostIP, '192.168.1.2');
    assert.deepEqual(status.podIPs, [{ ip: '10.0.0.7' }]);
    assert.equal(status.qosClass, 'BestEffort');
    for (const type of ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
      assert.equal(
        pod.status.conditions?.find((c) => c.type === type)?.status,
        'True',
        `${type} as reported`,
      );
    }
    assert.equal(reply.header.resourceversion, pod.metadata.resourceVersion);
  });

  it('serves a PersistentVolume and its claim only to a node whose pod uses the claim', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('pv');
    const { name, edge } = await registeredEdge('pv');
    const { edge: other } = await registeredEdge('pv-other');
    const pv = `${ns}-vol`;
    await admin.request({
      method: 'POST',
      path: '/api/v1/persistentvolumes',
      body: {
        metadata: { name: pv },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: '/tmp/pv' },
          claimRef: { namespace: ns, name: 'data' },
        },
      },
    });
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: pv },
      },
    });
    await createPod(admin, ns, 'db', name, {
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
    });
    await podDelivered(edge, ns, 'db');
    await eventually(async () => {
      const reply = await edge.request(request('query', `null/persistentvolume/${pv}`, null));
      assert.equal((reply.content as { kind?: string }).kind, 'PersistentVolume');
    });
    const claim = await edge.request(request('query', `${ns}/persistentvolumeclaim/data`, null));
    assert.equal((claim.content as { kind?: string }).kind, 'PersistentVolumeClaim');
    const refused = await other.request(request('query', `null/persistentvolume/${pv}`, null));
    assert.equal(contentOf<ObjectResp>(refused).Err?.ErrStatus.code, 403);
  });

  it('creates a mirror pod for the node itself and refuses one for another node', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('mirror');
    const { name, edge } = await registeredEdge('mirror');
    const { name: otherName } = await registeredEdge('mirror-other');
    const mirror = (node: string, podName: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: ns,
        annotations: { 'kubernetes.io/config.mirror': 'hash', 'kubernetes.io/config.source': 'file' },
      },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const created = contentOf<ObjectResp>(
      await edge.request(request('insert', `${ns}/pod/static-${name}`, mirror(name, `static-${name}`))),
    );
    assert.equal(created.Err, null);
    assert.equal((await getPod(admin, ns, `static-${name}`)).metadata.name, `static-${name}`);
    const refused = contentOf<ObjectResp>(
      await edge.request(request('insert', `${ns}/pod/static-x`, mirror(otherName, 'static-x'))),
    );
    assert.equal(refused.Err?.ErrStatus.code, 403);
  });

  it('answers a legacy nodestatus update with OK and writes the status', async () => {
    const { admin } = getCluster();
    const { name, edge } = await registeredEdge('nodestatus');
    const node = await admin.request<Meta>({ method: 'GET', path: `/api/v1/nodes/${name}` });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const reply = await edge.request(
      request('update', `null/nodestatus/${name}`, {
        UID: node.metadata.uid,
        Status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
          capacity: { cpu: '2', memory: '4Gi', pods: '110' },
          allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        },
      }),
    );
    assert.equal(contentOf<string>(reply), 'OK');
    const updated = await admin.request<{ status: { capacity?: Record<string, string> } }>({
      method: 'GET',
      path: `/api/v1/nodes/${name}`,
    });
    assert.equal(updated.status.capacity?.['pods'], '110');
  });

  it('serves a VolumeAttachment only to the node it attaches to', async () => {
    const { admin } = getCluster();
    const { name, edge } = await registeredEdge('va');
    const { edge: other } = await registeredEdge('va-other');
    const vaName = `va-${name}`;
    await admin.request({
      method: 'POST',
      path: '/apis/storage.k8s.io/v1/volumeattachments',
      body: {
        metadata: { name: vaName },
        spec: { attacher: 'csi.example.com', nodeName: name, source: { persistentVolumeName: 'pv-x' } },
      },
    });
    const served = await edge.request(request('query', `default/volumeattachment/${vaName}`, null));
    assert.equal((served.content as { kind?: string }).kind, 'VolumeAttachment');
    const refused = await other.request(request('query', `default/volumeattachment/${vaName}`, null));
    assert.equal(contentOf<ObjectResp>(refused).Err?.ErrStatus.code, 403);
  });

  it('creates a kubelet client CSR for the node and answers its query', async () => {
    const { name, edge } = await registeredEdge('csr');
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: `CN=system:node:${name}, O=system:nodes`,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const csrName = `csr-${name}`;
    const body = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: csrName },
      spec: {
        request: Buffer.from(csr.toString('pem')).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    };
    const created = contentOf<ObjectResp>(
      await edge.request(request('insert', `default/certificatesigningrequest/${csrName}`, body)),
    );
    assert.equal(created.Err, null);
    const queried = await edge.request(
      request('query', `default/certificatesigningrequest/${csrName}`, null),
    );
    assert.equal((queried.content as { kind?: string }).kind, 'CertificateSigningRequest');
  });

  it('merges the list form of legacy podstatus, one pod after another', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('list');
    const { name, edge } = await registeredEdge('list');
    const a = await createPod(admin, ns, 'a', name);
    const b = await createPod(admin, ns, 'b', name);
    await podDelivered(edge, ns, 'a');
    await podDelivered(edge, ns, 'b');
    edge.send(
      request('update', `${ns}/podstatus`, [
        { UID: a.metadata.uid, Name: 'a', Status: { phase: 'Running', podIP: '10.2.0.1' } },
        { UID: b.metadata.uid, Name: 'b', Status: { phase: 'Running', podIP: '10.2.0.2' } },
      ]),
    );
    await eventually(async () => {
      assert.equal((await getPod(admin, ns, 'a')).status?.podIP, '10.2.0.1');
      assert.equal((await getPod(admin, ns, 'b')).status?.podIP, '10.2.0.2');
    });
  });

  it('serves a ConfigMap only to a node whose pod uses it', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('cm');
    const { name: a, edge: edgeA } = await registeredEdge('cm-a');
    const { name: b, edge: edgeB } = await registeredEdge('cm-b');
    for (const cm of ['cm-a', 'cm-b']) {
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/configmaps`,
        body: { metadata: { name: cm }, data: { key: cm } },
      });
    }
    const volume = (cm: string): Record<string, unknown> => ({
      volumes: [{ name: 'v', configMap: { name: cm } }],
    });
    await createPod(admin, ns, 'pa', a, volume('cm-a'));
    await createPod(admin, ns, 'pb', b, volume('cm-b'));
    await podDelivered(edgeA, ns, 'pa');
    await podDelivered(edgeB, ns, 'pb');
    const reply = await edgeA.request(request('query', `${ns}/configmap/cm-a`, null));
    assert.equal(reply.route.operation, 'response');
    const cm = contentOf<Meta & { data: Record<string, string> }>(reply);
    assert.equal(cm.apiVersion, 'v1');
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.data.key, 'cm-a');
    assert.equal(reply.header.resourceversion, cm.metadata.resourceVersion);
    // A failure in the ObjectResp shape, which the edge does not store as the ConfigMap.
    const refused = contentOf<ObjectResp>(
      await edgeA.request(request('query', `${ns}/configmap/cm-b`, null)),
    );
    assert.equal(refused.Object, null);
    assert.equal(refused.Err?.ErrStatus.code, 403);
    assert.equal(refused.Err.ErrStatus.reason, 'Forbidden');
  });

  it('serves a Secret only to a node whose pod uses it, and never logs its data', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('sec');
    const { name: a, edge: edgeA } = await registeredEdge('sec-a');
    const { edge: edgeB } = await registeredEdge('sec-b');
    const secretValue = `s3cr3t-${randomUUID()}`;
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/secrets`,
      body: { metadata: { name: 'creds' }, stringData: { password: secretValue } },
    });
    await createPod(admin, ns, 'pa', a, { volumes: [{ name: 'v', secret: { secretName: 'creds' } }] });
    await podDelivered(edgeA, ns, 'pa');
    const reply = await edgeA.request(request('query', `${ns}/secret/creds`, null));
    const secret = contentOf<Meta & { data: Record<string, string> }>(reply);
    assert.equal(secret.kind, 'Secret');
    assert.equal(Buffer.from(secret.data.password ?? '', 'base64').toString(), secretValue);
    const refused = contentOf<ObjectResp>(await edgeB.request(request('query', `${ns}/secret/creds`, null)));
    assert.equal(refused.Err?.ErrStatus.code, 403);
    const encoded = Buffer.from(secretValue).toString('base64');
    assert.ok(!ctl.logs.some((line) => line.includes(secretValue) || line.includes(encoded)));
  });

  it('deletes a pod of the node with DeleteOptions; another node cannot', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('del');
    const { name, edge } = await registeredEdge('del');
    const { edge: other } = await registeredEdge('del-other');
    const created = await createPod(admin, ns, 'gone', name);
    await podDelivered(edge, ns, 'gone');
    const options = { gracePeriodSeconds: 0, preconditions: { uid: created.metadata.uid } };
    const refused = contentOf<ErrStatus>(await other.request(request('delete', `${ns}/pod/gone`, options)));
    assert.equal(refused.ErrStatus.code, 403);
    assert.equal((await getPod(admin, ns, 'gone')).metadata.uid, created.metadata.uid, 'still there');
    const reply = await edge.request(request('delete', `${ns}/pod/gone`, options));
    assert.equal(reply.route.operation, 'response');
    assert.equal(contentOf<string>(reply), 'OK');
    await eventually(async () => {
      await assert.rejects(getPod(admin, ns, 'gone'), (err: { status?: number }) => err.status === 404);
    });
  });

  // Issue 11: a late podpatch reply carrying the pod re-created it at the edge after its delete, and the
  // edge's own delete of the missing pod was then answered 403, so the row stayed for good.
  it('answers a podpatch for a pod whose delete reached the node with NotFound, never the pod', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('late-patch');
    const { name, edge } = await registeredEdge('late-patch');
    const created = await createPod(admin, ns, 'web', name);
    await podDelivered(edge, ns, 'web');
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/web?gracePeriodSeconds=0` });
    await eventually(() => {
      assert.ok(!edge.store.has(`${ns}/pod/web`), 'the cloud’s delete reached the edge');
    });
    const patch = JSON.stringify({ metadata: { uid: created.metadata.uid }, status: { phase: 'Succeeded' } });
    const late = contentOf<ObjectResp>(await edge.request(request('patch', `${ns}/podpatch/web`, patch)));
    assert.equal(late.Err?.ErrStatus.code, 404);
    assert.equal(late.Err.ErrStatus.reason, 'NotFound');
    assert.ok(late.Object !== null, 'never Object: null (errata O2)');
    assert.equal((late.Object as { metadata?: { uid?: string } }).metadata?.uid, undefined, 'never the pod');
  });

  it('answers a node’s delete of its pod that is already gone with OK and pushes the delete of its row', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('gone-delete');
    const { name, edge } = await registeredEdge('gone-delete');
    const { edge: other } = await registeredEdge('gone-delete-other');
    const created = await createPod(admin, ns, 'web', name);
    const key = `${ns}/pod/web`;
    await podDelivered(edge, ns, 'web');
    const options = { gracePeriodSeconds: 0, preconditions: { uid: created.metadata.uid } };
    const refused = contentOf<ErrStatus>(await other.request(request('delete', key, options)));
    assert.equal(refused.ErrStatus.code, 403, 'another node still may not delete it');
    const row = edge.store.get(key);
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/web?gracePeriodSeconds=0` });
    await eventually(() => {
      assert.ok(!edge.store.has(key), 'the cloud’s delete reached the edge');
    });
    // The row is back, as a late reply carrying the pod put it back on a real edge.
    assert.ok(row !== undefined);
    edge.store.set(key, row);
    const since = edge.received.length;
    const reply = await edge.request(request('delete', key, options));
    assert.equal(contentOf<string>(reply), 'OK', 'as KubeEdge answers a delete of a missing pod');
    const pushed = await eventually(() => {
      const found = edge.received
        .slice(since)
        .find((m) => m.route.operation === 'delete' && m.route.resource === key);
      assert.ok(found !== undefined, 'a delete of the row is pushed');
      return found;
    });
    assert.equal((pushed.content as Meta).metadata.uid, created.metadata.uid, 'for that UID only');
    await eventually(() => {
      assert.ok(!edge.store.has(key), 'the edge removed its row');
    });
  });

  it('applies another node’s lease before one node’s flood of 1,000 pod statuses drains', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('flood');
    const { name: flooder, edge: floodEdge } = await registeredEdge('flood');
    const { name: quiet, edge: quietEdge } = await registeredEdge('quiet');
    // Five pods, so the flood runs several requests at once (one per pod at most) and a plain FIFO would
    // put the lease behind it.
    const pods = ['busy-0', 'busy-1', 'busy-2', 'busy-3', 'busy-4'];
    for (const pod of pods) await createPod(admin, ns, pod, flooder);
    for (const pod of pods) await podDelivered(floodEdge, ns, pod);
    let floodReplies = 0;
    const flood = Array.from({ length: 1000 }, (_, i) =>
      floodEdge
        .request(
          request(
            'patch',
            `${ns}/podpatch/${pods[i % pods.length] ?? ''}`,
            JSON.stringify({ status: { phase: 'Running', message: `report ${String(i)}` } }),
          ),
          60_000,
        )
        .then((reply) => {
          floodReplies += 1;
          return reply;
        }),
    );
    const lease = {
      metadata: { name: quiet, namespace: 'kube-node-lease' },
      spec: { holderIdentity: quiet, leaseDurationSeconds: 40 },
    };
    const leaseReply = contentOf<ObjectResp>(
      await quietEdge.request(request('insert', `kube-node-lease/lease/${quiet}`, lease)),
    );
    const answeredBeforeLease = floodReplies;
    assert.equal(leaseReply.Err, null);
    const replies = await Promise.all(flood);
    assert.ok(
      answeredBeforeLease < replies.length / 2,
      `the lease was answered after ${String(answeredBeforeLease)} of ${String(replies.length)} flood replies`,
    );
    assert.ok(replies.every((r) => contentOf<ObjectResp>(r).Err === null));
    // Reports on one pod are applied in the order sent: the last one wins.
    assert.equal((await getPod(admin, ns, 'busy-4')).status?.message, 'report 999');
    assert.equal((await getPod(admin, ns, 'busy-0')).status?.message, 'report 995');
  });

  it('patches and reads its own Node, records events about itself, and cannot touch another Node', async () => {
    const { admin } = getCluster();
    const { name, edge } = await registeredEdge('np');
    const { name: otherName, edge: other } = await registeredEdge('np-other');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patch = JSON.stringify({
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'EdgeReady', lastHeartbeatTime: now }],
      },
    });
    const patched = await edge.request(request('patch', `null/nodepatch/${name}`, patch));
    const resp = contentOf<ObjectResp>(patched);
    assert.equal(resp.Err, null);
    assert.equal(resp.Object?.kind, 'Node');
    type NodeStatus = Meta & { status?: { conditions?: { type: string; reason?: string }[] } };
    const node = await admin.request<NodeStatus>({ method: 'GET', path: `/api/v1/nodes/${name}` });
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'EdgeReady');
    const read = await edge.request(request('query', `null/node/${name}`, null));
    const got = contentOf<Meta>(read);
    assert.equal(got.kind, 'Node');
    assert.equal(got.metadata.name, name);
    const refused = contentOf<ObjectResp>(
      await other.request(request('patch', `null/nodepatch/${name}`, patch)),
    );
    assert.equal(refused.Err?.ErrStatus.code, 403);
    const peek = contentOf<ErrStatus>(await other.request(request('query', `null/node/${name}`, null)));
    assert.equal(peek.ErrStatus.code, 403);
    const eventName = `${name}.${String(Date.now())}`;
    const event = (about: string, eventId: string): Record<string, unknown> => ({
      metadata: { name: eventId, namespace: 'default' },
      involvedObject: { kind: 'Node', name: about, uid: about },
      reason: 'Starting',
      message: 'Starting kubelet.',
      type: 'Normal',
      source: { component: 'kubelet', host: about },
      count: 1,
    });
    edge.send(request('insert', `default/event/${eventName}`, event(name, eventName)));
    const forged = `${otherName}.${String(Date.now())}`;
    edge.send(request('insert', `default/event/${forged}`, event(otherName, forged)));
    await eventually(async () => {
      const stored = await admin.request<Meta>({
        method: 'GET',
        path: `/api/v1/namespaces/default/events/${eventName}`,
      });
      assert.equal(stored.metadata.name, eventName);
    });
    await eventually(async () => {
      assert.ok(
        (await ctl.metric('edgecontroller_upstream_rejects_total', {
          reason: 'forbid-event-not-about-node',
        })) >= 1,
      );
    });
    await assert.rejects(
      admin.request({ method: 'GET', path: `/api/v1/namespaces/default/events/${forged}` }),
      (err: { status?: number }) => err.status === 404,
      'an event about another node is not recorded',
    );
  });

  it('merges a legacy podstatus update and answers "OK"', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('legacy');
    const { name, edge } = await registeredEdge('legacy');
    const pod = await createPod(admin, ns, 'old', name);
    await podDelivered(edge, ns, 'old');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const reply = await edge.request(
      request('update', `${ns}/podstatus/old`, {
        UID: pod.metadata.uid,
        Name: 'old',
        Status: {
          phase: 'Running',
          podIP: '10.1.1.1',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        },
      }),
    );
    assert.equal(reply.route.operation, 'response');
    assert.equal(contentOf<string>(reply), 'OK');
    const stored = await getPod(admin, ns, 'old');
    assert.equal(stored.status?.phase, 'Running');
    assert.equal(stored.status.podIP, '10.1.1.1');
  });

  it('issues a ServiceAccount token bound to the node’s pod and never logs it', async () => {
    const { admin, namespace } = getCluster();
    const ns = await namespace('sat');
    const { name, edge } = await registeredEdge('sat');
    const { edge: other } = await registeredEdge('sat-other');
    const pod = await createPod(admin, ns, 'runner', name);
    await podDelivered(edge, ns, 'runner');
    const tokenRequest = {
      metadata: { name: 'default', namespace: ns },
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'runner', uid: pod.metadata.uid },
      },
    };
    const reply = await edge.request(request('query', `${ns}/serviceaccounttoken/default`, tokenRequest));
    assert.equal(reply.route.operation, 'response');
    const content = contentOf<{
      kind?: string;
      spec: typeof tokenRequest.spec;
      status?: { token?: string };
    }>(reply);
    assert.equal(content.kind, 'TokenRequest');
    const token = content.status?.token ?? '';
    assert.ok(token.length > 20, 'a token was issued');
    assert.deepEqual(content.spec, tokenRequest.spec, 'the reply echoes the request spec');
    assert.ok(!ctl.logs.some((line) => line.includes(token)), 'the token is never logged');
    const refused = contentOf<ObjectResp>(
      await other.request(request('query', `${ns}/serviceaccounttoken/default`, tokenRequest)),
    );
    assert.equal(refused.Err?.ErrStatus.code, 403);
  });
});
