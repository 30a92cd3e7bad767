import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failAnnotation, failModeOf, podPatchContent, podStatus, rfc3339 } from './pod-status.js';
import type { FailMode, PodStatus, RuntimeState } from './pod-status.js';
import type { SimContainer, SimPod } from './sim-pod.js';

const t0 = Date.UTC(2026, 10, 25, 8, 0, 0, 0);
const t1 = t0 + 1_500;
const t2 = t0 + 9_000;
const env = { hostIP: '192.0.2.2', podIP: '10.88.0.1' };

function pod(
  containers: SimContainer[],
  extra: {
    initContainers?: SimContainer[];
    restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    fail?: string;
  } = {},
): SimPod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      ...(extra.fail !== undefined ? { annotations: { [failAnnotation]: extra.fail } } : {}),
    },
    spec: {
      containers,
      ...(extra.initContainers !== undefined ? { initContainers: extra.initContainers } : {}),
      ...(extra.restartPolicy !== undefined ? { restartPolicy: extra.restartPolicy } : {}),
    },
  };
}

const web: SimContainer = { name: 'web', image: 'nginx' };
const init: SimContainer = { name: 'setup', image: 'busybox' };
const pending: RuntimeState = { stage: 'pending', acceptedAtMs: t0 };
const running: RuntimeState = { stage: 'running', acceptedAtMs: t0, startedAtMs: t1 };
const stopped: RuntimeState = { stage: 'stopped', acceptedAtMs: t0, startedAtMs: t1, stoppedAtMs: t2 };

function conditionMap(status: PodStatus): Record<string, string> {
  return Object.fromEntries(
    status.conditions.map((c) => [c.type, `${c.status}${c.reason ? `/${c.reason}` : ''}`]),
  );
}

describe('podStatus', () => {
  interface Case {
    name: string;
    pod: SimPod;
    state: RuntimeState;
    phase: PodStatus['phase'];
    conditions: Record<string, string>;
    container: string;
    init?: string;
  }
  const ok = { PodScheduled: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True' };
  const notReady = {
    PodScheduled: 'True',
    Initialized: 'True',
    ContainersReady: 'False/ContainersNotReady',
    Ready: 'False/ContainersNotReady',
  };
  const table: Case[] = [
    {
      name: 'a new pod is Pending with ContainerCreating',
      pod: pod([web]),
      state: pending,
      phase: 'Pending',
      conditions: notReady,
      container: 'waiting:ContainerCreating',
    },
    {
      name: 'a started pod is Running and Ready',
      pod: pod([web]),
      state: running,
      phase: 'Running',
      conditions: ok,
      container: 'running',
    },
    {
      name: 'with init containers, Pending waits in PodInitializing',
      pod: pod([web], { initContainers: [init] }),
      state: pending,
      phase: 'Pending',
      conditions: { ...notReady, Initialized: 'False/ContainersNotInitialized' },
      container: 'waiting:PodInitializing',
      init: 'waiting:PodInitializing',
    },
    {
      name: 'init containers complete before Running',
      pod: pod([web], { initContainers: [init] }),
      state: running,
      phase: 'Running',
      conditions: ok,
      container: 'running',
      init: 'terminated:Completed',
    },
    {
      name: 'an image containing "fail" is ErrImagePull and the pod stays Pending',
      pod: pod([{ name: 'web', image: 'registry/fail-me:1' }]),
      state: running,
      phase: 'Pending',
      conditions: notReady,
      container: 'waiting:ErrImagePull',
    },
    {
      name: 'command "false" crash-loops; restartPolicy Always keeps the pod Running',
      pod: pod([{ name: 'web', image: 'busybox', command: ['/bin/false'] }]),
      state: running,
      phase: 'Running',
      conditions: notReady,
      container: 'waiting:CrashLoopBackOff',
    },
    {
      name: 'a crash with restartPolicy Never fails the pod',
      pod: pod([{ name: 'web', image: 'busybox', args: ['false'] }], { restartPolicy: 'Never' }),
      state: running,
      phase: 'Failed',
      conditions: {
        PodScheduled: 'True',
        Initialized: 'True',
        ContainersReady: 'False/PodCompleted',
        Ready: 'False/PodCompleted',
      },
      container: 'terminated:Error',
    },
    {
      name: 'the annotation forces a crash on one container only',
      pod: pod([web, { name: 'side', image: 'busybox' }], { fail: 'side=crash' }),
      state: running,
      phase: 'Running',
      conditions: notReady,
      container: 'running',
    },
    {
      name: 'a failing init container blocks the regular ones',
      pod: pod([web], { initContainers: [init], fail: 'setup=image' }),
      state: running,
      phase: 'Pending',
      conditions: { ...notReady, Initialized: 'False/ContainersNotInitialized' },
      container: 'waiting:PodInitializing',
      init: 'waiting:ErrImagePull',
    },
    {
      name: 'a stopped pod is Succeeded with terminated Completed',
      pod: pod([web]),
      state: stopped,
      phase: 'Succeeded',
      conditions: {
        PodScheduled: 'True',
        Initialized: 'True',
        ContainersReady: 'False/PodCompleted',
        Ready: 'False/PodCompleted',
      },
      container: 'terminated:Completed',
    },
  ];
  const stateOf = (s: PodStatus['containerStatuses'][number] | undefined): string => {
    if (s?.state.waiting) return `waiting:${s.state.waiting.reason}`;
    if (s?.state.terminated) return `terminated:${s.state.terminated.reason}`;
    return s?.state.running ? 'running' : 'none';
  };
  for (const c of table) {
    it(c.name, () => {
      const status = podStatus(c.pod, c.state, { ...env, now: t2 });
      assert.equal(status.phase, c.phase);
      assert.deepEqual(conditionMap(status), c.conditions);
      assert.equal(stateOf(status.containerStatuses[0]), c.container);
      if (c.init !== undefined) assert.equal(stateOf(status.initContainerStatuses?.[0]), c.init);
      else assert.equal(status.initContainerStatuses, undefined);
    });
  }

  it('reports hostIP always, podIP(s) once the sandbox runs, startTime and qosClass', () => {
    const before = podStatus(pod([web]), pending, { ...env, now: t0 });
    assert.equal(before.hostIP, '192.0.2.2');
    assert.deepEqual(before.hostIPs, [{ ip: '192.0.2.2' }]);
    assert.equal(before.podIP, undefined);
    assert.equal(before.startTime, rfc3339(t0));
    assert.equal(before.qosClass, 'BestEffort');
    const after = podStatus(pod([web]), running, { ...env, now: t1 });
    assert.equal(after.podIP, '10.88.0.1');
    assert.deepEqual(after.podIPs, [{ ip: '10.88.0.1' }]);
    const cs = after.containerStatuses[0];
    assert.ok(cs);
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.state.running?.startedAt, rfc3339(t1));
  });

  it('keeps lastTransitionTime of conditions whose status did not change', () => {
    const first = podStatus(pod([web]), pending, { ...env, now: t0 });
    const second = podStatus(pod([web]), running, { ...env, now: t1, previous: first });
    const time = (s: PodStatus, type: string): string | undefined =>
      s.conditions.find((c) => c.type === type)?.lastTransitionTime;
    assert.equal(time(second, 'PodScheduled'), rfc3339(t0));
    assert.equal(time(second, 'Initialized'), rfc3339(t0));
    assert.equal(time(second, 'Ready'), rfc3339(t1));
    assert.equal(time(second, 'ContainersReady'), rfc3339(t1));
    assert.ok(second.conditions.every((c) => JSON.stringify(c.lastProbeTime) === 'null'));
  });

  it('crash-looping containers carry the last termination and a restart count', () => {
    const status = podStatus(pod([{ name: 'web', image: 'x', command: ['false'] }]), running, {
      ...env,
      now: t2,
    });
    const cs = status.containerStatuses[0];
    assert.ok(cs);
    assert.equal(cs.restartCount, 1);
    assert.equal(cs.lastState.terminated?.exitCode, 1);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    assert.match(
      cs.state.waiting?.message ?? '',
      /back-off 10s restarting failed container=web pod=p_ns\(u1\)/,
    );
  });
});

describe('failModeOf', () => {
  const table: [string, SimContainer, string | undefined, FailMode | undefined][] = [
    ['a plain container does not fail', web, undefined, undefined],
    ['image containing fail', { name: 'a', image: 'x/failing' }, undefined, 'image'],
    ['command false', { name: 'a', command: ['false'] }, undefined, 'crash'],
    ['args ending in /false', { name: 'a', command: ['sh'], args: ['/usr/bin/false'] }, undefined, 'crash'],
    [
      '"false" inside a longer word is not a crash',
      { name: 'a', command: ['echo', 'falsehood'] },
      undefined,
      undefined,
    ],
    ['annotation by name', { name: 'a' }, 'b=image, a=crash', 'crash'],
    ['annotation wildcard', { name: 'a' }, '*=image', 'image'],
    ['annotation with an unknown mode is ignored', { name: 'a' }, 'a=explode', undefined],
  ];
  for (const [name, container, annotation, expected] of table) {
    it(name, () => {
      const p = pod([container], annotation === undefined ? {} : { fail: annotation });
      assert.equal(failModeOf(p, container), expected);
    });
  }
});

describe('podPatchContent', () => {
  it('is a JSON string with metadata.uid, the condition order and the whole status (§4.7)', () => {
    const status = podStatus(pod([web]), running, { ...env, now: t1 });
    const content = podPatchContent('u1', status);
    assert.equal(typeof content, 'string');
    const parsed = JSON.parse(content) as { metadata: { uid: string }; status: Record<string, unknown> };
    assert.deepEqual(parsed.metadata, { uid: 'u1' });
    assert.deepEqual(parsed.status['$setElementOrder/conditions'], [
      { type: 'PodScheduled' },
      { type: 'Initialized' },
      { type: 'ContainersReady' },
      { type: 'Ready' },
    ]);
    assert.equal(parsed.status.phase, 'Running');
    assert.equal(parsed.status.qosClass, 'BestEffort');
    assert.equal(parsed.status.podIP, '10.88.0.1');
  });
});

describe('rfc3339', () => {
  it('drops milliseconds like metav1.Time', () => {
    assert.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
  });
});
