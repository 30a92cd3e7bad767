/**
 * The fake container runtime of a simulated EdgeCore (edge-node-client.ts): what edged does with a pushed
 * pod. Before starting it, it queries the ConfigMaps/Secrets the pod references that are not in the
 * node's store and a ServiceAccount token for each projected token volume; it reports Pending, then
 * Running after a delay, through `podpatch`; a pod carrying a deletionTimestamp is stopped, reported
 * terminal and deleted upstream with DeleteOptions (grace 0, UID precondition); it sends kubelet Events.
 * Statuses come from pod-status.ts (pure). Like a kubelet, it tries again {@link kubeletRetryMs} later what
 * the cloud refused or did not answer: a pod whose ConfigMap/Secret/token query failed is started again
 * (the pod worker's back-off), and a status not accepted is reported again (the status manager's sync
 * tick). Shell: timers.
 * @module
 */
import type { Message, MessageStamp } from '../protocol/index.js';
import { parseResource } from '../protocol/index.js';
import type { MetaStore } from './edge-client.js';
import {
  eventInsert,
  kubeletEvent,
  objectQuery,
  podDelete,
  podPatch,
  readReply,
  serviceAccountTokenQuery,
} from './edge-messages.js';
import type { EventSubject } from './edge-messages.js';
import { failModeOf, podPatchContent, podStatus } from './pod-status.js';
import type { PodStatus, RuntimeState } from './pod-status.js';
import { isSimPod, podRefs } from './sim-pod.js';
import { decodeTypedReply } from './typed-reply.js';
import type { SimPod } from './sim-pod.js';

/** What the runtime needs from its node: the link, the store and the clock. */
export interface EdgeLink {
  readonly nodeName: string;
  /** The node's meta store; query replies and podpatch replies are written here. */
  readonly store: MetaStore;
  isConnected(): boolean;
  /** Sends a request and resolves with its reply; rejects when not connected or on timeout. */
  request(message: Message): Promise<Message>;
  /** ACKs a reply the edge stored (metamanager processRemote). */
  ack(reply: Message): void;
  /** Sends without waiting (events). */
  send(message: Message): void;
  /** A fresh id and the current time. */
  stamp(): MessageStamp;
  now(): number;
  /** Reports a failure (the node emits it as `failure`). */
  fail(err: unknown): void;
}

/** Payload of the node's `pod-status` event. */
export interface PodStatusEvent {
  /** Wire key `<ns>/pod/<name>`. */
  readonly key: string;
  readonly status: PodStatus;
  /** Whether the cloud accepted the patch. */
  readonly accepted: boolean;
}

/** Options of {@link FakeRuntime}. */
export interface FakeRuntimeOptions {
  readonly link: EdgeLink;
  /** The node's InternalIP, reported as the pods' hostIP. */
  readonly hostIP: string;
  /** Time a pod stays Pending before its containers run, in ms. */
  readonly podStartDelayMs: number;
  /** Send kubelet Events for pod lifecycle. */
  readonly sendEvents: boolean;
  readonly onStatus: (event: PodStatusEvent) => void;
  readonly onDeleted: (key: string) => void;
  /**
   * Runs `callback` after `delayMs` and returns its cancel function. Default: `setTimeout`. Unit tests
   * pass a manual scheduler to step the runtime without real timers.
   */
  readonly schedule?: (callback: () => void, delayMs: number) => () => void;
}

/**
 * How long until a failed pod start or an unaccepted status is tried again, ms: the kubelet's pod worker
 * back-off after a sync error (v1.32 `pkg/kubelet/kubelet.go` backOffPeriod, 10 s) and its status
 * manager's sync period (`pkg/kubelet/status/status_manager.go` syncPeriod, 10 s). Without it, a query
 * refused while the cloud was saturated left the pod Pending for good (5 of 10,000 pods in a loaded
 * 1,000-node fleet bench).
 */
export const kubeletRetryMs = 10_000;

function scheduleWithTimer(callback: () => void, delayMs: number): () => void {
  const timer = setTimeout(callback, delayMs);
  return () => {
    clearTimeout(timer);
  };
}

interface PodRun {
  pod: SimPod;
  state: RuntimeState;
  status?: PodStatus;
  cancelTimer?: (() => void) | undefined;
  /** Cancels the pending status retry. */
  cancelStatusRetry?: (() => void) | undefined;
  isDeleting: boolean;
  /** The latest status has not been accepted by the cloud yet (never sent, sent offline, or refused). */
  isReportPending?: boolean;
  readonly podIP: string;
}

/** The pods one simulated node runs. Not thread-safe; one per node. */
export class FakeRuntime {
  readonly #options: FakeRuntimeOptions;
  readonly #link: EdgeLink;
  readonly #schedule: (callback: () => void, delayMs: number) => () => void;
  readonly #pods = new Map<string, PodRun>();
  readonly #inflight = new Set<Promise<void>>();
  #podIpCount = 0;

  constructor(options: FakeRuntimeOptions) {
    this.#options = options;
    this.#link = options.link;
    this.#schedule = options.schedule ?? scheduleWithTimer;
  }

  /** The last status reported per pod key. */
  get statuses(): ReadonlyMap<string, PodStatus | undefined> {
    return new Map([...this.#pods].map(([key, run]) => [key, run.status]));
  }

  /**
   * Re-reports the pods whose latest status the cloud has not accepted (after a reconnect). The kubelet
   * status manager resends only those: an accepted status is recorded as the API's version and not sent
   * again (v1.32 `pkg/kubelet/status/status_manager.go` syncBatch, needsUpdate). It does so on its 10 s
   * sync tick; the simulator at once.
   */
  async reportAll(): Promise<void> {
    for (const [key, run] of this.#pods) {
      if (!run.isDeleting && run.isReportPending !== false) await this.#report(key, run);
    }
  }

  /** Resolves when the work started so far (queries, patches, deletes) has finished. */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  #track(work: Promise<void>): Promise<void> {
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
    return work;
  }

  /** Forgets every pod and cancels its timers (node stop). */
  clear(): void {
    for (const run of this.#pods.values()) cancelTimers(run);
    this.#pods.clear();
  }

  /**
   * Handles a pod push (insert, update or delete of `<ns>/pod/<name>`) that metamanager gave to edged,
   * after the node's store applied it; ignores other resources. As edged (`kubeedge/kubeedge` v1.23.1
   * `edge/pkg/edged/edged.go` handlePod): a pod bound to another node is ignored; a delete carrying a
   * pod stops the run of that UID (kubelet REMOVE); a delete without a spec (synccontroller's orphan
   * delete, name/namespace/uid only) makes edged re-list the pods in its database, so every run whose
   * pod row is gone stops (kubelet SET).
   */
  onPush(message: Message): Promise<void> {
    const { resource, operation } = message.route;
    const parsed = resource === undefined ? undefined : parseResource(resource);
    if (parsed?.resourceType !== 'pod' || resource === undefined) return Promise.resolve();
    const content = message.content;
    if (operation === 'delete') {
      if (!hasSpec(content)) {
        for (const [key, run] of this.#pods) {
          const row = this.#link.store.get(key)?.content as { metadata?: { uid?: unknown } } | undefined;
          if (row?.metadata?.uid !== run.pod.metadata.uid) this.#stop(key);
        }
      } else if (isSimPod(content) && this.#isBoundHere(content)) {
        const run = this.#pods.get(resource);
        const uid = content.metadata.uid;
        if (run !== undefined && (uid === undefined || uid === run.pod.metadata.uid)) this.#stop(resource);
      }
      return Promise.resolve();
    }
    return isSimPod(content) ? this.onPod(resource, content) : Promise.resolve();
  }

  #stop(key: string): void {
    const run = this.#pods.get(key);
    if (run !== undefined) cancelTimers(run);
    this.#pods.delete(key);
    this.#options.onDeleted(key);
  }

  /** Whether `run` is still the pod's run under `key` and not being deleted: its timers' work is wanted. */
  #isCurrent(key: string, run: PodRun): boolean {
    return this.#pods.get(key) === run && !run.isDeleting;
  }

  // edged filterPodByNodeName: only pods whose spec.nodeName is this node run here.
  #isBoundHere(pod: SimPod): boolean {
    return pod.spec.nodeName === this.#link.nodeName;
  }

  /**
   * Runs, updates or terminates the pod stored under `key`, if it is bound to this node. The promise
   * resolves when the step started here has finished (not the later Running report); it never rejects:
   * failures go to `link.fail`.
   */
  onPod(key: string, pod: SimPod): Promise<void> {
    if (!this.#isBoundHere(pod)) return Promise.resolve();
    const run = this.#pods.get(key);
    if (pod.metadata.deletionTimestamp !== undefined) {
      return this.#track(this.#terminate(key, pod, run));
    }
    if (run !== undefined && run.pod.metadata.uid === pod.metadata.uid) {
      run.pod = pod;
      return Promise.resolve();
    }
    if (run !== undefined) cancelTimers(run);
    // A pod already Running with an IP was started by this node before a restart: like a kubelet whose
    // containers survived, re-adopt it with the same sandbox IP and report it Running at once. (A new
    // IP would make the API server reject the patch: podIPs merge by ip and must match podIP.)
    const adopted = pod.status?.phase === 'Running' ? pod.status : undefined;
    const startedAtMs = adopted?.startTime === undefined ? NaN : Date.parse(adopted.startTime);
    const fresh: PodRun = {
      pod,
      state: Number.isFinite(startedAtMs)
        ? { stage: 'running', acceptedAtMs: startedAtMs, startedAtMs }
        : { stage: 'pending', acceptedAtMs: this.#link.now() },
      isDeleting: false,
      podIP: pod.status?.podIP ?? this.#nextPodIP(),
    };
    this.#pods.set(key, fresh);
    return this.#track(
      fresh.state.stage === 'running' ? this.#adopt(key, fresh) : this.#startPod(key, fresh),
    );
  }

  // A restarted kubelet reports the surviving containers and mounts the pod's volumes again, which
  // fetches what they reference (a new process starts with an empty cache).
  async #adopt(key: string, run: PodRun): Promise<void> {
    await this.#report(key, run);
    try {
      await this.#fetchRefs(run.pod);
    } catch (err) {
      this.#link.fail(err);
    }
  }

  async #startPod(key: string, run: PodRun): Promise<void> {
    try {
      await this.#fetchRefs(run.pod);
      await this.#report(key, run);
      if (!this.#isCurrent(key, run)) return;
      run.cancelTimer = this.#schedule(() => {
        if (run.isDeleting) return;
        run.state = { ...run.state, stage: 'running', startedAtMs: this.#link.now() };
        this.#containerEvents(run);
        void this.#track(this.#report(key, run));
      }, this.#options.podStartDelayMs);
    } catch (err) {
      this.#link.fail(err);
      // The kubelet's pod worker syncs the pod again after its back-off (the volumes are mounted again).
      if (!this.#isCurrent(key, run)) return;
      run.cancelTimer = this.#schedule(() => {
        run.cancelTimer = undefined;
        if (this.#isCurrent(key, run)) void this.#track(this.#startPod(key, run));
      }, kubeletRetryMs);
    }
  }

  // The first time the kubelet sees a pod it drops its cached copy of every ConfigMap/Secret the pod
  // references (v1.32 `pkg/kubelet/util/manager/cache_based_manager.go` RegisterPod, AddReference), so
  // each is fetched again; metamanager sends those queries, and ServiceAccount token ones, to the cloud
  // whenever it is connected, whatever its database holds (`kubeedge/kubeedge` v1.23.1
  // `edge/pkg/metamanager/process.go` processQuery, requireRemoteQuery). Offline it answers from the
  // database, so nothing goes out. Replies are stored and ACKed (processRemote). NotFound is left to the
  // fake runtime.
  async #fetchRefs(pod: SimPod): Promise<void> {
    if (!this.#link.isConnected()) return;
    const namespace = pod.metadata.namespace ?? 'default';
    const refs = podRefs(pod);
    const wanted = [
      ...refs.configMaps.map((name) => ['configmap', name] as const),
      ...refs.secrets.map((name) => ['secret', name] as const),
    ];
    const queries = wanted.map(([kind, name]) => objectQuery(this.#link.stamp(), kind, namespace, name));
    for (const token of refs.tokens) {
      queries.push(
        serviceAccountTokenQuery(this.#link.stamp(), {
          namespace,
          serviceAccountName: token.serviceAccountName,
          audiences: token.audiences,
          expirationSeconds: token.expirationSeconds,
          podName: pod.metadata.name,
          podUid: pod.metadata.uid ?? '',
        }),
      );
    }
    await Promise.all(
      queries.map(async (query) => {
        const reply = await this.#link.request(query);
        this.#link.ack(reply);
        const outcome = readReply(reply);
        if (outcome.ok && outcome.object !== null && query.route.resource !== undefined) {
          this.#link.store.set(query.route.resource, {
            operation: 'response',
            content: outcome.object,
            ...(reply.header.resourceversion !== undefined
              ? { resourceVersion: reply.header.resourceversion }
              : {}),
          });
        }
      }),
    );
  }

  async #report(key: string, run: PodRun): Promise<void> {
    const uid = run.pod.metadata.uid;
    run.isReportPending = true;
    run.cancelStatusRetry?.();
    run.cancelStatusRetry = undefined;
    // Offline, nothing is sent: reportAll sends it after the reconnect.
    if (uid === undefined || !this.#link.isConnected()) return;
    const status = podStatus(run.pod, run.state, {
      hostIP: this.#options.hostIP,
      podIP: run.podIP,
      now: this.#link.now(),
      ...(run.status !== undefined ? { previous: run.status } : {}),
    });
    run.status = status;
    const { name, namespace = 'default' } = run.pod.metadata;
    try {
      const reply = await this.#link.request(
        podPatch(this.#link.stamp(), namespace, name, podPatchContent(uid, status)),
      );
      // The edge decodes the reply into PodResp and stores its Object as the pod row (metaclient
      // `pod.go` Patch, handlePodResp; errata O2).
      const outcome = decodeTypedReply(reply);
      if (outcome.kind === 'object')
        this.#link.store.set(key, { operation: 'response', content: outcome.object });
      if (outcome.kind === 'object' && run.status === status) run.isReportPending = false;
      this.#options.onStatus({ key, status, accepted: outcome.kind === 'object' });
      if (outcome.kind === 'no-object') {
        throw new Error('podpatch: success without an Object (a real edge dereferences nil here, errata O2)');
      }
    } catch (err) {
      this.#link.fail(err);
    }
    // Not accepted (refused, failed, unanswered) and not superseded by a newer report: the status
    // manager sends it again on a later sync tick.
    if (run.isReportPending && run.status === status && this.#isCurrent(key, run)) {
      run.cancelStatusRetry = this.#schedule(() => {
        run.cancelStatusRetry = undefined;
        if (run.isReportPending && this.#isCurrent(key, run)) void this.#track(this.#report(key, run));
      }, kubeletRetryMs);
    }
  }

  // A pod with deletionTimestamp: kill its containers, report the terminal status, then delete it upstream
  // with grace 0 and a UID precondition (kubelet status manager), once.
  async #terminate(key: string, pod: SimPod, existing: PodRun | undefined): Promise<void> {
    const run = existing ?? {
      pod,
      state: { stage: 'pending', acceptedAtMs: this.#link.now() },
      isDeleting: false,
      podIP: this.#nextPodIP(),
    };
    if (run.isDeleting) return;
    run.isDeleting = true;
    run.pod = pod;
    cancelTimers(run);
    this.#pods.set(key, run);
    run.state = { ...run.state, stage: 'stopped', stoppedAtMs: this.#link.now() };
    const uid = pod.metadata.uid;
    if (uid === undefined) return;
    this.#event(
      { kind: 'Pod', name: pod.metadata.name, uid },
      pod,
      'Normal',
      'Killing',
      'Stopping containers',
    );
    await this.#report(key, run);
    try {
      const reply = await this.#link.request(
        podDelete(this.#link.stamp(), pod.metadata.namespace ?? 'default', pod.metadata.name, uid),
      );
      // Only the string "OK" is success (metaclient `pod.go` Delete; errata O7).
      if (reply.content !== 'OK') throw new Error(`pod delete: ${describeFailure(reply)}`);
    } catch (err) {
      run.isDeleting = false;
      this.#link.fail(err);
    }
  }

  #containerEvents(run: PodRun): void {
    const { pod } = run;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const subject = {
        kind: 'Pod' as const,
        name: pod.metadata.name,
        fieldPath: `spec.containers{${c.name}}`,
      };
      const mode = failModeOf(pod, c);
      const image = c.image ?? '';
      if (mode === 'image') {
        this.#event(subject, pod, 'Warning', 'Failed', `Failed to pull image "${image}": simulated failure`);
      } else if (mode === 'crash') {
        this.#event(subject, pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      } else {
        this.#event(
          subject,
          pod,
          'Normal',
          'Pulled',
          `Container image "${image}" already present on machine`,
        );
        this.#event(subject, pod, 'Normal', 'Started', `Started container ${c.name}`);
      }
    }
  }

  #event(
    subject: EventSubject,
    pod: SimPod,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    if (!this.#options.sendEvents || !this.#link.isConnected()) return;
    const full: EventSubject = {
      ...subject,
      namespace: pod.metadata.namespace ?? 'default',
      ...(pod.metadata.uid !== undefined ? { uid: pod.metadata.uid } : {}),
    };
    const event = kubeletEvent({
      nodeName: this.#link.nodeName,
      subject: full,
      type,
      reason,
      message,
      now: this.#link.now(),
    });
    // Events are fire-and-forget: the cloud sends no reply (§4.2).
    this.#link.send(eventInsert(this.#link.stamp(), event));
  }

  #nextPodIP(): string {
    this.#podIpCount += 1;
    return `10.88.${String((this.#podIpCount >> 8) & 255)}.${String(this.#podIpCount & 255)}`;
  }
}

/** Cancels a run's lifecycle timer (start delay or start retry) and its status retry. */
function cancelTimers(run: PodRun): void {
  run.cancelTimer?.();
  run.cancelStatusRetry?.();
}

// The error text of a failed reply, or why its content is not a success.
function describeFailure(reply: Message): string {
  const outcome = readReply(reply);
  if (!outcome.ok) return outcome.error.message;
  return 'response content type unsupported';
}

// edged: a delete whose pod has an empty spec (`reflect.DeepEqual(pod.Spec, v1.PodSpec{})`).
function hasSpec(content: unknown): boolean {
  if (typeof content !== 'object' || content === null) return false;
  const spec = (content as { spec?: unknown }).spec;
  return typeof spec === 'object' && spec !== null && Object.keys(spec).length > 0;
}
