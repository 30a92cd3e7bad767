/**
 * Samples a controller process once a second: CPU and RSS from `/proc/<pid>/stat` (what the kernel
 * charges it, no cooperation needed) and its own figures from `/metrics`: heap, event-loop delay,
 * connected nodes, queues, record writes, API requests. A window of samples then gives the scenario's
 * figures (median RSS, CPU seconds, event-loop delay p99/max, API requests/s).
 *
 * Event-loop delay: prom-client's default `edgecontroller_nodejs_eventloop_lag_{p99,max}_seconds` come from
 * a `monitorEventLoopDelay` histogram (10 ms resolution) that is reset at every scrape, so scraping once a
 * second gives each second's max exactly but only per-second p99s. When the controller runs with
 * loop-delay-preload.ts (its own `monitorEventLoopDelay`, written out once a second as 1 ms bucket
 * counts), a window's p99 and max come from the summed buckets: the real p99 of the window. Without it,
 * the p99 is the largest per-second p99 (an upper bound). Both count a delay as monitorEventLoopDelay
 * does: the time between two 10 ms timer turns, so an idle loop shows about 10 ms.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promSum, scrapeMetrics } from './prom-text.js';
import type { PromSample } from './prom-text.js';

/** One sample of the controller process. */
export interface ProcessSample {
  /** Wall clock, ms since the epoch. */
  readonly at: number;
  readonly rssBytes: number;
  /** User + system CPU since the process started. */
  readonly cpuSeconds: number;
  readonly heapUsedBytes: number;
  /** The largest event-loop delay since the previous scrape (prom-client's reset-on-scrape monitor). */
  readonly loopMaxSeconds: number;
  readonly loopP99Seconds: number;
  readonly connectedNodes: number;
  /** Pushes queued and sent-not-ACKed, summed over nodes. */
  readonly queued: number;
  readonly inFlight: number;
  readonly pendingRecordWrites: number;
  readonly heldPushes: number;
  /** Edge requests (status reports, queries) waiting in the upstream lanes. */
  readonly upstreamQueued: number;
  /** API requests the controller's client admitted since it started (every class). */
  readonly kubeRequests: number;
}

/** One second of the preload's event-loop delay histogram. */
export interface LoopSecond {
  /** Wall clock at the end of the second, ms since the epoch. */
  readonly at: number;
  readonly count: number;
  readonly maxMs: number;
  /** Samples per delay, by the delay rounded up to the ms. */
  readonly buckets: Readonly<Record<string, number>>;
  /** The second's length, ms, and the CPU the loop's thread used in it (absent in older files). */
  readonly wallMs?: number;
  readonly threadCpuMs?: number;
  /** The garbage collector's pauses in that second, ms: all, the longest, the major ones (absent in older files). */
  readonly gcMs?: number;
  readonly gcMaxMs?: number;
  readonly gcMajorMs?: number;
}

/** What a window of samples says. */
export interface WindowSummary {
  readonly seconds: number;
  readonly samples: number;
  readonly rssMedianMiB: number;
  readonly rssMaxMiB: number;
  readonly heapMedianMiB: number;
  readonly cpuSeconds: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  /** How the p99 was found: from the preload's buckets, or the worst one-second p99 of `/metrics`. */
  readonly loopP99Source: 'preload' | 'worst-second';
  /**
   * In the seconds whose largest delay passed 100 ms, the share of their time the loop's thread was on a
   * CPU (preload only; NaN without such seconds). Near 1: the loop was busy running code; well under 1:
   * it was mostly waiting for a core.
   */
  readonly loopThreadOnCpuShare: number;
  /** In the same seconds, the share of their time the garbage collector paused the loop (preload only). */
  readonly loopGcShare: number;
  /** The longest GC pause in those seconds, ms (preload only). */
  readonly loopGcMaxPauseMs: number;
  /** The seconds whose largest delay passed 100 ms (preload only). */
  readonly loopSlowSeconds: number;
  readonly kubeRequestsPerSecond: number;
}

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const pageBytes = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;

/** CPU seconds and RSS of a process from `/proc/<pid>/stat`. */
export async function readProcStat(pid: number): Promise<{ cpuSeconds: number; rssBytes: number }> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name may hold spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuSeconds: (utime + stime) / clockTicks, rssBytes: rssPages * pageBytes };
}

/** A running sampler; `stop()` ends it. Samples accumulate in `samples`. */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  /** The preload's seconds, when the controller runs with it. */
  readonly loop: LoopSecond[] = [];
  readonly #pid: number;
  readonly #metricsPort: number;
  readonly #loopFile: string | undefined;
  #loopOffset = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  /** The last scrape, for figures a scenario reads itself. */
  last: PromSample[] = [];
  /** Set when the process went over `maxRssBytes` (and was handed to `onOverLimit`). */
  failure: string | undefined;
  /** RSS at which `onOverLimit` is called once (a guard for a shared machine); default none. */
  maxRssBytes = Infinity;
  onOverLimit: ((rssBytes: number) => void) | undefined;

  constructor(pid: number, metricsPort: number, loopFile?: string, intervalMs = 1_000) {
    this.#pid = pid;
    this.#metricsPort = metricsPort;
    this.#loopFile = loopFile;
    this.#timer = setInterval(() => void this.sample(), intervalMs);
  }

  /** Takes one sample now (skipped while the previous one is still out). */
  async sample(): Promise<ProcessSample | undefined> {
    if (this.#busy) return undefined;
    this.#busy = true;
    try {
      await this.#readLoop();
      const [proc, m] = await Promise.all([readProcStat(this.#pid), scrapeMetrics(this.#metricsPort)]);
      this.last = m;
      const num = (name: string): number => {
        const v = promSum(m, name);
        return Number.isNaN(v) ? 0 : v;
      };
      const s: ProcessSample = {
        at: Date.now(),
        ...proc,
        heapUsedBytes: num('edgecontroller_nodejs_heap_size_used_bytes'),
        loopMaxSeconds: num('edgecontroller_nodejs_eventloop_lag_max_seconds'),
        loopP99Seconds: num('edgecontroller_nodejs_eventloop_lag_p99_seconds'),
        connectedNodes: num('edgecontroller_hub_connected_nodes'),
        queued: num('edgecontroller_hub_queue_depth'),
        inFlight: num('edgecontroller_hub_in_flight'),
        pendingRecordWrites: num('edgecontroller_sync_record_writes_pending'),
        heldPushes: num('edgecontroller_sync_held_pushes'),
        upstreamQueued: num('edgecontroller_upstream_queue_depth'),
        kubeRequests: num('edgecontroller_kube_request_wait_seconds_count'),
      };
      this.samples.push(s);
      this.#guard(s.rssBytes);
      return s;
    } catch {
      // The process is gone or not answering; /proc still tells its RSS, which the guard watches.
      const proc = await readProcStat(this.#pid).catch(() => undefined);
      if (proc !== undefined) this.#guard(proc.rssBytes);
      return undefined;
    } finally {
      this.#busy = false;
    }
  }

  // New complete lines of the preload's file since the last read.
  async #readLoop(): Promise<void> {
    if (this.#loopFile === undefined) return;
    const text = await readFile(this.#loopFile, 'utf8').catch(() => '');
    const end = text.lastIndexOf('\n') + 1;
    if (end <= this.#loopOffset) return;
    for (const line of text.slice(this.#loopOffset, end).split('\n')) {
      if (line !== '') this.loop.push(JSON.parse(line) as LoopSecond);
    }
    this.#loopOffset = end;
  }

  #guard(rssBytes: number): void {
    if (rssBytes <= this.maxRssBytes || this.failure !== undefined) return;
    this.failure = `RSS ${String(Math.round(rssBytes / 1048576))} MiB over the ${String(Math.round(this.maxRssBytes / 1048576))} MiB guard`;
    this.onOverLimit?.(rssBytes);
  }

  /** Throws once the guard tripped, so a scenario waiting on the process gives up at once. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw new Error(`the controller was killed: ${this.failure}`);
  }

  /**
   * Whether the controller had nothing left to do in its last two samples: no push queued or un-ACKed,
   * no record write pending, no push held, no edge request waiting upstream.
   */
  isSettled(): boolean {
    const last = this.samples.slice(-2);
    return (
      last.length === 2 &&
      last.every(
        (x) =>
          x.queued === 0 &&
          x.inFlight === 0 &&
          x.pendingRecordWrites === 0 &&
          x.heldPushes === 0 &&
          x.upstreamQueued === 0,
      )
    );
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Samples taken in [fromMs, toMs] (epoch ms). */
  between(fromMs: number, toMs: number): ProcessSample[] {
    return this.samples.filter((s) => s.at >= fromMs && s.at <= toMs);
  }

  /**
   * The window's figures. The sample just before the window is the baseline for CPU, requests and
   * the histogram, so a window of n samples covers n scrape intervals.
   */
  summarize(fromMs: number, toMs: number): WindowSummary {
    const inWindow = this.between(fromMs, toMs);
    const before = [...this.samples].reverse().find((s) => s.at < fromMs) ?? inWindow[0];
    const last = inWindow.at(-1);
    const seconds = (toMs - fromMs) / 1000;
    const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;
    const ms = (s: number): number => Math.round(s * 10_000) / 10;
    const loopSeconds = this.loop.filter((l) => l.at > fromMs && l.at <= toMs + 1000);
    const fromPreload = loopSeconds.length > 0 ? loopQuantile(loopSeconds, 0.99) : NaN;
    const spanSeconds = before !== undefined && last !== undefined ? (last.at - before.at) / 1000 : 0;
    return {
      seconds,
      samples: inWindow.length,
      rssMedianMiB: mib(median(inWindow.map((s) => s.rssBytes))),
      rssMaxMiB: mib(Math.max(...inWindow.map((s) => s.rssBytes))),
      heapMedianMiB: mib(median(inWindow.map((s) => s.heapUsedBytes))),
      cpuSeconds:
        before !== undefined && last !== undefined
          ? Math.round((last.cpuSeconds - before.cpuSeconds) * 100) / 100
          : NaN,
      loopP99Ms: Number.isNaN(fromPreload)
        ? ms(Math.max(...inWindow.map((s) => s.loopP99Seconds)))
        : Math.round(fromPreload * 10) / 10,
      loopMaxMs: Number.isNaN(fromPreload)
        ? ms(Math.max(...inWindow.map((s) => s.loopMaxSeconds)))
        : Math.round(Math.max(...loopSeconds.map((l) => l.maxMs)) * 10) / 10,
      loopP99Source: Number.isNaN(fromPreload) ? 'worst-second' : 'preload',
      ...onCpuShare(loopSeconds.filter((l) => l.maxMs > 100)),
      kubeRequestsPerSecond:
        before !== undefined && last !== undefined && spanSeconds > 0
          ? Math.round(((last.kubeRequests - before.kubeRequests) / spanSeconds) * 10) / 10
          : NaN,
    };
  }
}

/**
 * The share of `seconds` the loop's thread was on a CPU, and the share the garbage collector paused it,
 * for those whose line says so; and the longest GC pause among them (ms).
 */
export function onCpuShare(seconds: readonly LoopSecond[]): {
  loopThreadOnCpuShare: number;
  loopGcShare: number;
  loopGcMaxPauseMs: number;
  loopSlowSeconds: number;
} {
  let wall = 0;
  let cpu = 0;
  let gcWall = 0;
  let gc = 0;
  let gcMax = 0;
  for (const l of seconds) {
    if (l.wallMs === undefined || l.threadCpuMs === undefined) continue;
    wall += l.wallMs;
    cpu += l.threadCpuMs;
    if (l.gcMs === undefined) continue;
    gcWall += l.wallMs;
    gc += l.gcMs;
    gcMax = Math.max(gcMax, l.gcMaxMs ?? 0);
  }
  return {
    loopThreadOnCpuShare: wall > 0 ? Math.round((cpu / wall) * 100) / 100 : NaN,
    loopGcShare: gcWall > 0 ? Math.round((gc / gcWall) * 100) / 100 : NaN,
    loopGcMaxPauseMs: gcWall > 0 ? Math.round(gcMax * 10) / 10 : NaN,
    loopSlowSeconds: seconds.length,
  };
}

/** The q-quantile (ms) of the summed buckets of some seconds of the preload (NaN without samples). */
export function loopQuantile(seconds: readonly LoopSecond[], q: number): number {
  const sum = new Map<number, number>();
  for (const l of seconds)
    for (const [ms, n] of Object.entries(l.buckets)) sum.set(Number(ms), (sum.get(Number(ms)) ?? 0) + n);
  const sorted = [...sum].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((t, [, n]) => t + n, 0);
  if (total === 0) return NaN;
  let seen = 0;
  for (const [ms, n] of sorted) {
    seen += n;
    if (seen >= q * total) return ms;
  }
  return sorted.at(-1)?.[0] ?? NaN;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The q-quantile of `values` by rank (NaN when empty). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
