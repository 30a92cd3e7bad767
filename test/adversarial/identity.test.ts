/**
 * Issue 12, rows 3, 5 and 10: identities that cannot be forged. An attacker holding one joined edge
 * sends, through its own session, a CSR naming another node (the probe got it filed under the
 * controller's identity, auto-approved, and then read the other node's Secret from the API server),
 * rewrites events about another node's pod or Node (the name-prefix trick), and tries 39 other reads and
 * writes of another node's objects. Everything must be refused before it reaches the API.
 */
import assert from 'node:assert/strict';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { csrCommonName, makeCsr, objectRespOf, replyStatus, request } from '../support/raw-edge/index.js';
import type { WireMessage } from '../support/raw-edge/index.js';
import { buildScene } from './lib/victims.js';
import type { Scene } from './lib/victims.js';
import { assertAlive, useTarget } from './lib/target.js';

const getCluster = useLocalCluster();
let getTarget: ReturnType<typeof useTarget>;
let scene: Scene;

interface Csr {
  metadata: { name: string };
  spec: { request: string; signerName: string };
  status?: { certificate?: string; conditions?: { type: string }[] };
}

function csrBody(
  name: string,
  csrPem: string,
  signerName: string,
  usages: string[],
): Record<string, unknown> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages },
  };
}

/** A kubelet-serving CSR for `node` whose SANs name `dns`. */
async function servingCsr(node: string, dns: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=system:node:${node}, O=system:nodes`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dns }])],
  });
  return csr.toString('pem');
}

/** Sum of the controller's upstream request outcomes for a resource type (any result). */
async function handled(type: string): Promise<number> {
  return getTarget().controller.metric('edgecontroller_upstream_requests_total', { type });
}

/** Sends fire-and-forget requests and waits until the controller handled each of them. */
async function sendAndWait(type: string, frames: WireMessage[]): Promise<void> {
  const before = await handled(type);
  for (const frame of frames) await scene.attacker.send(frame);
  await eventually(async () => {
    assert.ok((await handled(type)) >= before + frames.length, `${type} requests handled`);
  });
}

describe('identities that cannot be forged', () => {
  getTarget = useTarget(getCluster);
  before(async () => {
    scene = await buildScene(getTarget());
  });
  after(async () => {
    await scene.victim.stop();
    await scene.attacker.close();
  });

  it('refuses a CSR for another node sent through its own session, never files or approves it, and the victim’s Secret stays out of reach', async () => {
    const { attacker, victim, ns } = scene;
    const { cluster } = getTarget();
    const stamp = String(Date.now());
    const other = await makeCsr(`CN=system:node:${victim.name}, O=system:nodes`);
    const masters = await makeCsr(`CN=system:node:${attacker.nodeName}, O=system:masters`);
    const own = await makeCsr(`CN=system:node:${attacker.nodeName}, O=system:nodes`);
    const kubeletClient = 'kubernetes.io/kube-apiserver-client-kubelet';
    const clientUsages = ['digital signature', 'client auth'];
    const forgeries = [
      {
        why: 'CN of another node',
        body: csrBody(`forged-other-${stamp}`, other.csrPem, kubeletClient, clientUsages),
      },
      {
        why: 'O=system:masters',
        body: csrBody(`forged-masters-${stamp}`, masters.csrPem, kubeletClient, clientUsages),
      },
      {
        why: 'a non-kubelet signer',
        body: csrBody(
          `forged-signer-${stamp}`,
          own.csrPem,
          'kubernetes.io/kube-apiserver-client',
          clientUsages,
        ),
      },
      {
        why: 'server auth on a client signer',
        body: csrBody(`forged-usage-${stamp}`, own.csrPem, kubeletClient, [...clientUsages, 'server auth']),
      },
      {
        why: 'a kubelet-serving SAN that is not the node',
        body: csrBody(
          `forged-san-${stamp}`,
          await servingCsr(attacker.nodeName, 'kubernetes.default.svc'),
          'kubernetes.io/kubelet-serving',
          ['digital signature', 'server auth'],
        ),
      },
      {
        why: 'a kubelet-serving CSR for another node',
        body: csrBody(
          `forged-serving-${stamp}`,
          await servingCsr(victim.name, victim.name),
          'kubernetes.io/kubelet-serving',
          ['digital signature', 'server auth'],
        ),
      },
    ];
    const answers = new Map<string, number>();
    for (const forgery of forgeries) {
      const name = (forgery.body['metadata'] as { name: string }).name;
      const reply = await attacker.request(
        request('insert', `default/certificatesigningrequest/${name}`, forgery.body),
      );
      answers.set(forgery.why, replyStatus(reply));
    }
    // The attack chain of the probe: wait for the forged CSR to be signed, read it back through the
    // session, and use it against the API server as the victim.
    const forgedName = `forged-other-${stamp}`;
    let victimSecretStatus: number | undefined;
    const exists = await cluster.admin
      .request<Csr>({
        method: 'GET',
        path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${forgedName}`,
      })
      .then(
        () => true,
        () => false,
      );
    if (exists) {
      const certificate = await eventually(
        async () => {
          const read = await attacker.request(
            request('query', `default/certificatesigningrequest/${forgedName}`),
          );
          const cert = (read.content as Csr | null)?.status?.certificate;
          if (cert === undefined) throw new Error('not signed yet');
          return cert;
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      ).catch(() => undefined);
      if (certificate !== undefined) {
        const cluster0 = cluster.admin.kubeConfig.getCurrentCluster();
        assert.ok(cluster0 !== null);
        const kc = new KubeConfig();
        kc.loadFromClusterAndUser(cluster0, {
          name: 'stolen',
          certData: certificate,
          keyData: Buffer.from(other.keyPem).toString('base64'),
        });
        victimSecretStatus = await new KubeClient(kc)
          .request({ method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/victim-secret` })
          .then(
            () => 200,
            (err: unknown) => (err as { status?: number }).status ?? 0,
          );
      }
    }
    // The legitimate CSR still works (the refusals are not a broken path).
    const legit = await attacker.request(
      request(
        'insert',
        `default/certificatesigningrequest/own-${stamp}`,
        csrBody(`own-${stamp}`, own.csrPem, kubeletClient, clientUsages),
      ),
    );

    const refusedNot = [...answers].filter(([, status]) => status === 200).map(([why]) => why);
    assert.deepEqual(
      refusedNot,
      [],
      `forged CSRs answered OK: ${refusedNot.join('; ')}; the victim’s Secret read with the forged certificate: ${String(victimSecretStatus)}`,
    );
    const all = await cluster.admin.request<{ items: Csr[] }>({
      method: 'GET',
      path: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    });
    const filed = all.items.filter(
      (csr) =>
        csrCommonName(Buffer.from(csr.spec.request, 'base64').toString()) === `system:node:${victim.name}`,
    );
    assert.deepEqual(
      filed.map((c) => c.metadata.name),
      [],
      'no CSR with the victim’s CN is in the API',
    );
    const forgedFiled = all.items.filter(
      (csr) => csr.metadata.name.startsWith('forged-') && csr.metadata.name.endsWith(stamp),
    );
    assert.deepEqual(
      forgedFiled.map((c) => c.metadata.name),
      [],
      'no forged CSR is in the API',
    );
    assert.ok(
      victimSecretStatus === undefined || victimSecretStatus === 403,
      `the attacker read the victim’s Secret with a forged certificate (${String(victimSecretStatus)})`,
    );
    assert.equal(objectRespOf(legit)?.Err, null, 'the node’s own kubelet client CSR is accepted');
    assertAlive(getTarget().controller);
  });

  it('refuses event edits of another node’s pod or Node, whatever the event’s name', async () => {
    const { attacker, victim, ns, ownPod, victimPod } = scene;
    const { admin } = getTarget().cluster;
    const event = (namespace: string, name: string, about: Record<string, unknown>, message: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: about,
      reason: 'Probe',
      message,
      type: 'Normal',
      source: { component: 'kubelet', host: attacker.nodeName },
      count: 1,
    });
    const victimPodRef = {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: ns,
      name: victimPod.name,
      uid: victimPod.uid,
    };
    const victimNodeRef = { kind: 'Node', name: victim.name, uid: victim.name };
    const ownPodRef = { kind: 'Pod', apiVersion: 'v1', namespace: ns, name: ownPod.name, uid: ownPod.uid };
    // Events about the victim whose names start with the attacker's own object names plus '.'.
    const podEvent = event(ns, `${ownPod.name}.prefix-trick`, victimPodRef, 'original');
    const nodeEvent = event('default', `${attacker.nodeName}.prefix-trick`, victimNodeRef, 'original');
    for (const e of [podEvent, nodeEvent]) {
      await admin.request({
        method: 'POST',
        path: `/api/v1/namespaces/${e.metadata.namespace}/events`,
        body: e,
      });
    }
    const rewritten = (e: typeof podEvent, about = e.involvedObject) => ({
      ...e,
      involvedObject: about,
      message: 'rewritten',
      count: 99,
    });
    const patch = (e: typeof podEvent) => ({ event: e, patchData: JSON.stringify({ message: 'patched' }) });
    const resource = (e: typeof podEvent) => `${e.metadata.namespace}/event/${e.metadata.name}`;
    // A control: its own event, created and then updated, must go through.
    const ownEvent = event(ns, `${ownPod.name}.own`, ownPodRef, 'own original');
    await sendAndWait('event', [request('insert', resource(ownEvent), ownEvent)]);
    await sendAndWait('event', [
      request('update', resource(podEvent), rewritten(podEvent)),
      request('update', resource(podEvent), rewritten(podEvent, ownPodRef)), // lies about what it is about
      request('patch', resource(podEvent), patch(podEvent)),
      request('update', resource(nodeEvent), rewritten(nodeEvent)),
      request(
        'update',
        resource(nodeEvent),
        rewritten(nodeEvent, { kind: 'Node', name: attacker.nodeName, uid: attacker.nodeName }),
      ),
      request('patch', resource(nodeEvent), patch(nodeEvent)),
      request(
        'insert',
        `${ns}/event/${ownPod.name}.new-about-victim`,
        event(ns, `${ownPod.name}.new-about-victim`, victimPodRef, 'forged'),
      ),
      request(
        'insert',
        `default/event/${attacker.nodeName}.new-about-node`,
        event('default', `${attacker.nodeName}.new-about-node`, victimNodeRef, 'forged'),
      ),
      request('update', resource(ownEvent), { ...ownEvent, message: 'own updated', count: 2 }),
    ]);
    const read = (namespace: string, name: string) =>
      admin.request<{ message: string; involvedObject: { name: string } }>({
        method: 'GET',
        path: `/api/v1/namespaces/${namespace}/events/${name}`,
      });
    const afterPod = await read(ns, podEvent.metadata.name);
    const afterNode = await read('default', nodeEvent.metadata.name);
    assert.equal(afterPod.message, 'original', 'the event about the victim’s pod was not rewritten');
    assert.equal(afterPod.involvedObject.name, victimPod.name);
    assert.equal(afterNode.message, 'original', 'the event about the victim’s Node was not rewritten');
    assert.equal(afterNode.involvedObject.name, victim.name);
    for (const [namespace, name] of [
      [ns, `${ownPod.name}.new-about-victim`],
      ['default', `${attacker.nodeName}.new-about-node`],
    ] as const) {
      await assert.rejects(
        read(namespace, name),
        (err: { status?: number }) => err.status === 404,
        `event ${name} about the victim was not created`,
      );
    }
    await eventually(async () => {
      assert.equal(
        (await read(ns, ownEvent.metadata.name)).message,
        'own updated',
        'the node’s own event update went through',
      );
    });
  });

  it('refuses every cross-node read and write (39 attempts)', async () => {
    const { attacker, victim, ns, ownPod, victimPod } = scene;
    const { admin } = getTarget().cluster;
    const v = victim.name;
    const tokenRequest = (boundName: string, uid: string | undefined) => ({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'default', namespace: ns },
      spec: {
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        ...(uid !== undefined || boundName !== ''
          ? {
              boundObjectRef: {
                kind: 'Pod',
                apiVersion: 'v1',
                name: boundName,
                ...(uid !== undefined ? { uid } : {}),
              },
            }
          : {}),
      },
    });
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: v, namespace: 'kube-node-lease' },
      spec: { holderIdentity: attacker.nodeName, leaseDurationSeconds: 40 },
    };
    await admin.request({
      method: 'POST',
      path: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
      body: csrBody(
        `victim-csr-${v}`,
        (await makeCsr(`CN=system:node:${v}, O=system:nodes`)).csrPem,
        'kubernetes.io/kube-apiserver-client-kubelet',
        ['digital signature', 'client auth'],
      ),
    });
    const mirror = (node: string, name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, annotations: { 'kubernetes.io/config.mirror': 'x' } },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const statusPatch = JSON.stringify({ status: { phase: 'Failed', message: 'hijacked' } });
    const answered: [string, WireMessage][] = [
      ['configmap of the victim', request('query', `${ns}/configmap/victim-cm`)],
      ['secret of the victim', request('query', `${ns}/secret/victim-secret`)],
      ['secret via a dot-dot path', request('query', `${ns}/secret/../victim-secret`)],
      [
        'secret via a metaserver source',
        {
          ...request('query', `${ns}/secret/victim-secret`),
          route: {
            source: 'metaserver',
            group: 'dynamiccontroller',
            operation: 'query',
            resource: `${ns}/secret/victim-secret`,
          },
        },
      ],
      ['kubeedge CA secret', request('query', 'kubeedge/secret/casecret')],
      ['kubeedge token secret', request('query', 'kubeedge/secret/tokensecret')],
      ['kubeedge server secret', request('query', 'kubeedge/secret/cloudcoresecret')],
      [
        'a kube-system configmap',
        request('query', 'kube-system/configmap/extension-apiserver-authentication'),
      ],
      ['the victim pod (query)', request('query', `${ns}/pod/${victimPod.name}`)],
      ['the victim Node (query)', request('query', `null/node/${v}`)],
      ['the victim lease (query)', request('query', `kube-node-lease/lease/${v}`)],
      ['the victim lease (insert)', request('insert', `kube-node-lease/lease/${v}`, lease)],
      ['the victim lease (update)', request('update', `kube-node-lease/lease/${v}`, lease)],
      [
        'own lease resource naming the victim in the body',
        request('update', `kube-node-lease/lease/${attacker.nodeName}`, lease),
      ],
      [
        'a lease in another namespace',
        request('insert', `default/lease/${attacker.nodeName}`, {
          ...lease,
          metadata: { name: attacker.nodeName, namespace: 'default' },
        }),
      ],
      [
        'the victim node status (nodepatch)',
        request(
          'patch',
          `null/nodepatch/${v}`,
          JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }),
        ),
      ],
      ['register the victim Node', request('insert', `null/node/${v}`, { metadata: { name: v }, spec: {} })],
      [
        'the victim node status (legacy insert)',
        request('insert', `null/nodestatus/${v}`, { UID: v, Status: {} }),
      ],
      [
        'the victim node status (legacy update)',
        request('update', `null/nodestatus/${v}`, { UID: v, Status: { phase: 'Terminated' } }),
      ],
      ['the victim pod status (podpatch)', request('patch', `${ns}/podpatch/${victimPod.name}`, statusPatch)],
      [
        'the victim pod status (legacy podstatus)',
        request('update', `${ns}/podstatus/${victimPod.name}`, {
          UID: victimPod.uid,
          Name: victimPod.name,
          Status: { phase: 'Failed' },
        }),
      ],
      [
        'delete the victim pod (DeleteOptions)',
        request('delete', `${ns}/pod/${victimPod.name}`, {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          gracePeriodSeconds: 0,
        }),
      ],
      ['delete the victim pod (legacy UID)', request('delete', `${ns}/pod/${victimPod.name}`, victimPod.uid)],
      [
        'a mirror pod on the victim node',
        request('insert', `${ns}/pod/mirror-victim`, mirror(v, 'mirror-victim')),
      ],
      [
        'a mirror pod whose body names another pod',
        request('insert', `${ns}/pod/mirror-own`, mirror(attacker.nodeName, 'elsewhere')),
      ],
      [
        'an SA token bound to the victim pod',
        request('query', `${ns}/serviceaccounttoken/default`, tokenRequest(victimPod.name, victimPod.uid)),
      ],
      [
        'an SA token: own pod name, victim uid',
        request('query', `${ns}/serviceaccounttoken/default`, tokenRequest(ownPod.name, victimPod.uid)),
      ],
      [
        'an SA token bound to no pod',
        request('query', `${ns}/serviceaccounttoken/default`, tokenRequest('', undefined)),
      ],
      [
        'an SA token for another service account',
        request('query', `kube-system/serviceaccounttoken/generic-garbage-collector`, {
          ...tokenRequest(ownPod.name, ownPod.uid),
          metadata: { name: 'generic-garbage-collector', namespace: 'kube-system' },
        }),
      ],
      ['the victim CSR (query)', request('query', `default/certificatesigningrequest/victim-csr-${v}`)],
      ['a PersistentVolume it does not use', request('query', 'null/persistentvolume/pv-of-victim')],
      [
        'a PersistentVolumeClaim it does not use',
        request('query', `${ns}/persistentvolumeclaim/pvc-of-victim`),
      ],
      ['a VolumeAttachment of the victim', request('query', 'default/volumeattachment/va-of-victim')],
    ];
    const results: string[] = [];
    for (const [why, frame] of answered) {
      const reply = await attacker.request(frame, 15_000).catch(() => undefined);
      if (reply !== undefined && replyStatus(reply) === 200)
        results.push(`${why}: answered OK ${JSON.stringify(reply.content).slice(0, 160)}`);
    }
    // Fire-and-forget writes (no reply by design): checked in the API once the controller handled them.
    const labelsBefore = (
      await admin.request<{ metadata: { labels?: Record<string, string> } }>({
        method: 'GET',
        path: `/api/v1/nodes/${v}`,
      })
    ).metadata.labels;
    await sendAndWait('node', [
      request('update', `null/node/${v}`, { metadata: { name: v, labels: { hijacked: 'yes' } } }),
    ]);
    const labelsAfter = (
      await admin.request<{ metadata: { labels?: Record<string, string> } }>({
        method: 'GET',
        path: `/api/v1/nodes/${v}`,
      })
    ).metadata.labels;
    if (labelsAfter?.['hijacked'] !== undefined) results.push('update of the victim Node: label written');
    assert.deepEqual(labelsAfter, labelsBefore);
    const podAfter = await admin.request<{
      metadata: { deletionTimestamp?: string };
      status?: { phase?: string; message?: string };
    }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/${victimPod.name}` });
    if (podAfter.metadata.deletionTimestamp !== undefined) results.push('the victim pod is being deleted');
    if (podAfter.status?.message === 'hijacked' || podAfter.status?.phase === 'Failed')
      results.push('the victim pod status was written');
    for (const name of ['mirror-victim', 'mirror-own', 'elsewhere']) {
      const found = await admin
        .request({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/${name}` })
        .then(
          () => true,
          () => false,
        );
      if (found) results.push(`mirror pod ${name} was created`);
    }
    const leaseHolder = await admin
      .request<{ spec?: { holderIdentity?: string } }>({
        method: 'GET',
        path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${v}`,
      })
      .then(
        (l) => l.spec?.holderIdentity,
        () => undefined,
      );
    if (leaseHolder === attacker.nodeName) results.push('the victim lease names the attacker');
    assert.equal(answered.length + 6, 39, 'the probe’s 39 attempts');
    assert.deepEqual(results, [], 'every cross-node attempt is refused');
    assert.deepEqual(victim.missed, [], 'the victim kept its lease throughout');
  });
});
