/**
 * Pushes per second to one node through the real hub over mTLS on loopback: KubeEdge's stop-and-wait
 * (window 1) against our pipelined window, in one run. The edge is a separate process (the simulator's
 * EdgeClient) that joins with a token and ACKs every push, optionally after a delay that stands in for
 * the network round trip of a real edge link.
 *
 *   node --import tsx bench/load/hub-window.bench.ts [--pushes 2000] [--delayed-pushes 300] [--ack-delay-ms 20]
 *
 * Writes bench/results/hub-window.json.
 * @module
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CertServer,
  createCertificateAuthority,
  createJoinToken,
  signServerCertificate,
} from '../../src/certs/index.js';
import { Hub } from '../../src/hub/index.js';
import { createLogger, createMetrics } from '../../src/observability/index.js';
import { newMessageId, newPush, parseNodeName } from '../../src/protocol/index.js';
import type { Message, NodeName, ResourcePath } from '../../src/protocol/index.js';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
import { report } from '../lib/runner.js';
import type { VariantResult } from '../lib/runner.js';

const nodeName = 'bench-edge-1';

if (process.argv.includes('--edge')) {
  await runEdge();
} else {
  await runBench();
}

/** The edge process: join, connect, ACK every push (after `ackDelayMs`). */
async function runEdge(): Promise<void> {
  const [httpServer = '', hubServer = '', token = '', ackDelay = '0'] = process.argv.slice(
    process.argv.indexOf('--edge') + 1,
  );
  const identity = await joinWithToken({ httpServer, nodeName, token });
  const ackDelayMs = Number(ackDelay);
  const edge = new EdgeClient({
    server: hubServer,
    identity,
    autoAck: ackDelayMs === 0,
    keepaliveIntervalMs: 15_000,
  });
  if (ackDelayMs > 0) {
    edge.on('push', (message: Message) => {
      setTimeout(() => {
        edge.ack(message);
      }, ackDelayMs);
    });
  }
  await edge.connect();
  process.send?.('connected');
  process.on('disconnect', () => {
    edge.kill();
    process.exit(0);
  });
}

async function runBench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pushes: { type: 'string', default: '2000' },
      'delayed-pushes': { type: 'string', default: '300' },
      'ack-delay-ms': { type: 'string', default: '20' },
      window: { type: 'string', default: '64' },
    },
  });
  const pushes = Number(values.pushes);
  const delayedPushes = Number(values['delayed-pushes']);
  const ackDelayMs = Number(values['ack-delay-ms']);
  const window = Number(values.window);

  const now = new Date();
  const ca = await createCertificateAuthority({ now });
  const serverCert = await signServerCertificate({ ca, now, advertiseAddress: ['127.0.0.1'] });
  const { token } = await createJoinToken(ca, { now });
  const logger = createLogger({ level: 'silent' });
  const certServer = new CertServer({
    ca,
    serverCert,
    address: '127.0.0.1',
    port: 0,
    nodeExists: () => Promise.resolve(true),
    isNodeConnected: () => false,
    logger,
  });
  const abort = new AbortController();
  await certServer.start(abort.signal);

  const variants: VariantResult[] = [];
  const cases: [string, number, number, number][] = [
    ['window 1 (KubeEdge), loopback', 1, pushes, 0],
    [`window ${String(window)}, loopback`, window, pushes, 0],
    [`window 1 (KubeEdge), ACK +${String(ackDelayMs)} ms`, 1, delayedPushes, ackDelayMs],
    [`window ${String(window)}, ACK +${String(ackDelayMs)} ms`, window, delayedPushes, ackDelayMs],
  ];
  for (const [name, windowSize, count, ackDelay] of cases) {
    const rate = await measure({ certServer, ca, serverCert, token, windowSize, count, ackDelay, logger });
    variants.push({
      name,
      value: rate.pushesPerSecond,
      unit: 'pushes/s',
      details: { pushes: count, ackDelayMs: ackDelay, seconds: rate.seconds },
    });
  }
  abort.abort();
  await certServer.stop();
  await report({
    name: 'hub-window',
    description:
      'ACK-path pushes per second to one node (mTLS WebSocket on loopback, edge in its own process)',
    parameters: { pushes, delayedPushes, ackDelayMs, window },
    variants,
  });
}

interface MeasureOptions {
  readonly certServer: CertServer;
  readonly ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  readonly serverCert: Awaited<ReturnType<typeof signServerCertificate>>;
  readonly token: string;
  readonly windowSize: number;
  readonly count: number;
  readonly ackDelay: number;
  readonly logger: ReturnType<typeof createLogger>;
}

async function measure(o: MeasureOptions): Promise<{ pushesPerSecond: number; seconds: number }> {
  let acked = 0;
  const hub = new Hub({
    tls: { caPem: o.ca.certPem, certPem: o.serverCert.certPem, keyPem: o.serverCert.keyPem },
    metrics: createMetrics({ collectProcessMetrics: false }).hub,
    logger: o.logger,
    options: {
      host: '127.0.0.1',
      port: 0,
      windowSize: o.windowSize,
      ackTimeoutMs: 30_000,
      maxAckTimeoutMs: 60_000,
    },
    hooks: {
      upstream: { handle: () => undefined },
      clusterCaPem: () => '',
      onAck: () => {
        acked += 1;
      },
    },
  });
  const address = await hub.start();
  const edge: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    [
      '--edge',
      `https://127.0.0.1:${String(o.certServer.port)}`,
      `127.0.0.1:${String(address.port)}`,
      o.token,
      String(o.ackDelay),
    ],
    { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
  );
  await new Promise<void>((resolve) =>
    edge.once('message', () => {
      resolve();
    }),
  );
  const node = parseNodeName(nodeName) as NodeName;
  while (!hub.isConnected(node)) await delay(10);
  const started = performance.now();
  for (let i = 0; i < o.count; i++) {
    const name = `p${String(i)}`;
    hub.enqueue(
      node,
      newPush({
        id: newMessageId(),
        now: Date.now(),
        resource: `default/pod/${name}` as ResourcePath,
        operation: 'update',
        resourceVersion: '1',
        content: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' },
        },
      }),
    );
  }
  while (acked < o.count) await delay(2);
  const seconds = (performance.now() - started) / 1000;
  edge.disconnect();
  await hub.stop();
  return { pushesPerSecond: o.count / seconds, seconds };
}
