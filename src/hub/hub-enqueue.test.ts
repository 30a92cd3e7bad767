import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../observability/index.js';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { Hub } from './hub-server.js';

// A hub that is never started: enqueue only queues (no session, no socket), which is all this needs.
function hubOf() {
  const metrics = createMetrics({ collectProcessMetrics: false });
  const { logger, lines } = capturedLogger('info');
  const hub = new Hub({
    tls: { caPem: '', certPem: '', keyPem: '' },
    hooks: { upstream: { handle: () => undefined }, clusterCaPem: () => '' },
    metrics: metrics.hub,
    logger,
    options: { host: '127.0.0.1', port: 0 },
  });
  return { hub, metrics, lines };
}

const push = (content: unknown, operation = 'update'): Message => ({
  header: { msg_id: 'm-1' as MessageId, timestamp: 0, resourceversion: '5' },
  route: { source: 'edgecontroller', group: 'resource', operation, resource: 'default/configmap/cm' },
  content,
});

describe('Hub.enqueue of content that cannot be encoded', () => {
  const node = 'edge-a' as NodeName;

  it('drops it at enqueue, counted and logged, instead of throwing when it is sent', async () => {
    const { hub, metrics, lines } = hubOf();
    const cyclic: Record<string, unknown> = { metadata: { name: 'cm', uid: 'u1', resourceVersion: '5' } };
    cyclic['self'] = cyclic;
    for (const content of [cyclic, { metadata: { uid: 'u2' }, data: { n: 1n } }]) {
      assert.equal(hub.enqueue(node, push(content)), 'dropped-invalid');
    }
    assert.equal(
      hub.enqueue(node, { ...push(null), route: { ...push(null).route, operation: 'response' } }),
      'queued',
    );
    const dropped = await metrics.registry
      .getSingleMetric('edgecontroller_hub_dropped_deliveries_total')
      ?.get();
    assert.equal(dropped?.values.find((v) => v.labels['reason'] === 'invalid')?.value, 2);
    assert.equal(lines.filter((l) => l.includes('could not be encoded')).length, 2);
  });

  it('queues what can be encoded', () => {
    const { hub } = hubOf();
    assert.equal(
      hub.enqueue(node, push({ metadata: { name: 'cm', uid: 'u1', resourceVersion: '5' } })),
      'queued',
    );
  });
});
