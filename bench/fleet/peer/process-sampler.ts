/**
 * Samples one process's resident memory (VmRSS) and CPU time (utime + stime) from /proc at a fixed
 * interval, so a scenario can take the median RSS over a window, its peak, and the CPU spent in it. The
 * same sampler watches CloudCore and our controller. No forced GC: what the process holds is what counts.
 * @module
 */
import { readFile } from 'node:fs/promises';

/** One sample: when (performance.now() ms), RSS in KiB, CPU seconds used so far. */
export interface ProcessSample {
  readonly atMs: number;
  readonly rssKiB: number;
  readonly cpuSeconds: number;
}

// USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
const clockTicksPerSecond = 100;

/** Reads one sample now. */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${String(pid)}/status`, 'utf8'),
    readFile(`/proc/${String(pid)}/stat`, 'utf8'),
  ]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { atMs: performance.now(), rssKiB, cpuSeconds: ticks / clockTicksPerSecond };
}

/** Samples a process every `intervalMs` until stopped; keeps every sample. */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 1000) {
    this.#pid = pid;
    this.#timer = setInterval(() => void this.#take(), intervalMs);
    void this.#take();
  }

  /** Samples taken in [fromMs, toMs] (performance.now() times). */
  between(fromMs: number, toMs: number = Number.POSITIVE_INFINITY): ProcessSample[] {
    return this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #take(): Promise<void> {
    try {
      const sample = await sampleProcess(this.#pid);
      // A process that died but is not reaped yet has a status without VmRSS: no sample, not a NaN.
      if (Number.isFinite(sample.rssKiB)) this.samples.push(sample);
    } catch {
      // The process is gone; the caller notices by its exit.
    }
  }
}
