/**
 * Two nodes in one namespace for the identity tests: the attacker (a raw edge that ACKs pushes) and the
 * victim (a well-behaved node), each with a pod that mounts its own ConfigMap and Secret, so the Node
 * authorizer's graph lets each read only its own.
 * @module
 */
import assert from 'node:assert/strict';
import type { KubeClient } from '../../../src/kube/index.js';
import { RawEdge, WellBehavedNode, nodeObject, objectRespOf, request } from '../../support/raw-edge/index.js';
import type { Target } from './target.js';

/** The scene. */
export interface Scene {
  readonly ns: string;
  readonly attacker: RawEdge;
  readonly victim: WellBehavedNode;
  readonly ownPod: { readonly name: string; readonly uid: string };
  readonly victimPod: { readonly name: string; readonly uid: string };
}

/** A pod on `node` that mounts ConfigMap `<prefix>-cm` and Secret `<prefix>-secret`. */
async function podWithRefs(admin: KubeClient, ns: string, name: string, node: string, prefix: string) {
  await admin.request({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/configmaps`,
    body: { metadata: { name: `${prefix}-cm` }, data: { k: `${prefix}-value` } },
  });
  await admin.request({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/secrets`,
    body: { metadata: { name: `${prefix}-secret` }, stringData: { password: `${prefix}-secret-data-5f1c9` } },
  });
  return admin.request<{ metadata: { uid: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/pods`,
    body: {
      metadata: { name },
      spec: {
        nodeName: node,
        containers: [{ name: 'c', image: 'busybox' }],
        volumes: [
          { name: 'cm', configMap: { name: `${prefix}-cm` } },
          { name: 's', secret: { secretName: `${prefix}-secret` } },
        ],
      },
    },
  });
}

/** Builds the scene: both nodes registered and connected, both pods delivered. */
export async function buildScene(target: Target): Promise<Scene> {
  const { cluster, controller, mint, name } = target;
  const ns = await cluster.namespace('idt');
  const victim = await WellBehavedNode.start({
    hub: controller.hubServer,
    identity: await mint(name('victim')),
  });
  const attacker = await RawEdge.connect({
    hub: controller.hubServer,
    identity: await mint(name('attacker')),
    autoAck: true,
    keepaliveMs: 5_000,
  });
  const registered = objectRespOf(
    await attacker.request(
      request('insert', `null/node/${attacker.nodeName}`, nodeObject(attacker.nodeName)),
    ),
  );
  assert.equal(registered?.Err, null, 'the attacker registered its own node');
  const own = await podWithRefs(cluster.admin, ns, 'own-pod', attacker.nodeName, 'own');
  const theirs = await podWithRefs(cluster.admin, ns, 'victim-pod', victim.name, 'victim');
  await victim.waitForPush(`${ns}/pod/victim-pod`);
  const deadline = performance.now() + 60_000;
  while (!attacker.received.some((m) => m.route.resource === `${ns}/pod/own-pod`)) {
    assert.ok(performance.now() < deadline, 'the attacker’s own pod was pushed to it');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    ns,
    attacker,
    victim,
    ownPod: { name: 'own-pod', uid: own.metadata.uid },
    victimPod: { name: 'victim-pod', uid: theirs.metadata.uid },
  };
}
