/**
 * Preloaded into the controller process by the fleet bench (`--import`, with `EDGE_BENCH_LOOP_FILE` set):
 * a `perf_hooks.monitorEventLoopDelay` histogram (10 ms resolution, as prom-client's), read and reset once
 * a second and appended to that file as one JSON line: the wall time, the sample count, the max and the
 * counts per 1 ms bucket (sparse). Summing the lines of a window gives its exact distribution (to 1 ms),
 * so its p99 is a real p99, where the controller's `/metrics` only has each scrape's own p99 (prom-client
 * resets its histogram at every scrape). Each line also carries the CPU the loop's own thread used in
 * that second (`process.threadCpuUsage`): a second with a long delay and little of it says the thread
 * was waiting for a core (other processes, or the process's own GC threads), not running JavaScript.
 * And the garbage collector's pauses of that second (`PerformanceObserver` `gc` entries): their total,
 * the longest, and the total of the major ones (mark-compact), so a late second says whether it was GC.
 * The controller's code is not changed; this adds one read per second on its loop.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';

const file = process.env['EDGE_BENCH_LOOP_FILE'];
if (file !== undefined && file !== '') {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let thread = process.threadCpuUsage();
  let last = performance.now();
  const gc = { ms: 0, maxMs: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.ms += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      const kind = (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail
        ?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.majorMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    const now = performance.now();
    // One reading per second, kept as the next second's start: no CPU falls between two readings.
    const current = process.threadCpuUsage();
    const cpuMicros = current.user - thread.user + (current.system - thread.system);
    thread = current;
    const count = h.count;
    const buckets: Record<string, number> = {};
    if (count > 0) {
      // percentiles: percentile → value (ns), ascending; the samples between two points take the upper value.
      let previous = 0;
      for (const [percentile, ns] of h.percentiles) {
        const n = Math.round((count * (percentile - previous)) / 100);
        previous = percentile;
        if (n <= 0) continue;
        const ms = String(Math.ceil(ns / 1e6));
        buckets[ms] = (buckets[ms] ?? 0) + n;
      }
    }
    const line = {
      at: performance.timeOrigin + now,
      count,
      maxMs: h.max / 1e6,
      buckets,
      wallMs: now - last,
      threadCpuMs: cpuMicros / 1000,
      gcMs: gc.ms,
      gcMaxMs: gc.maxMs,
      gcMajorMs: gc.majorMs,
    };
    gc.ms = 0;
    gc.maxMs = 0;
    gc.majorMs = 0;
    last = now;
    h.reset();
    appendFileSync(file, JSON.stringify(line) + '\n');
  }, 1000);
  timer.unref();
}
