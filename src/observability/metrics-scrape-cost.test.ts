import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.js';

describe('a metrics scrape at fleet size', () => {
  it('walks the hub queues once for both queue gauges, and again at the next scrape', async () => {
    const metrics = createMetrics({ collectProcessMetrics: false });
    let walks = 0;
    metrics.hub.setQueueSource(() => {
      walks += 1;
      return { depth: 7, inFlight: 3 };
    });
    const text = await metrics.registry.metrics();
    assert.equal(walks, 1, 'one walk for edgecontroller_hub_queue_depth and edgecontroller_hub_in_flight');
    assert.match(text, /^edgecontroller_hub_queue_depth 7$/m);
    assert.match(text, /^edgecontroller_hub_in_flight 3$/m);
    await new Promise((resolve) => setImmediate(resolve));
    await metrics.registry.metrics();
    assert.equal(walks, 2, 'a later scrape reads fresh values');
  });

  it('leaves out the process metrics that list every handle (one socket per edge)', async () => {
    const text = await createMetrics().registry.metrics();
    assert.doesNotMatch(text, /edgecontroller_nodejs_active_(handles|requests|resources)/);
    // The rest of Node's defaults stay.
    assert.match(text, /^edgecontroller_process_open_fds /m);
    assert.match(text, /^edgecontroller_nodejs_eventloop_lag_p99_seconds /m);
  });

  it('counts open file descriptors without listing them on the event loop', async (t) => {
    if (process.platform !== 'linux') {
      t.skip('/proc/self/fd is Linux only, as the metric');
      return;
    }
    const metrics = createMetrics();
    let syncListings = 0;
    const original = fs.readdirSync;
    t.mock.method(fs, 'readdirSync', (...args: Parameters<typeof fs.readdirSync>) => {
      if (String(args[0]) === '/proc/self/fd') syncListings += 1;
      return original(...args);
    });
    // 50 more descriptors than before show up in the count.
    const before = Number(
      /^edgecontroller_process_open_fds (\d+)$/m.exec(await metrics.registry.metrics())?.[1],
    );
    const extra = Array.from({ length: 50 }, () => fs.openSync('/dev/null', 'r'));
    try {
      const after = Number(
        /^edgecontroller_process_open_fds (\d+)$/m.exec(await metrics.registry.metrics())?.[1],
      );
      assert.equal(syncListings, 0, 'prom-client lists /proc/self/fd with readdirSync');
      assert.ok(before > 0, `before: ${String(before)}`);
      assert.ok(
        after - before >= 50 && after - before <= 55,
        `before ${String(before)}, after ${String(after)}`,
      );
    } finally {
      for (const fd of extra) fs.closeSync(fd);
    }
  });
});
