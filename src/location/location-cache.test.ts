/**
 * LocationCache scenarios as tables: each step is one operation and the diff it must return. Diffs are
 * written `+node Kind/ns/name` (gained) and `-node Kind/ns/name` (lost).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { LocationCache } from './location-cache.js';
import type { LocationDiff } from './location-diff.js';
import { emptyDiff } from './location-diff.js';
import type { ObjectKind, ObjectRef } from './object-ref.js';
import { refKey, parseRefKey } from './object-ref.js';
import { podKey } from './pod-key.js';
import { mirrorPodAnnotation } from './pod-references.js';
import type { PodShape } from './pod-shape.js';

// Tests brand node names directly; production code gets them from protocol's parseNodeName.
const node = (name: string): NodeName => name as NodeName;
const nodeOf = (pod: Readonly<PodShape>): NodeName | undefined => {
  const name = pod.spec?.nodeName;
  return name === undefined || name === '' ? undefined : node(name);
};
const newCache = (): LocationCache => new LocationCache({ nodeOf });

interface PodSketch {
  readonly name: string;
  readonly uid?: string;
  readonly node?: string;
  readonly secrets?: readonly string[];
  readonly configMaps?: readonly string[];
  readonly mirror?: boolean;
}

/** A pod in namespace `ns` mounting `secrets` as volumes and taking `configMaps` as envFrom. */
function pod(sketch: PodSketch): PodShape {
  return {
    metadata: {
      namespace: 'ns',
      name: sketch.name,
      uid: sketch.uid ?? 'uid-1',
      ...(sketch.mirror === true ? { annotations: { [mirrorPodAnnotation]: 'x' } } : {}),
    },
    spec: {
      ...(sketch.node === undefined ? {} : { nodeName: sketch.node }),
      volumes: (sketch.secrets ?? []).map((s) => ({ name: `v-${s}`, secret: { secretName: s } })),
      containers: [
        { name: 'main', envFrom: (sketch.configMaps ?? []).map((c) => ({ configMapRef: { name: c } })) },
      ],
    },
  };
}

const pushed: ReadonlySet<ObjectKind> = new Set(['ConfigMap', 'Secret']);

/** The diff as `+n Kind/ns/name` / `-n Kind/ns/name` lines, ConfigMaps and Secrets only unless `all`. */
function lines(diff: LocationDiff, all = false): string[] {
  const keep = (object: ObjectRef): boolean => all || pushed.has(object.kind);
  return [
    ...diff.gained.filter((e) => keep(e.object)).map((e) => `+${e.node} ${refKey(e.object)}`),
    ...diff.lost.filter((e) => keep(e.object)).map((e) => `-${e.node} ${refKey(e.object)}`),
  ];
}

function ref(key: string): ObjectRef {
  const parsed = parseRefKey(key);
  assert.ok(parsed !== undefined, key);
  return parsed;
}

type Op = { readonly apply: PodSketch } | { readonly remove: string } | { readonly forget: string };

interface Scenario {
  readonly name: string;
  readonly steps: readonly (readonly [Op, readonly string[]])[];
  /** After the last step: object key → nodes that need it. */
  readonly nodesFor?: Readonly<Record<string, readonly string[]>>;
  /** After the last step: node → pod keys on it. */
  readonly podsOn?: Readonly<Record<string, readonly string[]>>;
}

function run(cache: LocationCache, op: Op): LocationDiff {
  if ('apply' in op) return cache.applyPod(pod(op.apply));
  if ('remove' in op) return cache.removePod(podKey('ns', op.remove));
  return cache.forgetNode(node(op.forget));
}

const scenarios: readonly Scenario[] = [
  {
    name: 'two pods on one node share a secret: the node loses it only when both are gone',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'b', node: 'n1', secrets: ['s'] } }, []],
      [{ remove: 'a' }, []],
      [{ remove: 'b' }, ['-n1 Secret/ns/s']],
    ],
    nodesFor: { 'Secret/ns/s': [] },
    podsOn: { n1: [] },
  },
  {
    name: 'pods on two nodes share a secret: each node gains and loses it on its own',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'b', node: 'n2', secrets: ['s'] } }, ['+n2 Secret/ns/s']],
      [{ remove: 'a' }, ['-n1 Secret/ns/s']],
    ],
    nodesFor: { 'Secret/ns/s': ['n2'] },
  },
  {
    name: 'a pod that moves node: the old node loses, the new node gains',
    steps: [
      [
        { apply: { name: 'a', node: 'n1', secrets: ['s'], configMaps: ['c'] } },
        ['+n1 ConfigMap/ns/c', '+n1 Secret/ns/s'],
      ],
      [
        { apply: { name: 'a', node: 'n2', secrets: ['s'], configMaps: ['c'] } },
        ['+n2 ConfigMap/ns/c', '+n2 Secret/ns/s', '-n1 ConfigMap/ns/c', '-n1 Secret/ns/s'],
      ],
    ],
    nodesFor: { 'Secret/ns/s': ['n2'], 'ConfigMap/ns/c': ['n2'] },
    podsOn: { n1: [], n2: ['ns/a'] },
  },
  {
    name: 'a pod that moves to a node that already needs the secret: only the old node changes',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'b', node: 'n2', secrets: ['s'] } }, ['+n2 Secret/ns/s']],
      [{ apply: { name: 'a', node: 'n2', secrets: ['s'] } }, ['-n1 Secret/ns/s']],
    ],
    podsOn: { n2: ['ns/a', 'ns/b'] },
  },
  {
    name: 'an update that removes a reference: the node loses that object only',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s', 't'] } }, ['+n1 Secret/ns/s', '+n1 Secret/ns/t']],
      [
        { apply: { name: 'a', node: 'n1', secrets: ['t'], configMaps: ['c'] } },
        ['+n1 ConfigMap/ns/c', '-n1 Secret/ns/s'],
      ],
    ],
    nodesFor: { 'Secret/ns/s': [], 'Secret/ns/t': ['n1'] },
  },
  {
    name: 'an update that removes a reference another pod on the node still has: no change',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'b', node: 'n1', secrets: ['s'] } }, []],
      [{ apply: { name: 'a', node: 'n1' } }, []],
    ],
    nodesFor: { 'Secret/ns/s': ['n1'] },
  },
  {
    name: 'an update that changes nothing the cache tracks gives an empty diff',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, []],
    ],
  },
  {
    name: 'the same name with a new UID on another node replaces the old pod',
    steps: [
      [{ apply: { name: 'a', uid: 'u1', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [
        { apply: { name: 'a', uid: 'u2', node: 'n2', secrets: ['t'] } },
        ['+n2 Secret/ns/t', '-n1 Secret/ns/s'],
      ],
      [{ remove: 'a' }, ['-n2 Secret/ns/t']],
    ],
    podsOn: { n1: [], n2: [] },
  },
  {
    name: 'the same name with a new UID, node and references changes nothing',
    steps: [
      [{ apply: { name: 'a', uid: 'u1', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'a', uid: 'u2', node: 'n1', secrets: ['s'] } }, []],
    ],
    podsOn: { n1: ['ns/a'] },
  },
  {
    name: 'an unscheduled pod has no location until it is bound',
    steps: [
      [{ apply: { name: 'a', secrets: ['s'] } }, []],
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
    ],
    nodesFor: { 'Secret/ns/s': ['n1'] },
  },
  {
    name: 'a pod that loses its location (nodeOf gives undefined) is removed',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'a', secrets: ['s'] } }, ['-n1 Secret/ns/s']],
    ],
    podsOn: { n1: [] },
  },
  {
    name: 'removing an unknown pod changes nothing',
    steps: [[{ remove: 'ghost' }, []]],
  },
  {
    name: 'a mirror pod is located but needs nothing',
    steps: [[{ apply: { name: 'static', node: 'n1', secrets: ['s'], mirror: true } }, []]],
    nodesFor: { 'Secret/ns/s': [] },
    podsOn: { n1: ['ns/static'] },
  },
  {
    name: 'forgetNode: the node loses everything, other nodes keep theirs',
    steps: [
      [{ apply: { name: 'a', node: 'n1', secrets: ['s'] } }, ['+n1 Secret/ns/s']],
      [{ apply: { name: 'b', node: 'n1', secrets: ['s'], configMaps: ['c'] } }, ['+n1 ConfigMap/ns/c']],
      [{ apply: { name: 'c', node: 'n2', secrets: ['s'] } }, ['+n2 Secret/ns/s']],
      [{ forget: 'n1' }, ['-n1 ConfigMap/ns/c', '-n1 Secret/ns/s']],
      [{ forget: 'n1' }, []],
      [{ remove: 'a' }, []],
    ],
    nodesFor: { 'Secret/ns/s': ['n2'], 'ConfigMap/ns/c': [] },
    podsOn: { n1: [], n2: ['ns/c'] },
  },
];

describe('LocationCache scenarios', () => {
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const cache = newCache();
      scenario.steps.forEach(([op, expected], i) => {
        assert.deepEqual(lines(run(cache, op)), expected, `step ${String(i)}: ${JSON.stringify(op)}`);
      });
      for (const [key, nodes] of Object.entries(scenario.nodesFor ?? {})) {
        assert.deepEqual(cache.nodesFor(ref(key)), nodes, key);
        for (const n of ['n1', 'n2'])
          assert.equal(cache.nodeNeeds(node(n), ref(key)), nodes.includes(n), `${n} ${key}`);
      }
      for (const [n, pods] of Object.entries(scenario.podsOn ?? {})) {
        assert.deepEqual(cache.podsOn(node(n)), pods, n);
      }
    });
  }
});

describe('LocationCache queries', () => {
  it('tracks ServiceAccounts and PVCs for node authorization, alongside ConfigMaps and Secrets', () => {
    const cache = newCache();
    const diff = cache.applyPod({
      metadata: { namespace: 'ns', name: 'db-0', uid: 'u' },
      spec: {
        nodeName: 'n1',
        serviceAccountName: 'db',
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
          { name: 'tmp', ephemeral: {} },
        ],
        containers: [{ name: 'main' }],
      },
    });
    const expected = [
      'PersistentVolumeClaim/ns/data-db-0',
      'PersistentVolumeClaim/ns/db-0-tmp',
      'ServiceAccount/ns/db',
    ];
    assert.deepEqual(
      lines(diff, true),
      expected.map((k) => `+n1 ${k}`),
    );
    assert.deepEqual(cache.objectsFor(node('n1')).map(refKey), expected);
    assert.equal(cache.nodeNeeds(node('n1'), ref('ServiceAccount/ns/db')), true);
    assert.equal(cache.nodeNeeds(node('n2'), ref('ServiceAccount/ns/db')), false);
    assert.equal(cache.nodeNeeds(node('n1'), ref('ServiceAccount/ns/default')), false);
    assert.equal(cache.nodeNeeds(node('n1'), ref('PersistentVolumeClaim/other/data-db-0')), false);
  });

  it('returns sorted, fresh arrays and empty ones for unknown nodes and objects', () => {
    const cache = newCache();
    for (const [name, n] of [
      ['a', 'n3'],
      ['b', 'n1'],
      ['c', 'n2'],
    ] as const) {
      cache.applyPod(pod({ name, node: n, secrets: ['s', 'r'] }));
    }
    assert.deepEqual(cache.nodesFor(ref('Secret/ns/s')), ['n1', 'n2', 'n3']);
    const first = cache.nodesFor(ref('Secret/ns/s'));
    first.pop();
    assert.deepEqual(cache.nodesFor(ref('Secret/ns/s')), ['n1', 'n2', 'n3']);
    assert.deepEqual(cache.objectsFor(node('n1')).map(refKey), [
      'Secret/ns/r',
      'Secret/ns/s',
      'ServiceAccount/ns/default',
    ]);
    assert.deepEqual(cache.nodesFor(ref('Secret/ns/missing')), []);
    assert.deepEqual(cache.objectsFor(node('n9')), []);
    assert.deepEqual(cache.podsOn(node('n9')), []);
  });

  it('reports where a pod is recorded, with the UID last applied', () => {
    const cache = newCache();
    assert.equal(cache.podLocation(podKey('ns', 'a')), undefined);
    cache.applyPod(pod({ name: 'a', uid: 'u1', node: 'n1' }));
    cache.applyPod(pod({ name: 'a', uid: 'u2', node: 'n1' }));
    assert.deepEqual(cache.podLocation(podKey('ns', 'a')), { node: 'n1', uid: 'u2' });
    cache.removePod(podKey('ns', 'a'));
    assert.equal(cache.podLocation(podKey('ns', 'a')), undefined);
  });

  it('returns the shared empty diff when nothing changes', () => {
    const cache = newCache();
    assert.equal(cache.removePod(podKey('ns', 'x')), emptyDiff);
    assert.equal(cache.forgetNode(node('n1')), emptyDiff);
    cache.applyPod(pod({ name: 'a', node: 'n1', secrets: ['s'] }));
    assert.equal(cache.applyPod(pod({ name: 'a', node: 'n1', secrets: ['s'] })), emptyDiff);
  });

  it('throws for a pod without namespace or name, a broken invariant for informer objects', () => {
    assert.throws(() => newCache().applyPod({ spec: { nodeName: 'n1' } }), RangeError);
  });
});

describe('LocationCache.rebuild', () => {
  const pods: readonly PodSketch[] = [
    { name: 'a', node: 'n1', secrets: ['s', 't'], configMaps: ['c'] },
    { name: 'b', node: 'n1', secrets: ['s'] },
    { name: 'c', node: 'n2', secrets: ['s'], configMaps: ['c', 'd'] },
    { name: 'd', secrets: ['u'] },
    { name: 'e', node: 'n3', mirror: true, secrets: ['s'] },
  ];

  it('from a list equals applying the pods one by one', () => {
    const applied = newCache();
    for (const p of pods) applied.applyPod(pod(p));
    const rebuilt = newCache();
    rebuilt.rebuild(pods.map(pod));
    assert.deepEqual(rebuilt.snapshot(), applied.snapshot());
    for (const n of ['n1', 'n2', 'n3']) {
      assert.deepEqual(rebuilt.podsOn(node(n)), applied.podsOn(node(n)), n);
    }
  });

  it('at start-up reports every entry as gained', () => {
    const cache = newCache();
    const diff = cache.rebuild(pods.map(pod));
    assert.deepEqual(diff.gained, cache.snapshot());
    assert.deepEqual(diff.lost, []);
  });

  it('over a non-empty cache returns the difference from the previous state', () => {
    const cache = newCache();
    for (const p of pods) cache.applyPod(pod(p));
    const diff = cache.rebuild([
      pod({ name: 'a', node: 'n1', secrets: ['s'] }),
      pod({ name: 'c', node: 'n4', secrets: ['s'] }),
    ]);
    assert.deepEqual(lines(diff), [
      '+n4 Secret/ns/s',
      '-n1 ConfigMap/ns/c',
      '-n1 Secret/ns/t',
      '-n2 ConfigMap/ns/c',
      '-n2 ConfigMap/ns/d',
      '-n2 Secret/ns/s',
    ]);
    assert.deepEqual(cache.podsOn(node('n1')), ['ns/a']);
  });

  it('keeps the last object of a pod key listed twice', () => {
    const cache = newCache();
    cache.rebuild([
      pod({ name: 'a', node: 'n1', secrets: ['s'] }),
      pod({ name: 'a', node: 'n2', secrets: ['t'] }),
    ]);
    assert.deepEqual(lines({ gained: cache.snapshot(), lost: [] }), ['+n2 Secret/ns/t']);
    assert.deepEqual(cache.podsOn(node('n1')), []);
  });
});
