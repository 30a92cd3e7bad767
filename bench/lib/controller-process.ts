/**
 * What the load benchmarks share: the controller started as its own process against a local cluster
 * (`edge-controller run`, every listener on a free loopback port, the ports read from its start line),
 * the join token, and a bounded poll.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../src/kube/index.js';

/** A controller process and its bound ports. */
export interface ControllerProcess {
  readonly process: ChildProcess;
  readonly ports: { readonly hub: number; readonly https: number; readonly metrics: number };
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Starts `edge-controller run` from source and resolves once it logged its bound ports. */
export async function startControllerProcess(kubeconfig: string): Promise<ControllerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      mainTs,
      'run',
      `--kubeconfig=${kubeconfig}`,
      '--hub-address=127.0.0.1',
      '--hub-port=0',
      '--https-address=127.0.0.1',
      '--https-port=0',
      '--metrics-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ports = await new Promise<ControllerProcess['ports']>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
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
    child.once('exit', (code) => {
      reject(new Error(`the controller exited with ${String(code)} before it started`));
    });
  });
  return {
    process: child,
    ports,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
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
