/**
 * The PodStatus the simulated EdgeCore's fake runtime reports, and the `podpatch` content string that
 * carries it upstream (kubeedge-wire.md §4.7). It follows the kubelet v1.32 that EdgeCore v1.23.1 embeds:
 * `generateAPIPodStatus` and `getPhase` (`pkg/kubelet/kubelet_pods.go`), the condition generators
 * (`pkg/kubelet/status/generate.go`) and the status manager, which keeps a condition's
 * `lastTransitionTime` while its status does not change. Pure: time comes in as `now`.
 *
 * Failure modes (documented in docs of the simulator and here):
 * - a container whose image contains `fail` cannot be pulled: waiting `ErrImagePull`, pod Pending;
 * - a container whose command or args has an element `false` (or ending in `/false`) exits with code 1:
 *   `CrashLoopBackOff` with the last termination `Error` (restartPolicy Always/OnFailure, pod Running),
 *   or terminated `Error` and pod Failed (restartPolicy Never);
 * - annotation {@link failAnnotation} forces either mode per container: `web=image,side=crash`, `*=crash`.
 * @module
 */
import { qosClassOf } from './qos-class.js';
import type { QosClass } from './qos-class.js';
import type { SimContainer, SimPod } from './sim-pod.js';

/** Annotation that marks containers failing: comma-separated `<container|*>=<image|crash>`. */
export const failAnnotation = 'sim.edge-controller.io/fail';

/** How a fake container fails, if it does. */
export type FailMode = 'image' | 'crash';

/** Where the fake runtime is with a pod. */
export type RuntimeStage = 'pending' | 'running' | 'stopped';

/** The fake runtime's record of one pod; times in ms since the epoch. */
export interface RuntimeState {
  readonly stage: RuntimeStage;
  /** When the edge accepted the pod: `status.startTime`. */
  readonly acceptedAtMs: number;
  /** When the containers started (stage `running` and later). */
  readonly startedAtMs?: number;
  /** When the containers were stopped (stage `stopped`). */
  readonly stoppedAtMs?: number;
}

/** A pod condition as the kubelet writes it. */
export interface PodCondition {
  readonly type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready';
  readonly status: 'True' | 'False';
  readonly lastProbeTime: null;
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

/** `state` / `lastState` of a container status (at most one key set). */
export interface ContainerState {
  readonly waiting?: { readonly reason: string; readonly message?: string };
  readonly running?: { readonly startedAt: string };
  readonly terminated?: {
    readonly exitCode: number;
    readonly reason: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly containerID?: string;
  };
}

/** One container status. */
export interface ContainerStatus {
  readonly name: string;
  readonly image: string;
  readonly imageID: string;
  readonly containerID?: string;
  readonly ready: boolean;
  readonly started: boolean;
  readonly restartCount: number;
  readonly state: ContainerState;
  readonly lastState: ContainerState;
}

/** The PodStatus fields the simulator reports. */
export interface PodStatus {
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly conditions: readonly PodCondition[];
  readonly hostIP: string;
  readonly hostIPs: readonly { readonly ip: string }[];
  readonly podIP?: string;
  readonly podIPs?: readonly { readonly ip: string }[];
  readonly startTime: string;
  readonly qosClass: QosClass;
  readonly initContainerStatuses?: readonly ContainerStatus[];
  readonly containerStatuses: readonly ContainerStatus[];
}

/** What {@link podStatus} needs besides the pod and its runtime state. */
export interface PodStatusOptions {
  readonly hostIP: string;
  readonly podIP: string;
  readonly now: number;
  /** The status last reported, to keep unchanged conditions' transition times. */
  readonly previous?: PodStatus;
}

/** RFC 3339 with seconds precision, as `metav1.Time` serializes. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How `container` of `pod` fails, per the rules in the module header; `undefined` when it does not. */
export function failModeOf(pod: SimPod, container: SimContainer): FailMode | undefined {
  for (const entry of (pod.metadata.annotations?.[failAnnotation] ?? '').split(',')) {
    const [name = '', mode = ''] = entry.split('=').map((s) => s.trim());
    if ((name === container.name || name === '*') && (mode === 'image' || mode === 'crash')) return mode;
  }
  if (container.image?.includes('fail') === true) return 'image';
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.some((a) => a === 'false' || a.endsWith('/false'))) return 'crash';
  return undefined;
}

/** The status the fake runtime reports for `pod` in `state`. */
export function podStatus(pod: SimPod, state: RuntimeState, options: PodStatusOptions): PodStatus {
  const restartPolicy = pod.spec.restartPolicy ?? 'Always';
  const inits = pod.spec.initContainers ?? [];
  const ctx: Ctx = { pod, state, restartPolicy, id: pod.metadata.uid ?? pod.metadata.name };
  // Init containers run in order; the first one that fails blocks the rest and every regular container.
  let blocked = state.stage === 'pending';
  const initStatuses = inits.map((c) => {
    const status = blocked ? waiting(c, 'PodInitializing') : initStatus(ctx, c);
    if (status.state.terminated?.exitCode !== 0) blocked = true;
    return status;
  });
  const regular = pod.spec.containers.map((c) =>
    blocked
      ? waiting(c, inits.length > 0 ? 'PodInitializing' : 'ContainerCreating')
      : containerStatus(ctx, c),
  );
  const initialized = initStatuses.every((s) => s.state.terminated?.exitCode === 0);
  const phase = phaseOf(state.stage, restartPolicy, initStatuses, regular, initialized);
  const conditions = conditionsOf(phase, initStatuses, regular, initialized, options);
  return {
    phase,
    conditions,
    hostIP: options.hostIP,
    hostIPs: [{ ip: options.hostIP }],
    ...(state.stage === 'pending' ? {} : { podIP: options.podIP, podIPs: [{ ip: options.podIP }] }),
    startTime: rfc3339(state.acceptedAtMs),
    qosClass: qosClassOf(pod.spec),
    ...(inits.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: regular,
  };
}

/**
 * The `podpatch` content as the edge sends it (§4.7): a strategic-merge patch of the status subresource,
 * as a JSON string, with `metadata.uid` (the API server rejects it on a UID mismatch) and the conditions'
 * order. Unlike the kubelet's two-way diff it carries the whole status, which merges to the same result.
 */
export function podPatchContent(uid: string, status: PodStatus): string {
  return JSON.stringify({
    metadata: { uid },
    status: { '$setElementOrder/conditions': status.conditions.map((c) => ({ type: c.type })), ...status },
  });
}

interface Ctx {
  readonly pod: SimPod;
  readonly state: RuntimeState;
  readonly restartPolicy: 'Always' | 'OnFailure' | 'Never';
  readonly id: string;
}

function base(c: SimContainer): Pick<ContainerStatus, 'name' | 'image' | 'imageID'> {
  const image = c.image ?? '';
  return { name: c.name, image, imageID: '' };
}

function waiting(c: SimContainer, reason: string, message?: string): ContainerStatus {
  return {
    ...base(c),
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: message === undefined ? { reason } : { reason, message } },
    lastState: {},
  };
}

function initStatus(ctx: Ctx, c: SimContainer): ContainerStatus {
  const started = rfc3339(ctx.state.startedAtMs ?? ctx.state.acceptedAtMs);
  const mode = failModeOf(ctx.pod, c);
  if (mode !== undefined) return failed(ctx, c, mode);
  return {
    ...base(c),
    imageID: imageId(c),
    containerID: containerId(ctx, c),
    ready: true,
    started: false,
    restartCount: 0,
    state: {
      terminated: {
        exitCode: 0,
        reason: 'Completed',
        startedAt: started,
        finishedAt: started,
        containerID: containerId(ctx, c),
      },
    },
    lastState: {},
  };
}

function containerStatus(ctx: Ctx, c: SimContainer): ContainerStatus {
  const mode = failModeOf(ctx.pod, c);
  if (mode !== undefined) return failed(ctx, c, mode);
  const startedAt = rfc3339(ctx.state.startedAtMs ?? ctx.state.acceptedAtMs);
  const id = containerId(ctx, c);
  const common = { ...base(c), imageID: imageId(c), containerID: id, restartCount: 0, lastState: {} };
  if (ctx.state.stage === 'stopped') {
    const finishedAt = rfc3339(ctx.state.stoppedAtMs ?? ctx.state.acceptedAtMs);
    return {
      ...common,
      ready: false,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt, containerID: id } },
    };
  }
  return { ...common, ready: true, started: true, state: { running: { startedAt } } };
}

function failed(ctx: Ctx, c: SimContainer, mode: FailMode): ContainerStatus {
  const image = c.image ?? '';
  if (mode === 'image') {
    return waiting(
      c,
      'ErrImagePull',
      `failed to pull and unpack image "${image}": simulated pull failure (${failAnnotation})`,
    );
  }
  const at = rfc3339(ctx.state.startedAtMs ?? ctx.state.acceptedAtMs);
  const id = containerId(ctx, c);
  const terminated = { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at, containerID: id };
  const common = { ...base(c), imageID: imageId(c), containerID: id, ready: false, started: false };
  if (ctx.restartPolicy === 'Never') {
    return { ...common, restartCount: 0, state: { terminated }, lastState: {} };
  }
  const { name, namespace = 'default' } = ctx.pod.metadata;
  return {
    ...common,
    restartCount: 1,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 10s restarting failed container=${c.name} pod=${name}_${namespace}(${ctx.id})`,
      },
    },
    lastState: { terminated },
  };
}

// kubelet getPhase (v1.32): a waiting container without a last termination keeps the pod Pending; a
// crash-looping one counts as stopped, which with Always/OnFailure means Running (restarting).
function phaseOf(
  stage: RuntimeStage,
  restartPolicy: Ctx['restartPolicy'],
  inits: readonly ContainerStatus[],
  regular: readonly ContainerStatus[],
  initialized: boolean,
): PodStatus['phase'] {
  if (!initialized) {
    const initFailedForGood = inits.some((s) => (s.state.terminated?.exitCode ?? 0) !== 0);
    return initFailedForGood && restartPolicy === 'Never' ? 'Failed' : 'Pending';
  }
  let waitingCount = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    if (s.state.running !== undefined) running += 1;
    else if (s.state.terminated !== undefined) {
      stopped += 1;
      if (s.state.terminated.exitCode === 0) succeeded += 1;
    } else if (s.lastState.terminated !== undefined) stopped += 1;
    else waitingCount += 1;
  }
  if (waitingCount > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  // A pod being deleted is terminal: its containers are not restarted whatever the policy.
  if (stage === 'stopped') return succeeded === stopped ? 'Succeeded' : 'Failed';
  if (restartPolicy === 'Always') return 'Running';
  if (succeeded === stopped) return 'Succeeded';
  return restartPolicy === 'Never' ? 'Failed' : 'Running';
}

function conditionsOf(
  phase: PodStatus['phase'],
  inits: readonly ContainerStatus[],
  regular: readonly ContainerStatus[],
  initialized: boolean,
  options: PodStatusOptions,
): PodCondition[] {
  const done = phase === 'Succeeded' || phase === 'Failed';
  const incomplete = inits.filter((s) => s.state.terminated?.exitCode !== 0).map((s) => s.name);
  const unready = regular.filter((s) => !s.ready).map((s) => s.name);
  const ready = unready.length === 0 && !done;
  const notReady = done
    ? { reason: 'PodCompleted' }
    : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const fresh: Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>[] = [
    { type: 'PodScheduled', status: 'True' },
    initialized
      ? {
          type: 'Initialized',
          status: 'True',
          ...(done && inits.length > 0 ? { reason: 'PodCompleted' } : {}),
        }
      : {
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: [${incomplete.join(' ')}]`,
        },
    ready
      ? { type: 'ContainersReady', status: 'True' }
      : { type: 'ContainersReady', status: 'False', ...notReady },
    ready ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', ...notReady },
  ];
  return fresh.map((c) => {
    const old = options.previous?.conditions.find((p) => p.type === c.type);
    const lastTransitionTime =
      old !== undefined && old.status === c.status ? old.lastTransitionTime : rfc3339(options.now);
    return { ...c, lastProbeTime: null, lastTransitionTime };
  });
}

function containerId(ctx: Ctx, c: SimContainer): string {
  return `fake://${ctx.id}/${c.name}`;
}

function imageId(c: SimContainer): string {
  return `fake://${c.image ?? ''}`;
}
