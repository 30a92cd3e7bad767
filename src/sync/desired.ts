/**
 * What a node should have on its edge, from the caches: its Node, the pods bound to it and the
 * ConfigMaps and Secrets those pods reference (issue 5, reliable sync). The input of repair.ts. Pure: the
 * sync worker reads the stores and the location cache and passes what it read.
 * @module
 */
import type { KubeObjectShape, NodeName, PodObject } from '../protocol/index.js';
import type { ObjectRef } from '../location/index.js';
import type { DesiredObject } from './repair.js';

/**
 * The store reads {@link desiredObjects} makes: the downstream caches answer them (the composition root
 * passes them), declared here so that sync/ does not depend on downstream/.
 */
export interface DesiredLookups {
  readonly getConfigMap: (namespace: string, name: string) => KubeObjectShape | undefined;
  readonly getSecret: (namespace: string, name: string) => KubeObjectShape | undefined;
}

/** What {@link desiredObjects} reads. */
export interface DesiredInput {
  readonly node: NodeName;
  /** The Node from the node store; `undefined` if the store lacks it (then it is not desired). */
  readonly nodeObject: KubeObjectShape | undefined;
  /** The pods bound to the node: the pod store's node index (the same set the location cache records). */
  readonly pods: readonly PodObject[];
  /** What the node's pods reference: the location cache's `objectsFor(node)`. Other kinds are skipped. */
  readonly refs: readonly ObjectRef[];
  readonly lookups: DesiredLookups;
}

/**
 * The node's desired objects: its Node, each pod whose `spec.nodeName` is the node, and each referenced
 * ConfigMap and Secret the stores hold (one that does not exist is not desired; its add event will route
 * it). Pods that are terminating or finished count: the edge holds them until they are deleted.
 */
export function desiredObjects(input: DesiredInput): DesiredObject[] {
  const desired: DesiredObject[] = [];
  if (input.nodeObject !== undefined) desired.push({ kind: 'Node', object: input.nodeObject });
  for (const pod of input.pods) {
    if (pod.spec?.nodeName === input.node) desired.push({ kind: 'Pod', object: pod });
  }
  for (const ref of input.refs) {
    if (ref.kind === 'ConfigMap') {
      const object = input.lookups.getConfigMap(ref.namespace, ref.name);
      if (object !== undefined) desired.push({ kind: 'ConfigMap', object });
    } else if (ref.kind === 'Secret') {
      const object = input.lookups.getSecret(ref.namespace, ref.name);
      if (object !== undefined) desired.push({ kind: 'Secret', object });
    }
  }
  return desired;
}
