/**
 * An independent edge node for the fan-out scenario: its own Node, a pod bound to it that uses ConfigMap
 * `probe-cm` and Secret `probe-secret` (so the node authorizer lets it read them), a joined EdgeClient in
 * the bench process, and a query for one or the other every `intervalMs`, each timed from send to reply.
 * Queries are sent on schedule whether or not the previous one was answered, as edged's would be; each
 * reply is ACKed as metamanager does.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../src/kube/index.js';
import { newMessageId } from '../../src/protocol/index.js';
import { EdgeClient, joinWithToken, objectQuery, readReply, registeredNode } from '../../src/sim/index.js';
import { readJoinToken, waitFor } from '../lib/controller-process.js';
import type { ControllerPorts } from '../lib/controller-process.js';
import { namespace } from './context.js';

/** One query: when it was sent (wall ms), its round trip (Infinity unless `ok`), and how it ended. */
export interface ProbeSample {
  readonly at: number;
  readonly rttMs: number;
  /** `error`: an error reply (its text in `error`); `no-reply`: none within 30 s or before the close. */
  readonly outcome: 'ok' | 'error' | 'no-reply';
  readonly error?: string;
}

/** A running probe. */
export interface QueryProbe {
  readonly samples: ProbeSample[];
  stop(): Promise<void>;
}

const probeNode = 'fleet-probe';

/** Creates the probe's objects and starts querying; `stop()` deletes them again. */
export async function startQueryProbe(
  admin: KubeClient,
  ports: ControllerPorts,
  intervalMs: number,
): Promise<QueryProbe> {
  await admin.request({
    method: 'POST',
    path: '/api/v1/nodes',
    body: registeredNode({ nodeName: probeNode, now: Date.now() }),
  });
  await admin.request({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    body: { metadata: { name: 'probe-cm' }, data: { k: 'v' } },
  });
  await admin.request({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/secrets`,
    body: { metadata: { name: 'probe-secret' }, data: { k: Buffer.from('v').toString('base64') } },
  });
  await admin.request({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/pods`,
    body: {
      metadata: { name: `${probeNode}-p` },
      spec: {
        nodeName: probeNode,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            envFrom: [{ configMapRef: { name: 'probe-cm' } }, { secretRef: { name: 'probe-secret' } }],
          },
        ],
      },
    },
  });
  const token = await readJoinToken(admin);
  const identity = await joinWithToken({
    httpServer: `https://127.0.0.1:${String(ports.https)}`,
    nodeName: probeNode,
    token,
  });
  const edge = new EdgeClient({ server: `127.0.0.1:${String(ports.hub)}`, identity, keepReceived: false });
  await edge.connect();
  // The authorizer reads the pod from the controller's cache: wait until a query is allowed.
  await waitFor(async () => {
    const reply = await edge.request(
      objectQuery({ id: newMessageId(), now: Date.now() }, 'configmap', namespace, 'probe-cm'),
      5_000,
    );
    edge.ack(reply);
    const outcome = readReply(reply);
    if (!outcome.ok) throw new Error(`probe query refused: ${outcome.error.message}`);
  });
  const samples: ProbeSample[] = [];
  let n = 0;
  let outstanding = 0;
  const timer = setInterval(() => {
    const kind = n++ % 2 === 0 ? 'configmap' : 'secret';
    const name = kind === 'configmap' ? 'probe-cm' : 'probe-secret';
    const at = performance.timeOrigin + performance.now();
    outstanding += 1;
    edge.request(objectQuery({ id: newMessageId(), now: Date.now() }, kind, namespace, name), 30_000).then(
      (reply) => {
        const rtt = performance.timeOrigin + performance.now() - at;
        // metamanager ACKs the query replies it stores (processRemote); the controller waits for it.
        edge.ack(reply);
        outstanding -= 1;
        const read = readReply(reply);
        samples.push(
          read.ok
            ? { at, rttMs: rtt, outcome: 'ok' }
            : { at, rttMs: Infinity, outcome: 'error', error: read.error.message },
        );
      },
      () => {
        outstanding -= 1;
        samples.push({ at, rttMs: Infinity, outcome: 'no-reply' });
      },
    );
  }, intervalMs);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      // Let the last replies come and be ACKed, then leave no trace: a probe Node left behind would keep
      // a disconnected node's un-ACKed messages in the hub's gauges the storm waits on.
      await waitFor(() => {
        if (outstanding > 0) throw new Error('replies outstanding');
      }, 30_000).catch(() => undefined);
      await delay(500);
      await edge.close();
      for (const path of [
        `/api/v1/namespaces/${namespace}/pods/${probeNode}-p?gracePeriodSeconds=0`,
        `/api/v1/nodes/${probeNode}`,
        `/api/v1/namespaces/${namespace}/configmaps/probe-cm`,
        `/api/v1/namespaces/${namespace}/secrets/probe-secret`,
      ])
        await admin.request({ method: 'DELETE', path }).catch(() => undefined);
    },
  };
}
