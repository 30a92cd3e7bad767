/**
 * Seeded fuzz frames at the hub of a real controller (its own process, against a real control plane),
 * from several identities at once, with a well-behaved node renewing its lease throughout: frames sent,
 * crashes (the controller process exiting; must be 0), the controller's peak RSS, frames per second, and
 * the well-behaved node's missed lease renewals. The frames and the driver are the adversarial suite's
 * (test/support/raw-edge: fuzz-frames.ts, fuzz-driver.ts), independent of the simulator.
 *
 *   node --import tsx bench/fuzz/fuzz.bench.ts [--frames 1000000] [--seed N] [--lanes 4] [--identities 16]
 *
 * Writes bench/results/fuzz.json.
 * @module
 */
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../src/kube/index.js';
import { startLocalCluster } from '../../src/local-cluster/index.js';
import {
  WellBehavedNode,
  mintIdentity,
  runFuzz,
  startControllerChild,
} from '../../test/support/raw-edge/index.js';
import { readJoinToken } from '../lib/controller-process.js';
import { report } from '../lib/runner.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(Math.floor(Math.random() * 2 ** 31)) },
    lanes: { type: 'string', default: '4' },
    identities: { type: 'string', default: '16' },
  },
});
const frames = Number(values.frames);
const seed = Number(values.seed);
const lanes = Number(values.lanes);
const identityCount = Number(values.identities);
const MiB = 1024 * 1024;

process.stdout.write(`fuzz bench: ${String(frames)} frames, seed ${String(seed)}, ${String(lanes)} lanes\n`);
const cluster = await startLocalCluster({});
const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
const controller = await startControllerChild({ kubeconfig: cluster.kubeconfigPath });
try {
  const token = await readJoinToken(admin);
  const mint = (name: string) => mintIdentity(controller.httpServer, token, name);
  const good = await WellBehavedNode.start({
    hub: controller.hubServer,
    identity: await mint('fuzz-bench-good'),
  });
  const identities = await Promise.all(
    Array.from({ length: identityCount }, (_, i) => mint(`fuzz-bench-${String(i)}`)),
  );
  let minted = identityCount;
  const idleRss = controller.rss.sample();
  controller.rss.mark();
  const fuzz = await runFuzz({
    hub: controller.hubServer,
    identities,
    frames,
    seed,
    lanes,
    mint: () => mint(`fuzz-bench-${String((minted += 1))}`),
    shouldStop: () => controller.exit !== undefined,
    onProgress: (sent) => {
      if (sent % 100_000 === 0) {
        process.stdout.write(
          `  ${String(sent)} frames, RSS ${(controller.rss.last / MiB).toFixed(0)} MiB, leases renewed ${String(good.renewed)}, missed ${String(good.missed.length)}\n`,
        );
      }
    },
  });
  const crashes = controller.exit === undefined ? 0 : 1;
  const peakRss = controller.rss.peakSinceMark;
  if (crashes === 0) await good.stop();
  await report({
    name: 'fuzz',
    description: `seeded fuzz frames (mutations of valid KubeEdge frames) at the hub from ${String(identityCount)} identities, with a well-behaved node renewing its lease`,
    parameters: { frames, seed, lanes, identities: identityCount },
    variants: [
      {
        name: 'frames per second',
        value: fuzz.sent / (fuzz.elapsedMs / 1000),
        unit: 'frames/s',
        details: {
          framesSent: fuzz.sent,
          crashes,
          peakRssMiB: Math.round(peakRss / MiB),
          idleRssMiB: Math.round(idleRss / MiB),
          connections: fuzz.connections,
          repliesReceived: fuzz.framesIn,
          leaseRenewals: good.renewed,
          leaseMisses: good.missed.length,
          elapsedSeconds: Math.round(fuzz.elapsedMs / 1000),
          byKind: JSON.stringify(fuzz.byKind),
          hubCloses: JSON.stringify(fuzz.hubCloses),
          refusals: JSON.stringify(fuzz.refusals),
        },
      },
      { name: 'crashes', value: crashes, unit: 'crashes' },
      { name: 'peak controller RSS', value: peakRss / MiB, unit: 'MiB' },
      { name: 'well-behaved lease misses', value: good.missed.length, unit: 'misses' },
    ],
  });
  if (crashes > 0) {
    process.stderr.write(
      `the controller crashed: ${JSON.stringify(controller.exit)} (seed ${String(seed)})\n`,
    );
    process.exitCode = 1;
  }
} finally {
  await controller.stop();
  await cluster.stop();
}
