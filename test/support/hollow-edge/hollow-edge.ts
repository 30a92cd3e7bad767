/**
 * Real KubeEdge EdgeCores for tests and benchmarks: each hollow EdgeCore is a child process of its own with
 * its own data dir (certificates, sqlite store, kubelet root, fake runtime socket), read-only port and
 * log file. Started with a join token like a new edge; killed (-9) and restarted on the same data dir like a
 * crashed one; stopped and cleaned up by pid. Root is required: the kubelet opens /dev/kmsg.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../free-port.js';
import { ensureHollowEdgeBinary } from './build.js';
import { readEdgeObjects } from './edge-store.js';
import type { EdgeObject } from './edge-store.js';

/** How to start one hollow EdgeCore. */
export interface HollowEdgeOptions {
  /** Node name. */
  readonly name: string;
  /** Join token as `keadm gettoken` prints it. */
  readonly token: string;
  /** Certificate server, `https://127.0.0.1:<port>`. */
  readonly httpServer: string;
  /** Hub, `127.0.0.1:<port>`. */
  readonly websocketServer: string;
  /** Directory for everything the instance writes; created if missing. */
  readonly dataDir: string;
  /** Kubelet read-only port; unique per instance. */
  readonly readOnlyPort: number;
  /** Extra node labels. */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** klog verbosity; default 2. */
  readonly verbosity?: number;
}

/** One hollow EdgeCore process (restartable on the same data dir). */
export class HollowEdge {
  readonly options: HollowEdgeOptions;
  readonly #binary: string;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(binary: string, options: HollowEdgeOptions) {
    this.#binary = binary;
    this.options = options;
  }

  get name(): string {
    return this.options.name;
  }

  /** The edge's own sqlite store. */
  get dbPath(): string {
    return join(this.options.dataDir, 'edgecore.db');
  }

  get logPath(): string {
    return join(this.options.dataDir, 'hollow-edge.log');
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How the last run ended (`code` or `signal`); undefined while running or before the first start. */
  get exit(): { readonly code: number | null; readonly signal: NodeJS.Signals | null } | undefined {
    const child = this.#child;
    if (child === undefined || (child.exitCode === null && child.signalCode === null)) return undefined;
    return { code: child.exitCode, signal: child.signalCode };
  }

  get isRunning(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process (again, after a kill or stop, on the same data dir). */
  async start(): Promise<void> {
    if (this.isRunning) throw new Error(`hollow edge ${this.name} is already running`);
    await mkdir(this.options.dataDir, { recursive: true });
    const labels = Object.entries(this.options.nodeLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const args = [
      `--name=${this.options.name}`,
      `--token=${this.options.token}`,
      `--http-server=${this.options.httpServer}`,
      `--websocket-server=${this.options.websocketServer}`,
      `--data-dir=${this.options.dataDir}`,
      `--read-only-port=${String(this.options.readOnlyPort)}`,
      `-v=${String(this.options.verbosity ?? 2)}`,
      ...(labels === '' ? [] : [`--node-labels=${labels}`]),
    ];
    const log = openSync(this.logPath, 'a');
    try {
      const child = spawn(this.#binary, args, { stdio: ['ignore', log, log] });
      this.#child = child;
      this.#exited = new Promise((resolve) => {
        child.once('exit', (code) => {
          resolve(code);
        });
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } finally {
      closeSync(log);
    }
  }

  /** kill -9, as a crash; resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.isRunning) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.isRunning) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Objects of one type in the edge's own store (`pod`, `configmap`, `secret`, ...). */
  objects(type: string): EdgeObject[] {
    return existsSync(this.dbPath) ? readEdgeObjects(this.dbPath, type) : [];
  }

  /** The last `lines` lines of the instance's log, for failure messages. */
  logTail(lines = 40): string {
    if (!existsSync(this.logPath)) return '(no log)';
    return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  }
}

/** How to start a fleet of hollow EdgeCores that join one controller. */
export interface HollowFleetOptions {
  readonly token: string;
  readonly httpServer: string;
  readonly websocketServer: string;
  /** Node names are `<namePrefix>-<i>`, i from 0. */
  readonly namePrefix: string;
  readonly nodeLabels?: Readonly<Record<string, string>>;
  readonly verbosity?: number;
}

/**
 * Hollow EdgeCores under one temporary root directory. {@link cleanup} stops every process it started (by
 * pid) and removes every data dir, the fake runtimes' sockets included (they live in the data dirs).
 */
export class HollowFleet {
  readonly edges: HollowEdge[] = [];
  readonly root: string;
  readonly #binary: string;
  readonly #options: HollowFleetOptions;

  private constructor(binary: string, root: string, options: HollowFleetOptions) {
    this.#binary = binary;
    this.root = root;
    this.#options = options;
  }

  /** Builds the binary if needed and makes an empty fleet. Fails clearly when not root. */
  static async create(options: HollowFleetOptions): Promise<HollowFleet> {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'real EdgeCores need root (the kubelet opens /dev/kmsg): run the conformance tests as root, as CI does',
      );
    }
    const { binaryPath } = await ensureHollowEdgeBinary({
      onLog: (line) => process.stderr.write(`[hollow-edge build] ${line}\n`),
    });
    const root = await mkdtemp(join(tmpdir(), 'hollow-edges-'));
    return new HollowFleet(binaryPath, root, options);
  }

  /** Starts `count` more edges, each on its own data dir and free read-only port. */
  async add(count: number): Promise<HollowEdge[]> {
    const added: HollowEdge[] = [];
    for (let i = 0; i < count; i += 1) {
      const index = this.edges.length;
      const name = `${this.#options.namePrefix}-${String(index)}`;
      const edge = new HollowEdge(this.#binary, {
        name,
        token: this.#options.token,
        httpServer: this.#options.httpServer,
        websocketServer: this.#options.websocketServer,
        dataDir: join(this.root, name),
        readOnlyPort: await freeLoopbackPort(),
        ...(this.#options.nodeLabels === undefined ? {} : { nodeLabels: this.#options.nodeLabels }),
        ...(this.#options.verbosity === undefined ? {} : { verbosity: this.#options.verbosity }),
      });
      await edge.start();
      this.edges.push(edge);
      added.push(edge);
    }
    return added;
  }

  /** Stops every edge and removes the root directory. Safe to call twice. */
  async cleanup(): Promise<void> {
    await Promise.all(this.edges.map((edge) => edge.stop(5_000)));
    await rm(this.root, { recursive: true, force: true });
  }

  /** Log tails of every edge, for a failure message. */
  logTails(lines = 20): string {
    return this.edges.map((edge) => `--- ${edge.name}\n${edge.logTail(lines)}`).join('\n');
  }
}

/** Fake-runtime sockets KubeEdge's stock edgemark leaves in /tmp; ours go in the data dir instead. */
export async function strayRuntimeSockets(): Promise<string[]> {
  const names = await readdir(tmpdir()).catch(() => []);
  return names.filter((name) => /^kubelet_remote_.*\.sock$/.test(name)).sort();
}
