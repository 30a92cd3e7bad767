/**
 * The downstream controller (KubeEdge edgecontroller `downstream.go`): the four managers (one shared
 * informer per kind from the factory the composition root hands down, filtered typed events), the
 * edge-node set and the location cache, and for every informer event the pure plan carried out through
 * the hub. The informers are the factory's: it starts and stops them, not this worker. Handlers run synchronously in the informer's event turn; the hub's per-node queues keep
 * only the latest version of each object, so a burst of updates costs one send per object per node.
 *
 * Start-up: the informers' initial lists are not planned (that would re-push every object to every node);
 * once all are synced the location cache is rebuilt from the stores, and reliable sync's repair on connect
 * (and its periodic pass) sends each node what it lacks.
 * @module
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { indexNames, objectKey } from '../kube/index.js';
import type { KubeObject, ObjectKey, PodPlacement, SharedInformers } from '../kube/index.js';
import {
  Manager,
  configMapManagerSpec,
  nodeManagerSpec,
  podManagerSpec,
  secretManagerSpec,
} from '../managers/index.js';
import { LocationCache, parsePodKey, podKeyOf } from '../location/index.js';
import type { ObjectRef } from '../location/index.js';
import type { Logger } from '../observability/index.js';
import { parseNodeName } from '../protocol/index.js';
import type { NodeName, PushSpec } from '../protocol/index.js';
import type { Decision } from './decision.js';
import { nodeTransition } from './node-rules.js';
import { pushContentDefaults } from '../protocol/index.js';
import type { KubeObjectShape, NodeObject, PodObject, PushContentOptions } from '../protocol/index.js';
import type { InformerEvent } from './informer-event.js';
import { planNodeEvent, planObjectEvent, planPodEvent } from './plan.js';
import type { ObjectLookups } from './plan.js';

/** What the downstream worker needs from the hub. */
export interface DownstreamHub {
  /**
   * Hands a push to a node. The message (its id and time) is made when it leaves, which may be a few turns
   * of the event loop later for a large fan-out (sync/outbox.ts): one shared push per object version,
   * not one message per node, waits meanwhile.
   */
  deliver(node: NodeName, push: PushSpec): unknown;
  forgetNode(node: NodeName): void;
}

/** Options of {@link DownstreamWorker}. */
export interface DownstreamWorkerOptions {
  /** The shared-informer factory the managers' informers come from (started by the caller). */
  readonly informers: Pick<SharedInformers, 'informerFor'>;
  readonly hub: DownstreamHub;
  readonly logger: Logger;
  /** Called when a node is deleted (its reliable-sync records go). */
  readonly onNodeDeleted?: (node: NodeName) => void;
  /** Content options of every push; default: managedFields stripped. */
  readonly content?: PushContentOptions;
  /** Pods placed in the location cache per turn of the event loop at start; default 2,000. */
  readonly podsPerTurn?: number;
}

/**
 * At start, the pods are placed in the location cache this many per turn of the event loop: 100,000 pods
 * in one turn held it for seconds (a rebuild, its diff sorted, issue 15).
 */
const defaultPodsPerTurn = 2_000;

/**
 * `listing`: the informers have not all listed; events are ignored (the start reads the stores).
 * `locating`: the location cache is being filled from the stores over several turns; pod and Node events
 * update the caches but push nothing (repair on connect sends what is missing, as for the initial list).
 * `ready`: every event is planned and carried out.
 */
type Phase = 'listing' | 'locating' | 'ready';

type Pod = PodPlacement;
type Obj = KubeObject & KubeObjectShape;

/** Informers, edge-node set and location cache, and the event → push loop. */
export class DownstreamWorker {
  readonly pods: Manager<Pod>;
  readonly configMaps: Manager<Obj>;
  readonly secrets: Manager<Obj>;
  readonly nodes: Manager<Obj>;
  readonly location: LocationCache;
  readonly lookups: ObjectLookups;
  readonly #options: DownstreamWorkerOptions;
  readonly #edgeNodes = new Set<NodeName>();
  readonly #content: PushContentOptions;
  #phase: Phase = 'listing';

  constructor(options: DownstreamWorkerOptions) {
    this.#options = options;
    this.#content = options.content ?? pushContentDefaults;
    const common = { informers: options.informers };
    const isEdge = (name: string): boolean => {
      const node = parseNodeName(name);
      return node !== undefined && this.#edgeNodes.has(node);
    };
    this.pods = new Manager<Pod>(podManagerSpec(isEdge), common);
    this.configMaps = new Manager<Obj>(configMapManagerSpec, common);
    this.secrets = new Manager<Obj>(secretManagerSpec, common);
    this.nodes = new Manager<Obj>(nodeManagerSpec, common);
    this.location = new LocationCache({
      nodeOf: (pod) => {
        const node = parseNodeName(pod.spec?.nodeName);
        return node !== undefined && this.#edgeNodes.has(node) ? node : undefined;
      },
    });
    this.lookups = {
      getConfigMap: (namespace, name) => this.configMaps.store.get(objectKey(namespace, name)),
      getSecret: (namespace, name) => this.secrets.store.get(objectKey(namespace, name)),
    };
    this.pods.onEvent((e) => {
      if (this.#phase !== 'listing') this.#onPod(e);
    });
    this.configMaps.onEvent((e) => {
      if (this.#phase === 'ready') this.#onObject('ConfigMap', e);
    });
    this.secrets.onEvent((e) => {
      if (this.#phase === 'ready') this.#onObject('Secret', e);
    });
    this.nodes.onEvent((e) => {
      if (this.#phase !== 'listing') this.#onNode(e);
    });
  }

  /** Whether every informer has listed once and the location cache is built. */
  get isReady(): boolean {
    return this.#phase === 'ready';
  }

  isEdgeNode(node: NodeName): boolean {
    return this.#edgeNodes.has(node);
  }

  /** The pods bound to a node, from the pod store's node index. */
  podsOn(node: NodeName): readonly PodObject[] {
    return this.pods.store.byIndex(indexNames.byNodeName, node);
  }

  /** The Node object of an edge node, if the store has it. */
  nodeObject(node: NodeName): KubeObjectShape | undefined {
    return this.#edgeNodes.has(node) ? this.nodes.store.get(objectKey(undefined, node)) : undefined;
  }

  /** What a node's pods reference (for repair and authorization). */
  objectsFor(node: NodeName): readonly ObjectRef[] {
    return this.location.objectsFor(node);
  }

  /**
   * Resolves once the managers' informers (started by the factory's owner) have all listed and the
   * location cache is built. The pods are placed over several turns of the event loop; each is read from
   * the store when it is placed, and events meanwhile update the cache, so it ends as one rebuild over the
   * stores at the end would leave it (the cache keeps only the latest object per pod).
   */
  async whenSynced(): Promise<void> {
    const managers = [this.pods, this.configMaps, this.secrets, this.nodes];
    await Promise.all(managers.map((m) => m.whenSynced()));
    for (const node of this.nodes.store.list()) {
      const name = parseNodeName(node.metadata.name);
      const transition =
        name === undefined ? undefined : nodeTransition({ type: 'add', object: node }, () => false);
      if (name !== undefined && transition?.kind === 'joined') this.#edgeNodes.add(name);
    }
    this.#phase = 'locating';
    const keys = this.pods.store.keys();
    const perTurn = Math.max(1, this.#options.podsPerTurn ?? defaultPodsPerTurn);
    for (let start = 0; start < keys.length; start += perTurn) {
      if (start > 0) await yieldTurn();
      for (const key of keys.slice(start, start + perTurn)) this.#locate(key);
    }
    this.#phase = 'ready';
    this.#options.logger.info(
      { edgeNodes: this.#edgeNodes.size, pods: this.pods.store.size },
      'Downstream caches synced',
    );
  }

  /** Places one pod key in the location cache as the store has it now (start-up). */
  #locate(key: ObjectKey): void {
    const pod = this.pods.store.get(key);
    if (pod !== undefined) {
      this.location.applyPod(pod);
      return;
    }
    const gone = parsePodKey(key);
    if (gone !== undefined) this.location.removePod(gone);
  }

  #onPod(event: InformerEvent<Pod>): void {
    const diff =
      event.type === 'delete'
        ? this.location.removePod(podKeyOf(event.object))
        : this.location.applyPod(event.object);
    if (this.#phase !== 'ready') return;
    this.#carryOut(
      planPodEvent({
        event,
        diff,
        isEdgeNode: (n) => this.#edgeNodes.has(n),
        lookups: this.lookups,
        content: this.#content,
      }),
    );
  }

  #onObject(kind: 'ConfigMap' | 'Secret', event: InformerEvent<Obj>): void {
    this.#carryOut(
      planObjectEvent({
        kind,
        event,
        nodesFor: (ref) => this.location.nodesFor(ref),
        content: this.#content,
      }),
    );
  }

  #onNode(event: InformerEvent<NodeObject & KubeObject>): void {
    const transition = nodeTransition(event, (n) => this.#edgeNodes.has(n));
    let pods: readonly PodObject[] = [];
    const diffs = [];
    switch (transition.kind) {
      case 'joined':
        this.#edgeNodes.add(transition.node);
        pods = this.podsOn(transition.node);
        for (const pod of pods) diffs.push(this.location.applyPod(pod));
        this.#options.logger.info({ node: transition.node }, 'Node became an edge node');
        break;
      case 'left':
      case 'deleted':
        this.#edgeNodes.delete(transition.node);
        this.location.forgetNode(transition.node);
        this.#options.logger.info(
          { node: transition.node, reason: transition.kind },
          'Node is no longer an edge node',
        );
        break;
      case 'changed':
      case 'unchanged':
      case 'ignored':
        break;
    }
    if (this.#phase !== 'ready') return;
    this.#carryOut(
      planNodeEvent({ event, transition, pods, diffs, lookups: this.lookups, content: this.#content }),
    );
  }

  #carryOut(decisions: readonly Decision[]): void {
    for (const decision of decisions) {
      if (decision.kind === 'deliver') {
        this.#options.hub.deliver(decision.node, decision.push);
      } else {
        this.#options.hub.forgetNode(decision.node);
        if (decision.reason === 'deleted') this.#options.onNodeDeleted?.(decision.node);
      }
    }
  }
}
