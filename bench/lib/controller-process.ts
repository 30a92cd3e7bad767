/**
 * What the load benchmarks and the fault suite share: the controller started as its own process against a
 * local cluster (`edge-controller run`, every listener on a free loopback port unless fixed ports are
 * given, the ports read from its start line), the join token, and a bounded poll. A process, not
 * `startController()` in the test's own process, so that SIGKILL is a real crash: nothing is flushed.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../src/kube/index.js';

/** The listener ports of a controller process. */
export interface ControllerPorts {
  readonly hub: number;
  readonly https: number;
  readonly metrics: number;
}

/** A controller process and its bound ports. */
export interface ControllerProcess {
  readonly process: ChildProcess;
  readonly ports: ControllerPorts;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no drain, no record flush), then wait for the exit. */
  kill(): Promise<void>;
}

/** Options of {@link startControllerProcess}; every field is optional. */
export interface ControllerProcessOptions {
  /**
   * Listen on these ports (a restart after a crash keeps the addresses the edges redial); default: free
   * ports picked by the kernel.
   */
  readonly ports?: ControllerPorts;
  /** More `run` arguments, e.g. `--config=<cloudcore.yaml>` (flags given here come after ours). */
  readonly args?: readonly string[];
  /** Receives every stdout line (pino JSON) after the start line too; default: read and dropped. */
  readonly onLine?: (line: string) => void;
  /** Where the child's stderr goes; default `inherit`. */
  readonly stderr?: 'inherit' | 'ignore';
  /**
   * More Node flags, before the script (e.g. `--import` of a bench probe), after {@link controllerNodeFlags}.
   * A flag in `NODE_OPTIONS` does not override one on the command line: give it here.
   */
  readonly execArgv?: readonly string[];
  /** More environment variables of the child. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run the built `dist/main.js` (as deployed: no tsx loader, no source maps) instead of `src/main.ts`
   * through tsx; default `source`. `dist` must have been built (`npm run build`).
   */
  readonly entry?: 'source' | 'dist';
}

/**
 * The Node flags the controller is deployed with (`deploy/Dockerfile`'s ENTRYPOINT; docs/configuration.md
 * "Node runtime: the young generation" has the measurements). Given before `execArgv`, so that a bench can
 * still override one (V8 takes the last value; `--max-semi-space-size=0` is V8's own default).
 */
export const controllerNodeFlags: readonly string[] = ['--max-semi-space-size=8'];

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const mainJs = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Starts `edge-controller run` from source and resolves once it logged its bound ports. */
export async function startControllerProcess(
  kubeconfig: string,
  options: ControllerProcessOptions = {},
): Promise<ControllerProcess> {
  const fixed = options.ports;
  const child = spawn(
    process.execPath,
    [
      ...(options.entry === 'dist' ? [] : ['--import', 'tsx']),
      ...controllerNodeFlags,
      ...(options.execArgv ?? []),
      options.entry === 'dist' ? mainJs : mainTs,
      'run',
      `--kubeconfig=${kubeconfig}`,
      '--hub-address=127.0.0.1',
      `--hub-port=${String(fixed?.hub ?? 0)}`,
      '--https-address=127.0.0.1',
      `--https-port=${String(fixed?.https ?? 0)}`,
      `--metrics-address=127.0.0.1:${String(fixed?.metrics ?? 0)}`,
      ...(options.args ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
      ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
    },
  );
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal);
    });
  });
  // Read every line for as long as the process lives: an unread pipe would block its logger.
  const lines = createInterface({ input: child.stdout });
  const ports = await new Promise<ControllerPorts>((resolve, reject) => {
    lines.on('line', (line) => {
      options.onLine?.(line);
      let parsed: { msg?: string; hub?: number; https?: number; metrics?: number };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return;
      }
      if (parsed.msg === 'Edge controller started') {
        resolve({ hub: parsed.hub ?? 0, https: parsed.https ?? 0, metrics: parsed.metrics ?? 0 });
      }
    });
    void exited.then((code) => {
      reject(new Error(`the controller exited with ${String(code)} before it started`));
    });
  });
  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    process: child,
    ports,
    exited,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
  };
}

/** The join token from Secret kubeedge/tokensecret, once the controller wrote it. */
export async function readJoinToken(admin: KubeClient): Promise<string> {
  const secret = await waitFor(() =>
    admin.request<{ data: { tokendata: string } }>({
      method: 'GET',
      path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
    }),
  );
  return Buffer.from(secret.data.tokendata, 'base64').toString('utf8');
}

/** Runs `check` until it stops throwing; rethrows its last error after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await delay(250);
    }
  }
}
