/**
 * Issue 12, item 6: 20,000 seeded fuzz frames (mutations of valid frames: types, lengths, unicode,
 * nesting depth, huge numbers, missing fields, binary frames) from several identities at once. The
 * controller must not crash, and a well-behaved node must keep its lease and still receive a pod
 * afterwards. The seed is printed; `ADVERSARIAL_FUZZ_SEED=<seed>` replays a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLocalCluster } from '../support/cluster.js';
import { WellBehavedNode, runFuzz } from '../support/raw-edge/index.js';
import { assertAlive, useTarget } from './lib/target.js';

const getCluster = useLocalCluster();
const frames = 20_000;
const seed = Number(process.env['ADVERSARIAL_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe('fuzz', () => {
  const getTarget = useTarget(getCluster);

  it(`survives ${String(frames)} seeded fuzz frames (seed ${String(seed)}) and keeps serving a well-behaved node`, async (t) => {
    t.diagnostic(`fuzz seed ${String(seed)} (replay with ADVERSARIAL_FUZZ_SEED=${String(seed)})`);
    const { controller, cluster, mint, name } = getTarget();
    const good = await WellBehavedNode.start({
      hub: controller.hubServer,
      identity: await mint(name('good')),
    });
    const identities = await Promise.all(Array.from({ length: 8 }, () => mint(name('fuzz'))));
    const report = await runFuzz({
      hub: controller.hubServer,
      identities,
      frames,
      seed,
      lanes: 4,
      mint: () => mint(name('fuzz')),
      shouldStop: () => controller.exit !== undefined,
    });
    t.diagnostic(
      `fuzz: ${JSON.stringify({ ...report, peakRssMiB: Math.round(controller.rss.peak / 2 ** 20) })}`,
    );
    assertAlive(controller);
    assert.equal(report.sent, frames, 'every fuzz frame was sent');
    // Still serving: a pod for the well-behaved node arrives, and its lease never lapsed.
    const ns = await cluster.namespace('fuzz');
    await cluster.admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        metadata: { name: 'after-fuzz' },
        spec: { nodeName: good.name, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    await good.waitForPush(`${ns}/pod/after-fuzz`);
    assert.deepEqual(good.missed, [], 'the well-behaved node missed no lease');
    assert.ok(good.renewed > 0);
    await good.stop();
  });
});
