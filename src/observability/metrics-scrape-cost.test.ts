import assert from 'node:assert/strict';
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
});
