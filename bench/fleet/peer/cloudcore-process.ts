/**
 * KubeEdge CloudCore v1.23.1 as a child process of the peer benchmark: its CRDs installed from KubeEdge's
 * module cache copy (`build/crds/`, read at run time, never copied into this repository), its own
 * `--defaultconfig` adjusted for one loopback machine (every listener on 127.0.0.1 and a free port,
 * iptablesManager off, the unix socket and QUIC off, the node limit of the run), then
 * `cloudcore --config`. It runs as root, creates its CA and the join token Secret `kubeedge/tokensecret`
 * itself; this module waits for both listeners and the token.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { KubeClient } from '../../../src/kube/index.js';
import { ensureCloudCoreBinary, kubeEdgeModuleDir } from './cloudcore-build.js';

const execFileAsync = promisify(execFile);

/** A running CloudCore. */
export interface CloudCoreProcess {
  readonly process: ChildProcess;
  /** `host:port` of the WebSocket hub (EdgeCore `websocket.server`). */
  readonly hubServer: string;
  /** `https://host:port` of the certificate server. */
  readonly httpServer: string;
  /** The config file written for it and its log file (klog, stderr). */
  readonly configPath: string;
  readonly logPath: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after 15 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Options of {@link startCloudCore}. */
export interface CloudCoreOptions {
  readonly kubeconfig: string;
  /** Where its config, PKI paths and log go (created). */
  readonly dir: string;
  /** `modules.cloudHub.nodeLimit` (KubeEdge derives QPS, burst and worker counts from it). */
  readonly nodeLimit: number;
  /** Give up after this long waiting for the listeners and the token; default 120 s. */
  readonly readyTimeoutMs?: number;
}

/**
 * Installs KubeEdge's CRDs (all of `build/crds/`) and waits until each is Established. Existing ones are
 * left as they are, so calling it again is cheap.
 */
export async function installKubeEdgeCrds(admin: KubeClient): Promise<string[]> {
  const root = join(kubeEdgeModuleDir(), 'build', 'crds');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.yaml')).sort();
  const names: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(root, file), 'utf8'))) {
      const crd = doc.toJSON() as { kind?: string; metadata?: { name?: string } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || crd.metadata?.name === undefined) continue;
      names.push(crd.metadata.name);
      try {
        await admin.request({
          method: 'POST',
          path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
          body: crd,
        });
      } catch (err) {
        if (!String(err).includes('409') && !/already exists/i.test(String(err))) throw err;
      }
    }
  }
  for (const name of names) {
    await until(async () => {
      const got = await admin.request<{ status?: { conditions?: { type: string; status: string }[] } }>({
        method: 'GET',
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      });
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    }, 60_000);
  }
  return names;
}

/** Writes the config, starts CloudCore and resolves once its listeners answer and the token exists. */
export async function startCloudCore(admin: KubeClient, o: CloudCoreOptions): Promise<CloudCoreProcess> {
  const { binaryPath } = await ensureCloudCoreBinary();
  await mkdir(o.dir, { recursive: true });
  const [hubPort, httpsPort, monitorPort] = [await freePort(), await freePort(), await freePort()];
  const config = await adjustedConfig(binaryPath, o, { hubPort, httpsPort, monitorPort });
  const configPath = join(o.dir, 'cloudcore.yaml');
  await writeFile(configPath, stringify(config));
  const logPath = join(o.dir, 'cloudcore.log');
  const log = createWriteStream(logPath);
  const child = spawn(binaryPath, [`--config=${configPath}`, '--v=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve(code ?? signal);
    }),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const stop = async (): Promise<void> => {
    if (!gone) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    log.end();
  };
  const hubServer = `127.0.0.1:${String(hubPort)}`;
  const httpServer = `https://127.0.0.1:${String(httpsPort)}`;
  try {
    // CloudCore sleeps a random 0-10 s before negotiating its tunnel port, then creates its CA and token.
    await until(async () => {
      if (gone) throw new Error(`cloudcore exited during start; see ${logPath}`);
      const res = await request(`${httpServer}/ca.crt`, { dispatcher: insecureDispatcher() });
      await res.body.dump();
      if (res.statusCode !== 200) return false;
      await admin.request({ method: 'GET', path: '/api/v1/namespaces/kubeedge/secrets/tokensecret' });
      return true;
    }, o.readyTimeoutMs ?? 120_000);
  } catch (err) {
    await stop();
    throw new Error(`cloudcore did not become ready (log ${logPath}): ${String(err)}`, { cause: err });
  }
  return { process: child, hubServer, httpServer, configPath, logPath, exited, stop };
}

interface Ports {
  readonly hubPort: number;
  readonly httpsPort: number;
  readonly monitorPort: number;
}

// CloudCore's own full default configuration, changed only where one loopback machine needs it.
async function adjustedConfig(binaryPath: string, o: CloudCoreOptions, p: Ports): Promise<unknown> {
  const { stdout } = await execFileAsync(binaryPath, ['--defaultconfig'], { maxBuffer: 4 * 1024 * 1024 });
  const c = parse(stdout) as Record<string, Record<string, Record<string, unknown>>>;
  const set = (path: string, value: unknown): void => {
    const keys = path.split('.');
    let at: Record<string, unknown> = c;
    for (const key of keys.slice(0, -1)) {
      const next = at[key];
      if (next === null || typeof next !== 'object')
        throw new Error(`cloudcore --defaultconfig has no ${path}`);
      at = next as Record<string, unknown>;
    }
    at[keys.at(-1) ?? ''] = value;
  };
  set('kubeAPIConfig.kubeConfig', o.kubeconfig);
  set('kubeAPIConfig.master', '');
  set('commonConfig.monitorServer.bindAddress', `127.0.0.1:${String(p.monitorPort)}`);
  set('modules.cloudHub.advertiseAddress', ['127.0.0.1']);
  set('modules.cloudHub.dnsNames', ['localhost']);
  set('modules.cloudHub.nodeLimit', o.nodeLimit);
  // Absent files: CloudCore makes its CA and server certificate and keeps them in Secrets.
  set('modules.cloudHub.tlsCAFile', join(o.dir, 'ca', 'rootCA.crt'));
  set('modules.cloudHub.tlsCAKeyFile', join(o.dir, 'ca', 'rootCA.key'));
  set('modules.cloudHub.tlsCertFile', join(o.dir, 'certs', 'server.crt'));
  set('modules.cloudHub.tlsPrivateKeyFile', join(o.dir, 'certs', 'server.key'));
  set('modules.cloudHub.websocket.address', '127.0.0.1');
  set('modules.cloudHub.websocket.port', p.hubPort);
  set('modules.cloudHub.https.address', '127.0.0.1');
  set('modules.cloudHub.https.port', p.httpsPort);
  set('modules.cloudHub.quic.enable', false);
  set('modules.cloudHub.unixsocket.enable', false);
  set('modules.iptablesManager.enable', false);
  set('modules.cloudStream.enable', false);
  set('modules.router.enable', false);
  return c;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

// The CA is CloudCore's own, made at start; like an edge, /ca.crt is read without verification.
let insecure: Agent | undefined;
function insecureDispatcher(): Agent {
  insecure ??= new Agent({ connect: { rejectUnauthorized: false } });
  return insecure;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) throw new Error(`timed out: ${String(last)}`, { cause: last });
    await delay(500);
  }
}
