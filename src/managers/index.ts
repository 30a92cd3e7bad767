/**
 * managers/: one per kind (Pod, ConfigMap, Secret, Node), each a shared informer (from the factory the
 * composition root hands down) whose add/update/delete events come out typed and filtered for the
 * downstream worker. Pure: no informer is built here.
 * @module
 */
export { Manager } from './manager.js';
export type { ManagedEvent, ManagedKind, ManagerOptions, ManagerSpec } from './manager.js';
export { podManagerSpec, touchesEdgeNode } from './pod-manager.js';
export { configMapManagerSpec, secretManagerSpec } from './object-managers.js';
export { edgeRoleLabel, involvesEdgeRole, nodeManagerSpec } from './node-manager.js';
