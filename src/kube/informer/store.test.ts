import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexByNamespace, indexByUid, indexPodsByNodeName } from './indexes.js';
import type { PodPlacement } from './indexes.js';
import { keyOf, objectKey, parseObjectKey } from './object.js';
import { Store } from './store.js';
import type { InformerEvent } from './store.js';

function pod(name: string, rv: string, nodeName?: string, namespace = 'ns'): PodPlacement {
  return {
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: rv },
    ...(nodeName !== undefined ? { spec: { nodeName } } : {}),
  };
}

/** Events as compact strings: `add a@1`, `update a@1->2`, `delete a@1 unknown`. */
function describeEvents(events: readonly InformerEvent<PodPlacement>[]): string[] {
  return events.map((e) => {
    const at = (o: PodPlacement): string => `${o.metadata.name}@${o.metadata.resourceVersion ?? ''}`;
    switch (e.type) {
      case 'add':
        return `add ${at(e.object)}`;
      case 'update':
        return `update ${at(e.old)}->${e.object.metadata.resourceVersion ?? ''}`;
      case 'delete':
        return `delete ${at(e.object)}${e.finalStateUnknown ? ' unknown' : ''}`;
    }
  });
}

describe('object keys', () => {
  it('keys namespaced objects ns/name and cluster-scoped objects by name, and parses both back', () => {
    assert.equal(keyOf(pod('a', '1')), 'ns/a');
    assert.equal(objectKey(undefined, 'node-1'), 'node-1');
    assert.equal(objectKey('', 'node-1'), 'node-1');
    assert.deepEqual(parseObjectKey(objectKey('ns', 'a')), { namespace: 'ns', name: 'a' });
    assert.deepEqual(parseObjectKey(objectKey(undefined, 'node-1')), { name: 'node-1' });
  });
});

describe('Store.replace (relist)', () => {
  const table: {
    name: string;
    before: PodPlacement[];
    list: PodPlacement[];
    events: string[];
  }[] = [
    {
      name: 'adds everything on the first list',
      before: [],
      list: [pod('a', '1'), pod('b', '2')],
      events: ['add a@1', 'add b@2'],
    },
    {
      name: 'emits nothing when no resourceVersion changed',
      before: [pod('a', '1'), pod('b', '2')],
      list: [pod('a', '1'), pod('b', '2')],
      events: [],
    },
    {
      name: 'updates only objects whose resourceVersion changed, with the old object',
      before: [pod('a', '1'), pod('b', '2')],
      list: [pod('a', '1'), pod('b', '5')],
      events: ['update b@2->5'],
    },
    {
      name: 'deletes vanished objects with their last known state, final state unknown',
      before: [pod('a', '1'), pod('b', '2'), pod('c', '3')],
      list: [pod('b', '2')],
      events: ['delete a@1 unknown', 'delete c@3 unknown'],
    },
    {
      name: 'adds and updates in list order, then deletes',
      before: [pod('a', '1'), pod('b', '2')],
      list: [pod('c', '7'), pod('b', '6')],
      events: ['add c@7', 'update b@2->6', 'delete a@1 unknown'],
    },
    {
      name: 'deletes everything on an empty list',
      before: [pod('a', '1')],
      list: [],
      events: ['delete a@1 unknown'],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const store = new Store<PodPlacement>();
      store.replace(row.before);
      assert.deepEqual(describeEvents(store.replace(row.list)), row.events);
      assert.deepEqual(store.keys().sort(), row.list.map((p) => keyOf(p)).sort());
    });
  }

  it('keeps the held instance when the resourceVersion is unchanged', () => {
    const store = new Store<PodPlacement>();
    const held = pod('a', '1');
    store.replace([held]);
    store.replace([pod('a', '1')]);
    assert.equal(store.get(objectKey('ns', 'a')), held);
  });
});

describe('Store.upsert and Store.remove (watch events)', () => {
  it('adds, updates with the old object, ignores a repeated version, and deletes with the final state', () => {
    const store = new Store<PodPlacement>();
    const events = [
      store.upsert(pod('a', '1')),
      store.upsert(pod('a', '2')),
      store.upsert(pod('a', '2')),
      store.remove(pod('a', '3')),
      store.remove(pod('a', '4')),
    ].filter((e) => e !== undefined);
    assert.deepEqual(describeEvents(events), ['add a@1', 'update a@1->2', 'delete a@3']);
    assert.equal(store.size, 0);
  });

  it('treats an ADDED for a held key as an update (a resumed watch may repeat a create)', () => {
    const store = new Store<PodPlacement>();
    store.upsert(pod('a', '1'));
    assert.deepEqual(describeEvents([store.upsert(pod('a', '9'))].filter((e) => e !== undefined)), [
      'update a@1->9',
    ]);
  });
});

describe('Store indexes', () => {
  const names = (pods: readonly PodPlacement[]): string[] => pods.map((p) => p.metadata.name).sort();

  it('finds pods by node through adds, moves, deletes and relists', () => {
    const store = new Store<PodPlacement>();
    store.addIndex('byNode', indexPodsByNodeName);
    store.upsert(pod('a', '1', 'n1'));
    store.upsert(pod('b', '1', 'n1'));
    store.upsert(pod('c', '1'));
    assert.deepEqual(names(store.byIndex('byNode', 'n1')), ['a', 'b']);
    store.upsert(pod('c', '2', 'n2'));
    assert.deepEqual(names(store.byIndex('byNode', 'n2')), ['c']);
    store.remove(pod('a', '3', 'n1'));
    assert.deepEqual(names(store.byIndex('byNode', 'n1')), ['b']);
    store.replace([pod('b', '4', 'n2'), pod('c', '2', 'n2')]);
    assert.deepEqual(names(store.byIndex('byNode', 'n1')), []);
    assert.deepEqual(store.indexKeys('byNode', 'n2').sort(), ['ns/b', 'ns/c']);
  });

  it('fills an index registered after objects arrived', () => {
    const store = new Store<PodPlacement>();
    store.replace([pod('a', '1', 'n1', 'x'), pod('b', '1', 'n1', 'y')]);
    store.addIndex('byUid', indexByUid);
    store.addIndex('byNamespace', indexByNamespace);
    assert.deepEqual(names(store.byIndex('byUid', 'uid-b')), ['b']);
    assert.deepEqual(names(store.byIndex('byNamespace', 'x')), ['a']);
    assert.deepEqual(store.byIndex('byUid', 'missing'), []);
  });

  it('refuses an unknown index and a second index of the same name', () => {
    const store = new Store<PodPlacement>();
    store.addIndex('byUid', indexByUid);
    assert.throws(() => store.byIndex('nope', 'x'), /no index named nope/);
    assert.throws(() => {
      store.addIndex('byUid', indexByUid);
    }, /already registered/);
  });
});
