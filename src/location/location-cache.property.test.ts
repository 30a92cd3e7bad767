/**
 * Randomized check of LocationCache's promises: random pod adds, reference changes, moves, re-creations
 * with a new UID, unscheduling, deletes, forgotten nodes and rebuilds. After every step:
 * - `nodesFor`, `nodeNeeds`, `objectsFor` and `podsOn` equal what is recomputed from scratch over the
 *   current pods;
 * - the running sum of all diffs (gained added, lost removed) equals the cache's snapshot, and no diff
 *   gains an entry already held or loses one not held.
 * Seeds are fixed so a failure is reproducible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeName } from '../protocol/index.js';
import { LocationCache } from './location-cache.js';
import type { LocationDiff, LocationEntry } from './location-diff.js';
import type { ObjectRef } from './object-ref.js';
import { compareStrings, refKey } from './object-ref.js';
import type { PodKey } from './pod-key.js';
import { podKey, podKeyOf } from './pod-key.js';
import { podReferences } from './pod-references.js';
import type { ContainerShape, PodShape, VolumeShape } from './pod-shape.js';
import { prng } from '../../test/support/prng.js';

// Tests brand node names directly; production code gets them from protocol's parseNodeName.
const nodeOf = (pod: Readonly<PodShape>): NodeName | undefined => {
  const name = pod.spec?.nodeName;
  return name === undefined || name === '' ? undefined : (name as NodeName);
};

const nodes = ['n1', 'n2', 'n3', 'n4'];
const namespaces = ['ns-a', 'ns-b'];
const podNames = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
const objectNames = ['x', 'y', 'z'];

class Model {
  readonly random: () => number;
  readonly cache = new LocationCache({ nodeOf });
  /** The latest object of every pod the cache should hold (bound ones only). */
  readonly current = new Map<PodKey, PodShape>();
  /** The running sum of diffs, by `node key`. */
  readonly held = new Map<string, LocationEntry>();
  uid = 0;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  pick<T>(values: readonly T[]): T {
    const value = values[Math.floor(this.random() * values.length)];
    assert.ok(value !== undefined);
    return value;
  }

  names(): string[] {
    return objectNames.filter(() => this.random() < 0.3);
  }

  randomPod(namespace: string, name: string, uid: string, node: string | undefined): PodShape {
    const volumes: VolumeShape[] = [];
    for (const s of this.names()) volumes.push({ name: `s-${s}`, secret: { secretName: s } });
    for (const c of this.names()) volumes.push({ name: `c-${c}`, configMap: { name: c } });
    for (const s of this.names())
      volumes.push({ name: `csi-${s}`, csi: { nodePublishSecretRef: { name: s } } });
    const projected = [
      ...this.names().map((c) => ({ configMap: { name: c } })),
      ...this.names().map((s) => ({ secret: { name: s } })),
    ];
    if (projected.length > 0) volumes.push({ name: 'proj', projected: { sources: projected } });
    for (const p of this.names()) volumes.push({ name: `pvc-${p}`, persistentVolumeClaim: { claimName: p } });
    if (this.random() < 0.2) volumes.push({ name: 'eph', ephemeral: {} });
    const container = (): ContainerShape => ({
      name: 'c',
      env: this.names().map((s) => ({ name: s, valueFrom: { secretKeyRef: { name: s } } })),
      envFrom: this.names().map((c) => ({ configMapRef: { name: c } })),
    });
    return {
      metadata: {
        namespace,
        name,
        uid,
        ...(this.random() < 0.05 ? { annotations: { 'kubernetes.io/config.mirror': 'm' } } : {}),
      },
      spec: {
        ...(node === undefined ? {} : { nodeName: node }),
        ...(this.random() < 0.5 ? { serviceAccountName: this.pick(objectNames) } : {}),
        imagePullSecrets: this.names().map((s) => ({ name: s })),
        volumes,
        containers: [container()],
        initContainers: this.random() < 0.3 ? [container()] : [],
        ephemeralContainers: this.random() < 0.1 ? [container()] : [],
      },
    };
  }

  step(): void {
    const roll = this.random();
    const namespace = this.pick(namespaces);
    const name = this.pick(podNames);
    const key = podKey(namespace, name);
    const existing = this.current.get(key);
    if (roll < 0.55) {
      // Add, or update references in place (same UID, same node).
      const uid = existing?.metadata?.uid ?? `u${String(++this.uid)}`;
      const node = existing?.spec?.nodeName ?? this.pick(nodes);
      this.apply(this.randomPod(namespace, name, uid, node));
    } else if (roll < 0.65) {
      // Move: same pod, another node.
      this.apply(this.randomPod(namespace, name, existing?.metadata?.uid ?? 'u0', this.pick(nodes)));
    } else if (roll < 0.72) {
      // Re-created: new UID, maybe another node.
      this.apply(this.randomPod(namespace, name, `u${String(++this.uid)}`, this.pick(nodes)));
    } else if (roll < 0.77) {
      // Unscheduled (or bound to a node the caller does not count).
      this.apply(this.randomPod(namespace, name, `u${String(++this.uid)}`, undefined));
    } else if (roll < 0.95) {
      this.current.delete(key);
      this.account(this.cache.removePod(key));
    } else if (roll < 0.98) {
      const node = this.pick(nodes);
      for (const [k, p] of this.current) if (p.spec?.nodeName === node) this.current.delete(k);
      this.account(this.cache.forgetNode(node as NodeName));
    } else {
      const diff = this.cache.rebuild([...this.current.values()]);
      assert.deepEqual(diff, { gained: [], lost: [] }, 'a rebuild from the current pods changes nothing');
    }
  }

  apply(pod: PodShape): void {
    const key = podKeyOf(pod);
    if (nodeOf(pod) === undefined) this.current.delete(key);
    else this.current.set(key, pod);
    this.account(this.cache.applyPod(pod));
  }

  account(diff: LocationDiff): void {
    for (const entry of diff.gained) {
      const id = `${entry.node} ${refKey(entry.object)}`;
      assert.ok(!this.held.has(id), `gained ${id} twice`);
      this.held.set(id, entry);
    }
    for (const entry of diff.lost) {
      const id = `${entry.node} ${refKey(entry.object)}`;
      assert.ok(this.held.delete(id), `lost ${id} that was not held`);
    }
  }

  check(): void {
    // From scratch: object key → nodes, node → objects, node → pods.
    const nodesByObject = new Map<string, Set<string>>();
    const objectsByNode = new Map<string, Map<string, ObjectRef>>();
    const podsByNode = new Map<string, string[]>();
    for (const [key, pod] of this.current) {
      const node = pod.spec?.nodeName ?? '';
      podsByNode.set(node, [...(podsByNode.get(node) ?? []), key]);
      for (const ref of podReferences(pod)) {
        const k = refKey(ref);
        nodesByObject.set(k, (nodesByObject.get(k) ?? new Set()).add(node));
        objectsByNode.set(node, (objectsByNode.get(node) ?? new Map<string, ObjectRef>()).set(k, ref));
      }
    }
    const universe: ObjectRef[] = [];
    for (const kind of ['ConfigMap', 'PersistentVolumeClaim', 'Secret', 'ServiceAccount'] as const) {
      for (const namespace of namespaces) {
        for (const name of [...objectNames, ...podNames.map((p) => `${p}-eph`), 'default']) {
          universe.push({ kind, namespace, name });
        }
      }
    }
    for (const ref of universe) {
      const expected = [...(nodesByObject.get(refKey(ref)) ?? [])].sort(compareStrings);
      assert.deepEqual(this.cache.nodesFor(ref), expected, refKey(ref));
      for (const node of nodes) {
        assert.equal(
          this.cache.nodeNeeds(node as NodeName, ref),
          expected.includes(node),
          `${node} ${refKey(ref)}`,
        );
      }
    }
    for (const node of nodes) {
      const objects = [...(objectsByNode.get(node)?.keys() ?? [])].sort(compareStrings);
      assert.deepEqual(this.cache.objectsFor(node as NodeName).map(refKey), objects, node);
      assert.deepEqual(
        this.cache.podsOn(node as NodeName),
        (podsByNode.get(node) ?? []).sort(compareStrings),
        node,
      );
    }
    const held = [...this.held.keys()].sort(compareStrings);
    const snapshot = this.cache.snapshot().map((e) => `${e.node} ${refKey(e.object)}`);
    assert.deepEqual(snapshot, held, 'the sum of all diffs equals the current state');
  }
}

describe('LocationCache (randomized)', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_991]) {
    it(`keeps nodesFor equal to a recomputation and diffs summing to the state (seed ${String(seed)})`, () => {
      const model = new Model(seed);
      for (let i = 0; i < 600; i += 1) {
        model.step();
        model.check();
      }
      // Drain: deleting every pod loses everything that was gained.
      for (const key of [...model.current.keys()]) {
        model.current.delete(key);
        model.account(model.cache.removePod(key));
      }
      model.check();
      assert.equal(model.held.size, 0);
      assert.deepEqual(model.cache.snapshot(), []);
    });
  }
});
