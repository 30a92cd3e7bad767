/**
 * The operation names of the KubeEdge wire (`route.operation`), grouped by the module that owns them.
 * Source: kubeedge-wire.md §1.3 and §2.3; `kubeedge/kubeedge` v1.23.1 beehive `model/message.go`,
 * `common/constants/default.go` (CSI), `pkg/viaduct/pkg/comm` (control).
 * @module
 */

/** beehive's resource operations. */
export const beehiveOperations = [
  'insert',
  'update',
  'delete',
  'query',
  'patch',
  'upload',
  'response',
  'error',
  'unhold-upgrade',
] as const;

/** cloudhub/edgehub operations: `keepalive` on the wire; the others never leave their process. */
export const hubOperations = ['keepalive', 'connected', 'disconnected', 'connect'] as const;

/** CSI driver operations (cloud → edge only; messages with these ops are never ACKed, spec §5.6). */
export const csiOperations = [
  'createvolume',
  'deletevolume',
  'controllerpublishvolume',
  'controllerunpublishvolume',
] as const;

/** Task-manager operations (node upgrade and image pre-pull jobs). */
export const taskManagerOperations = ['prepull', 'upgrade', 'UpdateNodeActionStatus'] as const;

/** MetaServer (DynamicController) operations. */
export const metaServerOperations = ['applicationResponse'] as const;

/**
 * Viaduct control operations. The WebSocket connection itself answers them and never delivers them
 * (spec §1.3, `pkg/viaduct/pkg/conn/ws.go` filterControlMessage), so we never send them.
 */
export const reservedOperations = ['config', 'ping', 'pong'] as const;

/** Every operation name of spec §2.3 and §1.3. */
export const operations = [
  ...beehiveOperations,
  ...hubOperations,
  ...csiOperations,
  ...taskManagerOperations,
  ...metaServerOperations,
  ...reservedOperations,
] as const;

/** An operation name of spec §2.3. */
export type Operation = (typeof operations)[number];
/** A CSI operation. */
export type CsiOperation = (typeof csiOperations)[number];
/** A task-manager operation. */
export type TaskManagerOperation = (typeof taskManagerOperations)[number];
/** A viaduct control operation. */
export type ReservedOperation = (typeof reservedOperations)[number];

/**
 * The operations an edge request to edgecontroller can carry (the ops of the spec §4.2 table). Any other
 * operation on an edgecontroller resource is unsupported.
 */
export const upstreamOperations = ['insert', 'update', 'delete', 'query', 'patch'] as const;

/** An operation of an edge request. */
export type UpstreamOperation = (typeof upstreamOperations)[number];

/** The operations of a downstream push (spec §3.1). `patch` is excluded: the edge echoes it (errata O4). */
export const pushOperations = ['insert', 'update', 'delete'] as const;

/** An operation of a downstream push. */
export type PushOperation = (typeof pushOperations)[number];

const operationSet: ReadonlySet<string> = new Set(operations);
const reservedSet: ReadonlySet<string> = new Set(reservedOperations);
const csiSet: ReadonlySet<string> = new Set(csiOperations);
const taskManagerSet: ReadonlySet<string> = new Set(taskManagerOperations);
const upstreamSet: ReadonlySet<string> = new Set(upstreamOperations);

/** Whether `value` is an operation name of spec §2.3 (exact, case-sensitive). */
export function isOperation(value: string): value is Operation {
  return operationSet.has(value);
}

/** Whether `value` is `config`, `ping` or `pong`, which the viaduct layer answers by itself. */
export function isReservedOperation(value: string): value is ReservedOperation {
  return reservedSet.has(value);
}

/** Whether `value` is a CSI volume operation. */
export function isCsiOperation(value: string): value is CsiOperation {
  return csiSet.has(value);
}

/** Whether `value` is a task-manager operation. */
export function isTaskManagerOperation(value: string): value is TaskManagerOperation {
  return taskManagerSet.has(value);
}

/** Whether `value` is an operation an edge request may carry. */
export function isUpstreamOperation(value: string): value is UpstreamOperation {
  return upstreamSet.has(value);
}
