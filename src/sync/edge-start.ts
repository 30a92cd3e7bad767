/**
 * The signal that an edge's store may be empty. A real EdgeCore inserts its own Node on every process
 * start (its kubelet registers; `edge/pkg/edged` → metamanager `insert` of `<ns>/node/<name>`), which is
 * also what a re-imaged edge does first; a reconnect of a running EdgeCore does not. So that insert
 * triggers a full resync (sync-worker.ts `resync`). Pure.
 * @module
 */
import { parseResource } from '../protocol/index.js';
import type { Message, NodeName } from '../protocol/index.js';

/** Whether `message`, received from `node`, is that node inserting its own Node: the edge started. */
export function isEdgeStart(node: NodeName, message: Message): boolean {
  if (message.route.operation !== 'insert') return false;
  const resource = parseResource(message.route.resource ?? '');
  return resource?.resourceType === 'node' && resource.name === node;
}
