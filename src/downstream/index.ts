/**
 * downstream/: Kubernetes → edge planning. From an informer event (Pod, ConfigMap, Secret, Node), the
 * location cache's diff and store lookups, the ordered decisions: which push goes to which edge node, or
 * which node to forget. Pure: no I/O, no timers, no clock, no ids; the downstream worker stamps each
 * push with an id and time ({@link toMessage}) and hands it to `hub.enqueue(node, message)`.
 *
 * Flow per event: `nodeTransition` (Node events) → update the edge-node set / location cache → one of
 * {@link planPodEvent}, {@link planObjectEvent}, {@link planNodeEvent} → carry out the decisions in order.
 * Imports protocol/ (object shapes and the push encoding, shared with sync/) and location/ types.
 * @module
 */
export type { Decision, Delivery, ForgetNode } from './decision.js';
export { edgeNodeLabel, hasEdgeRole, nodeTransition } from './node-rules.js';
export type { NodeTransition } from './node-rules.js';
export { hasMeaningfulChange, ignoredMetadataFields, isJsonEqual } from './object-change.js';
export type { InformerEvent } from './informer-event.js';
export { planNodeEvent, planObjectEvent, planPodEvent } from './plan.js';
export type { NodePlanInput, ObjectLookups, ObjectPlanInput, PodPlanInput } from './plan.js';
export { arrival, edgeNodeOf, podPushes } from './pod-rules.js';
export type { IsEdgeNode, PodPush } from './pod-rules.js';
export { DownstreamWorker } from './downstream-worker.js';
export type { DownstreamHub, DownstreamWorkerOptions } from './downstream-worker.js';
