import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Store } from '../kube/index.js';
import type { Informer, InformerEvent, InformerSpec, KubeObject, SharedInformers } from '../kube/index.js';
import { LocationCache } from '../location/index.js';
import type { NodeName, PushSpec } from '../protocol/index.js';
import { parseNodeName } from '../protocol/index.js';
import { capturedLogger } from '../../test/support/captured-logger.js';
import { realisticNode, realisticPod } from '../../test/support/builders.js';
import { DownstreamWorker } from './downstream-worker.js';

/** Informers whose stores the test fills and whose events it fires; all listed from the start. */
function fakeInformers() {
  const byName = new Map<
    string,
    { store: Store<KubeObject>; handlers: ((e: InformerEvent<KubeObject>) => void)[] }
  >();
  const informers: Pick<SharedInformers, 'informerFor'> = {
    informerFor: <T extends KubeObject>(spec: InformerSpec<T>) => {
      const store = new Store<KubeObject>();
      for (const [name, fn] of Object.entries(spec.indexes ?? {})) store.addIndex(name, fn as never);
      const entry = { store, handlers: [] as ((e: InformerEvent<KubeObject>) => void)[] };
      byName.set(spec.name, entry);
      return {
        store,
        onEvent: (handler: (e: InformerEvent<KubeObject>) => void) => {
          entry.handlers.push(handler);
          return () => undefined;
        },
        whenSynced: () => Promise.resolve(),
      } as unknown as Informer<T>;
    },
  };
  const of = (name: string) => {
    const entry = byName.get(name);
    if (entry === undefined) throw new Error(`no informer ${name}`);
    return entry;
  };
  return {
    informers,
    /** Stores the object, and fires its event as the informer would. */
    upsert(name: string, object: KubeObject): void {
      const entry = of(name);
      const event = entry.store.upsert(object);
      if (event !== undefined) for (const handler of entry.handlers) handler(event);
    },
    remove(name: string, object: KubeObject): void {
      const entry = of(name);
      const event = entry.store.remove(object);
      if (event !== undefined) for (const handler of entry.handlers) handler(event);
    },
  };
}

/** A pod on `edge-<node>` that also mounts Secret `secret`. */
function pod(node: number, i: number, secret = `secret-${String(node)}`, resourceVersion = '1'): KubeObject {
  const base = realisticPod({
    name: `pod-${String(node)}-${String(i)}`,
    uid: `uid-${String(node)}-${String(i)}`,
    nodeName: `edge-${String(node)}`,
    resourceVersion,
  });
  const spec = base.spec as { volumes?: unknown[] };
  return {
    ...base,
    spec: { ...spec, volumes: [...(spec.volumes ?? []), { name: 'extra', secret: { secretName: secret } }] },
  } as unknown as KubeObject;
}

describe('DownstreamWorker.whenSynced', () => {
  it('places the pods over several turns, pushes nothing meanwhile, and ends as a rebuild would', async () => {
    const fake = fakeInformers();
    const pushes: [NodeName, PushSpec][] = [];
    const worker = new DownstreamWorker({
      informers: fake.informers,
      hub: { deliver: (node, push) => pushes.push([node, push]), forgetNode: () => undefined },
      logger: capturedLogger().logger,
      podsPerTurn: 10,
    });
    for (let n = 0; n < 10; n += 1) fake.upsert('nodes', realisticNode(`edge-${String(n)}`) as KubeObject);
    for (let n = 0; n < 10; n += 1) for (let i = 0; i < 10; i += 1) fake.upsert('pods', pod(n, i));

    const synced = worker.whenSynced();
    let turns = 0;
    while (!worker.isReady) {
      await nextTurn();
      turns += 1;
      // Meanwhile: a pod changes what it mounts, another goes, a new one comes.
      if (turns === 2) {
        fake.upsert('pods', pod(9, 9, 'moved', '2'));
        fake.remove('pods', pod(9, 8));
        fake.upsert('pods', pod(0, 10, 'late'));
      }
    }
    await synced;
    assert.ok(turns >= 9, `100 pods at 10 a turn took ${String(turns)} turns`);
    assert.deepEqual(pushes, [], 'nothing pushed before ready');

    // The same state as one rebuild over the stores as they are now.
    const expected = new LocationCache({ nodeOf: (p) => parseNodeName(p.spec?.nodeName) });
    expected.rebuild(worker.pods.store.list());
    assert.deepEqual(worker.location.snapshot(), expected.snapshot());
    assert.equal(worker.location.podLocation('default/pod-9-8' as never), undefined);
    assert.ok(
      worker.location.nodeNeeds('edge-9' as NodeName, {
        kind: 'Secret',
        namespace: 'default',
        name: 'moved',
      }),
    );
    assert.ok(
      worker.location.nodeNeeds('edge-0' as NodeName, { kind: 'Secret', namespace: 'default', name: 'late' }),
    );
  });
});
