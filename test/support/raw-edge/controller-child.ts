/**
 * The controller as the attacker's target: `edge-controller run` from source in its own process (every
 * listener on a free loopback port), so that a test can read its resident memory from
 * `/proc/<pid>/status` (VmRSS) every 100 ms, count every byte it logs, notice if it dies, and scrape its
 * `/metrics` like an operator would.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Options of {@link startControllerChild}. */
export interface ControllerChildOptions {
  readonly kubeconfig: string;
  /** `--log-level`; default `info`. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Keep the text of everything logged (secrets tests); by default only the bytes are counted. */
  readonly keepOutput?: boolean;
  /** Extra `run` flags. */
  readonly args?: readonly string[];
}

/** A running controller process. */
export interface ControllerChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly ports: { readonly hub: number; readonly https: number; readonly metrics: number };
  /** `127.0.0.1:<hub port>` */
  readonly hubServer: string;
  /** `https://127.0.0.1:<https port>` */
  readonly httpServer: string;
  /** Bytes written to stdout and stderr so far, and the text when `keepOutput`. */
  readonly output: { stdoutBytes: number; stderrBytes: number; readonly text: string[] };
  /** Resident memory sampled every 100 ms. */
  readonly rss: RssSampler;
  /** Set once the process exited, with how. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Sockets the process holds open now (its `/proc/<pid>/fd` entries that are sockets). */
  openSockets(): number;
  /** The Prometheus text of `/metrics`. */
  metricsText(): Promise<string>;
  /** A metric's value from `/metrics`, summed over the series whose labels include `labels`. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
  /** SIGTERM, then wait for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** VmRSS samples of one process. */
export class RssSampler {
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  #peakSinceMark = 0;
  #peak = 0;
  #last = 0;

  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.#timer = setInterval(() => {
      this.sample();
    }, intervalMs);
    this.#timer.unref();
    this.sample();
  }

  /** Reads VmRSS now (bytes); 0 once the process is gone. */
  sample(): number {
    let rss: number;
    try {
      const status = readFileSync(`/proc/${String(this.#pid)}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      rss = kb === undefined ? 0 : Number(kb) * 1024;
    } catch {
      rss = 0;
    }
    this.#last = rss;
    this.#peak = Math.max(this.#peak, rss);
    this.#peakSinceMark = Math.max(this.#peakSinceMark, rss);
    return rss;
  }

  get last(): number {
    return this.#last;
  }

  /** Highest sample since the process started. */
  get peak(): number {
    return this.#peak;
  }

  /** Highest sample since the last {@link mark}. */
  get peakSinceMark(): number {
    return this.#peakSinceMark;
  }

  /** Starts a new window for {@link peakSinceMark}. */
  mark(): void {
    this.#peakSinceMark = this.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

// ADVERSARIAL_CONTROLLER_MAIN runs another tree's controller (e.g. an export of an older commit) against
// the same tests, to see which rows a change turned from failing to passing.
const mainTs =
  process.env['ADVERSARIAL_CONTROLLER_MAIN'] ??
  fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
export const MiB = 1024 * 1024;

/** Starts the controller and resolves once it logged its bound ports. */
export async function startControllerChild(options: ControllerChildOptions): Promise<ControllerChild> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      mainTs,
      `--log-level=${options.logLevel ?? 'info'}`,
      'run',
      `--kubeconfig=${options.kubeconfig}`,
      '--hub-address=127.0.0.1',
      '--hub-port=0',
      '--https-address=127.0.0.1',
      '--https-port=0',
      '--metrics-address=127.0.0.1:0',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the controller process did not start');
  const output = { stdoutBytes: 0, stderrBytes: 0, text: [] as string[] };
  const keep = options.keepOutput ?? false;
  let exit: ControllerChild['exit'];
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  let pending = '';
  let started = false;
  const ports = await new Promise<ControllerChild['ports']>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.stdoutBytes += chunk.length;
      if (keep) output.text.push(chunk.toString('utf8'));
      if (started) return;
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        if (!line.includes('Edge controller started')) continue;
        started = true;
        const parsed = JSON.parse(line) as { hub?: number; https?: number; metrics?: number };
        resolve({ hub: parsed.hub ?? 0, https: parsed.https ?? 0, metrics: parsed.metrics ?? 0 });
      }
      if (pending.length > 1024 * 1024) pending = '';
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output.stderrBytes += chunk.length;
      if (keep) output.text.push(chunk.toString('utf8'));
    });
    void exited.then(() => {
      reject(new Error(`the controller exited (${JSON.stringify(exit)}) before it started`));
    });
  });
  const rss = new RssSampler(pid);
  const metricsText = (): Promise<string> => httpGetText(`http://127.0.0.1:${String(ports.metrics)}/metrics`);
  return {
    process: child,
    pid,
    ports,
    hubServer: `127.0.0.1:${String(ports.hub)}`,
    httpServer: `https://127.0.0.1:${String(ports.https)}`,
    output,
    rss,
    get exit() {
      return exit;
    },
    openSockets: () => openSockets(pid),
    metricsText,
    metric: async (name, labels = {}) => metricValue(await metricsText(), name, labels),
    stop: async () => {
      rss.stop();
      if (exit !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sums the samples of `name` whose labels include every pair of `labels` (Prometheus text format). */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    const matches = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (matches && Number.isFinite(value)) sum += value;
  }
  return sum;
}

function openSockets(pid: number): number {
  let count = 0;
  let entries: string[];
  try {
    entries = readdirSync(`/proc/${String(pid)}/fd`);
  } catch {
    return 0;
  }
  for (const fd of entries) {
    try {
      if (readlinkSync(`/proc/${String(pid)}/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // closed between the listing and the read
    }
  }
  return count;
}

function httpGetText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
