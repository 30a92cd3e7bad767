import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InformerFactory } from './informer-factory.js';
import type { ListWatchClient } from './informer-options.js';
import type { KubeObject } from './object.js';

// Never reached: these tests do not start the informers.
const client: ListWatchClient = {
  request: () => Promise.reject(new Error('not used')),
  openStream: () => Promise.reject(new Error('not used')),
};

describe('InformerFactory', () => {
  it('builds one informer per name and shares it', () => {
    const factory = new InformerFactory({ client });
    const a = factory.informerFor<KubeObject>({ path: '/api/v1/pods', name: 'pods' });
    const b = factory.informerFor<KubeObject>({
      path: '/api/v1/pods',
      name: 'pods',
      indexes: { byName: (o) => [o.metadata.name] },
    });
    assert.equal(a, b);
    assert.deepEqual(factory.names, ['pods']);
  });

  it('refuses sharing a name between different collections or selectors', () => {
    const factory = new InformerFactory({ client });
    factory.informerFor<KubeObject>({ path: '/api/v1/nodes', name: 'nodes' });
    assert.throws(
      () => factory.informerFor<KubeObject>({ path: '/api/v1/nodes', name: 'nodes', labelSelector: 'a=b' }),
      { code: 'EC_CONFIG_INVALID' },
    );
  });

  it('stops every informer, releasing waiters of one never started', async () => {
    const factory = new InformerFactory({ client });
    const informer = factory.informerFor<KubeObject>({ path: '/api/v1/secrets', name: 'secrets' });
    await factory.stop();
    await assert.rejects(informer.whenSynced(), { code: 'EC_INFORMER_STOPPED' });
  });
});
