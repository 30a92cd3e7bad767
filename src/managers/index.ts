/**
 * managers/: one per kind (Pod, ConfigMap, Secret, Node), each a shared informer whose add/update/delete
 * events come out typed and filtered for the downstream worker.
 * @module
 */
export { Manager } from './manager.js';
export type { ManagedEvent, ManagedKind, ManagerOptions, ManagerSpec } from './manager.js';
export { podManagerSpec, touchesEdgeNode } from './pod-manager.js';
export { configMapManagerSpec, secretManagerSpec } from './object-managers.js';
export { edgeRoleLabel, involvesEdgeRole, nodeManagerSpec } from './node-manager.js';
