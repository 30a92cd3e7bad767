/**
 * Fault steps that take more than one call, shared by the fault suite and the soak: churn running in the
 * background while something breaks, and the crash whose deletes happen while the controller is down.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Churn } from './churn.js';
import type { FaultLab } from './fault-lab.js';

/** Churn running in the background. */
export interface BackgroundChurn {
  /** Resolves once `n` more operations ended (done or failed). */
  atLeast(n: number): Promise<void>;
  /** Stops and waits for the operations in flight. */
  stop(): Promise<void>;
}

/** Starts `churn` with `concurrency` operations at a time until `stop()`. */
export function background(churn: Churn, concurrency = 3): BackgroundChurn {
  const abort = new AbortController();
  const done = churn.run(abort.signal, concurrency);
  const total = (): number => {
    const c = churn.counts;
    return c.creates + c.updates + c.deletes + c.failed;
  };
  return {
    atLeast: async (n) => {
      const target = total() + n;
      while (total() < target) await delay(20);
    },
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/**
 * Creates `configMaps` ConfigMaps and `pods` pods (spread over `nodes`, referencing them among others),
 * kills the controller `afterMs` later (some pushed and ACKed, some in flight, some not sent yet), deletes
 * all of them while it is down (pods with grace 0: gone from the API server), and starts it again.
 */
export async function crashThenDeleteWhileDown(
  lab: FaultLab,
  churn: Churn,
  o: { nodes: readonly string[]; pods: number; configMaps: number; afterMs?: number },
): Promise<void> {
  const oldConfigMaps = new Set(churn.configMaps);
  await Promise.all(Array.from({ length: o.configMaps }, () => churn.createConfigMap()));
  const newConfigMaps = churn.configMaps.filter((name) => !oldConfigMaps.has(name));
  const oldPods = new Set(churn.pods);
  await Promise.all(Array.from({ length: o.pods }, (_, i) => churn.createPod(o.nodes[i % o.nodes.length])));
  const newPods = churn.pods.filter((name) => !oldPods.has(name));
  await delay(o.afterMs ?? 300);
  await lab.crashController();
  await Promise.all([
    ...newPods.map((name) => churn.deletePod(name, true)),
    ...newConfigMaps.map((name) => churn.deleteObject('configmaps', name)),
  ]);
  await lab.startController();
}
