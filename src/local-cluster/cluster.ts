/**
 * Starts and stops a local control plane (`localcp up`) from TypeScript: builds the binary if needed,
 * runs it as a child process, waits for its ready.json, and offers fault injection on single components.
 * The child stops with this process: `--stop-with-parent` makes `localcp up` shut down (and kill its
 * components) as soon as its parent is gone, even when the parent was SIGKILLed.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EdgeControllerError } from '../errors/index.js';
import { ensureLocalClusterBinary } from './build.js';
import { readyFileSchema } from './ready-file.js';
import type { ComponentName, ReadyFile } from './ready-file.js';

/** Options of {@link startLocalCluster}; every field is optional. */
export interface LocalClusterOptions {
  /** Data dir (PKI, etcd, logs); reused if it exists. Default: a new temp dir, removed by `stop({ removeData: true })`. */
  readonly dataDir?: string;
  /** Also write the admin kubeconfig here once ready. */
  readonly kubeconfigOut?: string;
  /** kube-apiserver port; 0 (default) picks a free one. */
  readonly apiServerPort?: number;
  /** Node lifecycle controller grace period in seconds (default 40; shorter only on a private cluster). */
  readonly nodeMonitorGracePeriodSeconds?: number;
  /** Give up after this long (default 300 s): the plane is stopped and its log tails are in the error. */
  readonly readyTimeoutMs?: number;
  /** Receives the supervisor's progress lines. Default: ignored. */
  readonly onLog?: (line: string) => void;
}

/** A running local control plane. */
export interface LocalCluster {
  readonly dataDir: string;
  /** Path of the admin kubeconfig (`system:masters`). */
  readonly kubeconfigPath: string;
  readonly ready: ReadyFile;
  /** Resolves with the supervisor's exit code when it exits, for whatever reason. */
  readonly exited: Promise<number | null>;
  /** Stops kube-apiserver and starts it again after `downMs`, waiting until it is ready. */
  restartApiServer(options?: { readonly downMs?: number }): Promise<void>;
  stopComponent(name: ComponentName): Promise<void>;
  startComponent(name: ComponentName): Promise<void>;
  /** Stops every component (SIGTERM to the supervisor) and waits until they are gone. */
  stop(): Promise<void>;
}

const defaults = Object.freeze({ nodeMonitorGracePeriodSeconds: 40, readyTimeoutMs: 300_000 });

/** Builds (if needed) and starts a control plane; resolves once it is fully ready. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.onLog ?? (() => undefined);
  const { binaryPath } = await ensureLocalClusterBinary({ onLog: log });
  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'edge-controller-cluster-'))));
  const readyTimeoutMs = options.readyTimeoutMs ?? defaults.readyTimeoutMs;
  const args = [
    'up',
    `--data-dir=${dataDir}`,
    `--node-monitor-grace-period=${String(options.nodeMonitorGracePeriodSeconds ?? defaults.nodeMonitorGracePeriodSeconds)}s`,
    `--ready-timeout=${String(Math.ceil(readyTimeoutMs / 1000))}s`,
    '--stop-with-parent',
  ];
  if (options.kubeconfigOut !== undefined) args.push(`--kubeconfig-out=${resolve(options.kubeconfigOut)}`);
  if (options.apiServerPort !== undefined) args.push(`--apiserver-port=${String(options.apiServerPort)}`);

  const child = spawn(binaryPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const output: string[] = [];
  child.stderr.setEncoding('utf8');
  let partial = '';
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      output.push(line);
      if (output.length > 200) output.shift();
      log(line);
    }
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => { r(code); }));

  const ready = await waitForReady(dataDir, child, exited, readyTimeoutMs, output);
  return makeHandle(dataDir, ready, child, exited);
}

async function waitForReady(
  dataDir: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: readonly string[],
): Promise<ReadyFile> {
  const readyPath = join(dataDir, 'ready.json');
  const exit: { code?: number | null } = {};
  void exited.then((code) => {
    exit.code = code;
  });
  // The supervisor enforces --ready-timeout itself; this deadline only guards against a hung supervisor.
  const deadline = performance.now() + timeoutMs + 30_000;
  for (;;) {
    if ('code' in exit) {
      throw new EdgeControllerError(
        'EC_LOCAL_CLUSTER_START_FAILED',
        `local control plane exited with ${String(exit.code)} before it was ready:\n${output.join('\n')}`,
      );
    }
    if (existsSync(readyPath)) {
      const parsed = readyFileSchema.safeParse(JSON.parse(await readFile(readyPath, 'utf8')));
      if (parsed.success && parsed.data.pid === child.pid) return parsed.data;
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new EdgeControllerError(
        'EC_LOCAL_CLUSTER_NOT_READY',
        `local control plane in ${dataDir} was not ready after ${String(timeoutMs)} ms:\n${output.join('\n')}`,
      );
    }
    await delay(200);
  }
}

function makeHandle(
  dataDir: string,
  ready: ReadyFile,
  child: ChildProcess,
  exited: Promise<number | null>,
): LocalCluster {
  const control = async (name: ComponentName, action: 'stop' | 'start'): Promise<void> => {
    const res = await fetch(`http://127.0.0.1:${String(ready.ports.control)}/components/${name}/${action}`, {
      method: 'POST',
    });
    if (!res.ok) {
      throw new EdgeControllerError(
        'EC_LOCAL_CLUSTER_CONTROL_FAILED',
        `${action} ${name}: ${String(res.status)} ${await res.text()}`,
      );
    }
  };
  let stopping: Promise<void> | undefined;
  return {
    dataDir,
    kubeconfigPath: ready.kubeconfig,
    ready,
    exited,
    stopComponent: (name) => control(name, 'stop'),
    startComponent: (name) => control(name, 'start'),
    async restartApiServer(options = {}) {
      await control('kube-apiserver', 'stop');
      if (options.downMs !== undefined && options.downMs > 0) await delay(options.downMs);
      await control('kube-apiserver', 'start');
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
