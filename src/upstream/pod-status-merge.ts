/**
 * The legacy `podstatus` merge (spec §4.4): how a status reported by the edge is combined with the pod the
 * API server has before `UpdateStatus`, and what happens around it: a pod that is gone (or re-created
 * under another UID) is deleted on the edge, a terminated pod with a deletionTimestamp is deleted in the
 * API. The handler (handlers/pod-status.ts) sequences these; everything here is pure and `now` is a
 * parameter.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go` updatePodStatus,
 * normalizePodStatus, SortInitContainerStatuses, isPodNotRunning.
 * @module
 */
import type { ResourcePath } from '../protocol/index.js';
import { buildResource } from '../protocol/index.js';
import type { Emission } from './decision.js';
import { formatRfc3339, normalizeRfc3339 } from './rfc3339.js';
import type { Pod, PodStatus } from './schemas.js';

/** The conditions whose `lastTransitionTime` the cloud sets (KubeEdge touches only these two). */
export const stampedConditionTypes: readonly string[] = Object.freeze(['Ready', 'Initialized']);

type Condition = NonNullable<PodStatus['conditions']>[number];
type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type ContainerState = NonNullable<ContainerStatus['state']>;

/**
 * The status to write: `reported` merged with what `current` (the pod as read from the API) has.
 *
 * - `Ready` and `Initialized`: `lastTransitionTime` is `now`, unless the current pod has that condition
 *   with the same `status`, in which case its time is kept. Other conditions are written as reported, so
 *   they appear in the API exactly as the edge sent them (times normalized).
 * - `startTime`: the current non-empty value is kept; else the reported one; else `now`.
 * - Every timestamp (startTime, condition probe/transition times, container running/terminated times in
 *   `state` and `lastState`, init containers too) becomes UTC RFC 3339 with whole seconds (truncated).
 * - `containerStatuses` are sorted by name; `initContainerStatuses` follow `spec.initContainers` order.
 *
 * Returns a new status; neither argument is changed. Unknown fields pass through.
 */
export function mergePodStatus(
  current: Readonly<Pod>,
  reported: Readonly<PodStatus>,
  now: number,
): PodStatus {
  const status = structuredClone(reported) as PodStatus;
  const old = current.status;
  for (const type of stampedConditionTypes) {
    const condition = status.conditions?.find((c) => c.type === type);
    if (condition === undefined) continue;
    const previous = old?.conditions?.find((c) => c.type === type);
    condition.lastTransitionTime =
      previous !== undefined && previous.status === condition.status
        ? (previous.lastTransitionTime ?? null)
        : formatRfc3339(now);
  }
  const oldStart = old?.startTime;
  if (typeof oldStart === 'string' && oldStart !== '') status.startTime = oldStart;
  else if (typeof status.startTime !== 'string' || status.startTime === '')
    status.startTime = formatRfc3339(now);
  normalizeTimes(status);
  if (status.containerStatuses) status.containerStatuses.sort((a, b) => compare(a.name, b.name));
  if (status.initContainerStatuses) {
    sortInitContainerStatuses(
      current.spec?.initContainers?.map((c) => c.name) ?? [],
      status.initContainerStatuses,
    );
  }
  return status;
}

/**
 * KubeEdge's `isPodNotRunning`: every container status is terminated or waiting. True for none at all.
 */
export function isPodNotRunning(statuses: readonly ContainerStatus[] | null | undefined): boolean {
  return (statuses ?? []).every((s) => isSet(s.state?.terminated) || isSet(s.state?.waiting));
}

/**
 * Whether the pod must be deleted (grace 0) after its status was written: the written pod has a
 * `deletionTimestamp`, the merged phase is `Succeeded` or `Failed`, and no container is running.
 */
export function isTerminatedAndDeleting(written: Readonly<Pod>, merged: Readonly<PodStatus>): boolean {
  const deleting = typeof written.metadata?.deletionTimestamp === 'string';
  const terminal = merged.phase === 'Succeeded' || merged.phase === 'Failed';
  return deleting && terminal && isPodNotRunning(merged.containerStatuses);
}

/**
 * Whether the reported status is for a pod the API no longer has in that incarnation: the read was
 * NotFound, or the UID differs (an empty reported UID differs from any, as in KubeEdge).
 */
export function isStaleReport(current: Readonly<Pod> | undefined, reportedUid: string | undefined): boolean {
  return current === undefined || (current.metadata?.uid ?? '') !== (reportedUid ?? '');
}

/**
 * The push that removes a pod from the edge that reported it (spec §4.4 step 1): `delete` on
 * `<ns>/pod/<name>` whose content is a minimal Pod, no resourceVersion.
 *
 * KubeEdge sends only namespace and name. The edge deletes its row `WHERE key=? AND value LIKE %<uid>%`
 * (errata Part A omission 1), so without a UID it also deletes a newer incarnation it may already hold
 * under that name. We add the reported UID when there is one, so only the stale incarnation goes, and
 * `apiVersion`/`kind` so the edge's MetaServer store can decode it (errata W2). The UID also gives the
 * per-node queue an object key (KubeEdge keys it `""`, errata U7).
 */
export function staleReportDelete(namespace: string, name: string, reportedUid?: string): Emission {
  const resource: ResourcePath = buildResource({ namespace, resourceType: 'pod', name });
  const metadata =
    reportedUid !== undefined && reportedUid !== ''
      ? { name, namespace, uid: reportedUid }
      : { name, namespace };
  return {
    kind: 'push',
    operation: 'delete',
    resource,
    content: { apiVersion: 'v1', kind: 'Pod', metadata },
  };
}

function normalizeTimes(status: PodStatus): void {
  if (status.startTime !== undefined) status.startTime = normalizeRfc3339(status.startTime);
  for (const condition of status.conditions ?? []) normalizeCondition(condition);
  for (const container of [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])]) {
    if (container.state) normalizeState(container.state);
    if (container.lastState) normalizeState(container.lastState);
  }
}

function normalizeCondition(condition: Condition): void {
  if (condition.lastProbeTime !== undefined)
    condition.lastProbeTime = normalizeRfc3339(condition.lastProbeTime);
  if (condition.lastTransitionTime !== undefined) {
    condition.lastTransitionTime = normalizeRfc3339(condition.lastTransitionTime);
  }
}

function normalizeState(state: ContainerState): void {
  if (state.running?.startedAt !== undefined)
    state.running.startedAt = normalizeRfc3339(state.running.startedAt);
  const terminated = state.terminated;
  if (terminated) {
    if (terminated.startedAt !== undefined) terminated.startedAt = normalizeRfc3339(terminated.startedAt);
    if (terminated.finishedAt !== undefined) terminated.finishedAt = normalizeRfc3339(terminated.finishedAt);
  }
}

// KubeEdge's SortInitContainerStatuses: for each init container in spec order, swap its status into the
// next position. Statuses of unknown containers end up after the known ones, in swap order.
function sortInitContainerStatuses(specOrder: readonly string[], statuses: ContainerStatus[]): void {
  let current = 0;
  for (const name of specOrder) {
    for (let j = current; j < statuses.length; j++) {
      const candidate = statuses[j];
      if (candidate?.name !== name) continue;
      const displaced = statuses[current];
      if (displaced !== undefined) {
        statuses[current] = candidate;
        statuses[j] = displaced;
      }
      current++;
      break;
    }
  }
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
