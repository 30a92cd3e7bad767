/**
 * The timing scenarios of the peer benchmark on one fleet of one system:
 *
 * - steady latency: N nodes × M pods delivered, then `rate` changes per second (a pod's annotation,
 *   random pod) for `seconds`; each change's time from its API write to the moment the edge stores the
 *   version carrying it or a newer one of that pod; p50, p99, max, and the p99 of the changes sent from
 *   {@link settledAfterSeconds} on: the phase starts the moment the pods are on the edges, so its first
 *   seconds carry the delivery's settling (ACK bookkeeping, status reports) in both systems, and the whole
 *   phase's p99 swings with it from round to round.
 * - burst: `burstPods` pods created bound to one node (16 writes in flight); first write → the edge
 *   holds all, and last write (its POST returned) → the edge holds all.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../../src/kube/index.js';
import type { BoundPod } from './cluster-writes.js';
import { annotatePod, annotationOf, createNamespace, createPods } from './cluster-writes.js';
import { startPeerFleet } from './peer-fleet.js';
import { ProcessSampler } from './process-sampler.js';
import { percentile } from './stats.js';
import type { RunningSystem } from './systems.js';

/** Changes sent this long after the steady phase began count in its settled p99. */
export const settledAfterSeconds = 5;

/** Options of {@link runTiming}. */
export interface TimingOptions {
  readonly admin: KubeClient;
  readonly system: RunningSystem;
  readonly namespace: string;
  readonly prefix: string;
  readonly nodes: number;
  readonly podsPerNode: number;
  /** Changes per second and for how long. */
  readonly rate: number;
  readonly seconds: number;
  /** Pods of the burst to the fleet's first node (0 skips it). */
  readonly burstPods: number;
  readonly log?: (line: string) => void;
}

/** What {@link runTiming} measured. */
export interface TimingResult {
  /** Failures the simulated edges counted over the phase, and the first few. */
  readonly simFailures: number;
  readonly simFailureSamples: readonly string[];
  readonly steady: {
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    /** p99 of the changes sent {@link settledAfterSeconds} or more after the phase began. */
    readonly settledP99Ms: number;
    readonly changes: number;
    /** Changes whose version (or a newer one of the pod) no edge stored within 60 s of the last write. */
    readonly missed: number;
    /** Median RSS with the fleet and its pods, during the steady phase. */
    readonly rssMiB: number;
    /** (seconds since the first change, latency ms) of every change stored, for the plot. */
    readonly points: readonly (readonly [number, number])[];
  };
  readonly burst?: {
    readonly pods: number;
    readonly firstWriteToAllMs: number;
    readonly lastWriteToAllMs: number;
    /** How long the writes themselves took (first sent → last returned). */
    readonly writesMs: number;
  };
}

/** Starts a fleet of `nodes`, delivers its pods, runs steady then burst, stops the fleet. */
export async function runTiming(o: TimingOptions): Promise<TimingResult> {
  const log = o.log ?? (() => undefined);
  const ns = o.namespace;
  const { fleet } = await startPeerFleet({ system: o.system, nodes: o.nodes, prefix: o.prefix });
  const sampler = new ProcessSampler(o.system.pid, 1000);
  try {
    await createNamespace(o.admin, ns);
    const pods: BoundPod[] = fleet.sim.nodeNames.flatMap((node, n) =>
      Array.from({ length: o.podsPerNode }, (_, j) => ({ name: `p-${String(n)}-${String(j)}`, node })),
    );
    await createPods(o.admin, ns, pods);
    await until(
      () => pods.every((p) => fleet.stored(p.node, `${ns}/pod/${p.name}`) !== undefined),
      300_000,
      'fleet pods on edges',
    );
    log(`${o.system.name}: ${String(o.nodes)} nodes × ${String(o.podsPerNode)} pods on their edges`);

    // Steady: one change every 1/rate s, each a new annotation value. A change counts as delivered when
    // the edge stores that version or a newer one of the same pod: a system may coalesce queued versions
    // of one object (the newest supersedes), and the edge then holds the write's effect all the same.
    const sent = new Map<string, number>();
    const received = new Map<string, number>();
    const seqsOfPod = new Map<string, string[]>();
    fleet.onStore((_node, key, content) => {
      if (!key.startsWith(`${ns}/pod/p-`)) return;
      const seq = annotationOf(content, 'bench/seq');
      if (seq === undefined || !sent.has(seq)) return;
      const now = performance.now();
      for (const earlier of seqsOfPod.get(key) ?? []) {
        if (!received.has(earlier)) received.set(earlier, now);
        if (earlier === seq) break;
      }
    });
    const changes = Math.round(o.rate * o.seconds);
    const steadyFrom = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < changes; i++) {
      const wait = steadyFrom + (i * 1000) / o.rate - performance.now();
      if (wait > 0) await delay(wait);
      const pod = pods[Math.floor(Math.random() * pods.length)];
      if (pod === undefined) continue;
      const seq = `${o.system.name}-${String(i)}`;
      sent.set(seq, performance.now());
      const key = `${ns}/pod/${pod.name}`;
      seqsOfPod.set(key, [...(seqsOfPod.get(key) ?? []), seq]);
      writes.push(
        annotatePod(o.admin, ns, pod.name, 'bench/seq', seq).catch((err: unknown) => {
          log(`write ${seq} failed: ${String(err)}`);
        }),
      );
    }
    await Promise.all(writes);
    await until(() => received.size >= sent.size, 60_000, 'steady changes on edges').catch(() => undefined);
    const rss = sampler.between(steadyFrom).map((s) => s.rssKiB);
    const latencies = [...sent].map(([seq, t]) => (received.get(seq) ?? Number.POSITIVE_INFINITY) - t);
    const finite = latencies.filter((l) => Number.isFinite(l));
    const settledFrom = steadyFrom + settledAfterSeconds * 1000;
    const settledLatencies = [...sent]
      .filter(([, t]) => t >= settledFrom)
      .map(([seq, t]) => (received.get(seq) ?? Number.POSITIVE_INFINITY) - t);
    const steady = {
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: finite.length > 0 ? Math.max(...finite) : NaN,
      settledP99Ms: percentile(settledLatencies, 0.99),
      changes: sent.size,
      missed: latencies.length - finite.length,
      rssMiB: percentile(rss, 0.5) / 1024,
      points: [...sent]
        .filter(([seq]) => received.has(seq))
        .map(([seq, t]): [number, number] => [(t - steadyFrom) / 1000, (received.get(seq) ?? t) - t]),
    };
    log(
      `${o.system.name}: steady ${String(changes)} changes: p50 ${steady.p50Ms.toFixed(1)} ms, p99 ${steady.p99Ms.toFixed(1)} ms (from ${String(settledAfterSeconds)} s on: ${steady.settledP99Ms.toFixed(1)} ms), ${String(steady.missed)} missed`,
    );
    const failures = (): Pick<TimingResult, 'simFailures' | 'simFailureSamples'> => ({
      simFailures: fleet.failures().count,
      simFailureSamples: fleet.failures().first,
    });
    if (o.burstPods <= 0) return { ...failures(), steady };

    // Burst: many pods bound to one node at once.
    const target = fleet.sim.nodeNames[0] ?? '';
    const burst: BoundPod[] = Array.from({ length: o.burstPods }, (_, j) => ({
      name: `b-${String(j)}`,
      node: target,
    }));
    const held = new Set<string>();
    let allAt = Number.NaN;
    fleet.onStore((node, key) => {
      if (node !== target || !key.startsWith(`${ns}/pod/b-`) || held.has(key)) return;
      held.add(key);
      if (held.size === burst.length) allAt = performance.now();
    });
    const firstWrite = performance.now();
    let lastWrite = firstWrite;
    await createPods(o.admin, ns, burst, {
      onCreated: () => {
        lastWrite = performance.now();
      },
    });
    await until(() => held.size === burst.length, 300_000, 'burst pods on the edge').catch(() => undefined);
    const result = {
      pods: burst.length,
      firstWriteToAllMs: allAt - firstWrite,
      lastWriteToAllMs: allAt - lastWrite,
      writesMs: lastWrite - firstWrite,
    };
    log(
      `${o.system.name}: burst of ${String(burst.length)}: first write → all ${result.firstWriteToAllMs.toFixed(0)} ms, last write → all ${result.lastWriteToAllMs.toFixed(0)} ms (${String(held.size)} held)`,
    );
    return { ...failures(), steady, burst: result };
  } finally {
    fleet.onStore(undefined);
    sampler.stop();
    await fleet.stop();
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}
