/**
 * `edge-controller run` as an operator starts it: a separate process against the real API server, every
 * listener on port 0, the bound ports in its log, metrics served, a clean stop on SIGTERM; and as an
 * operator sees it fail: a busy port, an unreachable API server, a bad kubeconfig, each one clear last
 * line and exit code 1; and as an operator configures it: flag > environment > cloudcore.yaml > default,
 * proven by the ports it binds, with its requests named by User-Agent and field manager.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../src/kube/index.js';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
import { useLocalCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { freeLoopbackPort } from '../support/free-port.js';

const getCluster = useLocalCluster();
const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface LogLine {
  msg?: string;
  hub?: number;
  https?: number;
  metrics?: number;
  parts?: string[];
}

/** A `run` (or other command) process with its output collected as it arrives. */
interface RunProcess {
  readonly child: ChildProcess;
  /** stdout lines parsed as JSON log lines (non-JSON lines are skipped). */
  readonly logs: LogLine[];
  /** stderr lines. */
  readonly stderr: string[];
  /** Resolves with the exit code; rejects if the process is still running after `deadlineMs`. */
  exited(deadlineMs?: number): Promise<number | null>;
  /** Resolves with the first log line with this message. */
  logged(msg: string): Promise<LogLine>;
}

/** Starts `edge-controller <args>` from source with `env` added to the environment. */
function startCommand(args: readonly string[], env: Readonly<Record<string, string>> = {}): RunProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return; // not a log line (a command's own output)
    }
    logs.push(line);
    for (const w of waiters.filter((w) => w.msg === line.msg)) w.resolve(line);
  });
  createInterface({ input: child.stderr }).on('line', (text) => stderr.push(text));
  // 'close' (not 'exit'): the output streams are fully read by then, so `stderr` holds the last line.
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    child,
    logs,
    stderr,
    exited: (deadlineMs = 60_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) => {
          setTimeout(() => {
            reject(new Error(`still running after ${String(deadlineMs)} ms; stderr: ${stderr.join('\n')}`));
          }, deadlineMs).unref();
        }),
      ]),
    logged: (msg) => {
      const seen = logs.find((l) => l.msg === msg);
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<LogLine>((resolve) => waiters.push({ msg, resolve })),
        exit.then((code) => {
          throw new Error(
            `exited with ${String(code)} before logging "${msg}"; stderr: ${stderr.join('\n')}`,
          );
        }),
      ]);
    },
  };
}

/** A kubeconfig for an API server at `server` that is not there. */
function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: gone`,
    `  cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:',
    '- name: u',
    '  user: { token: "not-a-real-token" }',
    'contexts:',
    '- name: gone',
    '  context: { cluster: gone, user: u }',
    'current-context: gone',
    '',
  ].join('\n');
}

/** Listeners on free loopback ports, so that parallel runs and the other tests never collide. */
const loopbackListeners = [
  '--hub-address=127.0.0.1',
  '--hub-port=0',
  '--https-address=127.0.0.1',
  '--https-port=0',
  '--metrics-address=127.0.0.1:0',
];

describe('edge-controller run', () => {
  it('binds port 0 listeners, logs the bound ports, serves metrics, prints the join token and stops cleanly on SIGTERM', async () => {
    const { cluster } = getCluster();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        mainTs,
        'run',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        '--hub-address=127.0.0.1',
        '--hub-port=0',
        '--https-address=127.0.0.1',
        '--https-port=0',
        '--metrics-address=127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: LogLine[] = [];
    const started = await new Promise<LogLine>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as LogLine;
        lines.push(parsed);
        if (parsed.msg === 'Edge controller started') resolve(parsed);
      });
      child.once('exit', (code) => {
        reject(new Error(`run exited with ${String(code)} before it started`));
      });
    });
    assert.ok((started.hub ?? 0) > 0 && (started.https ?? 0) > 0 && (started.metrics ?? 0) > 0);
    const metrics = await (await fetch(`http://127.0.0.1:${String(started.metrics)}/metrics`)).text();
    assert.match(metrics, /edgecontroller_hub_connected_nodes 0/);
    const ready = await fetch(`http://127.0.0.1:${String(started.metrics)}/readyz`);
    assert.equal(ready.status, 200, 'ready once informers synced and the hub listens');
    const nodes = await new Promise<string>((resolve, reject) => {
      const out: Buffer[] = [];
      const cmd = spawn(
        process.execPath,
        ['--import', 'tsx', mainTs, 'nodes', `--metrics-address=127.0.0.1:${String(started.metrics)}`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      cmd.stdout.on('data', (c: Buffer) => out.push(c));
      cmd.once('exit', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString());
        else reject(new Error(`nodes exited with ${String(code)}`));
      });
    });
    assert.match(nodes, /^NODE\s+OWNER\s+CONNECTED/);
    const token = await new Promise<string>((resolve, reject) => {
      const out: Buffer[] = [];
      const tokenCmd = spawn(
        process.execPath,
        ['--import', 'tsx', mainTs, 'token', `--kubeconfig=${cluster.kubeconfigPath}`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      tokenCmd.stdout.on('data', (c: Buffer) => out.push(c));
      tokenCmd.once('exit', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString().trim());
        else reject(new Error(`token exited with ${String(code)}`));
      });
    });
    assert.match(token, /^[0-9a-f]{64}\.[\w-]+\.[\w-]+\.[\w-]+$/, 'keadm format: <sha256 of the CA>.<JWT>');
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.ok(lines.some((l) => l.msg === 'Edge controller stopped'));
  });

  it("runs from KubeEdge's cloudcore.yaml, warns about keys it does not use, and serves edges", async () => {
    const { cluster } = getCluster();
    const dir = await mkdtemp(join(tmpdir(), 'ec-config-'));
    const config = join(dir, 'cloudcore.yaml');
    const defaults = await readFile(
      fileURLToPath(new URL('../fixtures/cloudcore-default.yaml', import.meta.url)),
      'utf8',
    );
    await writeFile(
      config,
      defaults
        .replace('port: 10000', 'port: 0')
        .replace('port: 10002', 'port: 0')
        .replaceAll('address: 0.0.0.0', 'address: 127.0.0.1')
        .replace('bindAddress: 127.0.0.1:9091', 'bindAddress: 127.0.0.1:0')
        .replace('- 192.168.10.20', '- 127.0.0.1'),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', mainTs, 'run', `--config=${config}`, `--kubeconfig=${cluster.kubeconfigPath}`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: (LogLine & { key?: string })[] = [];
    try {
      const started = await new Promise<LogLine>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const parsed = JSON.parse(line) as LogLine;
          lines.push(parsed);
          if (parsed.msg === 'Edge controller started') resolve(parsed);
        });
        child.once('exit', (code) => {
          reject(new Error(`run exited with ${String(code)} before it started`));
        });
      });
      assert.ok(
        lines.some((l) => l.key === 'modules.router.port'),
        'an unused KubeEdge key is warned about',
      );
      const secret = await getCluster().admin.request<{ data: { tokendata: string } }>({
        method: 'GET',
        path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
      });
      const token = Buffer.from(secret.data.tokendata, 'base64').toString('utf8');
      const identity = await joinWithToken({
        httpServer: `https://127.0.0.1:${String(started.https)}`,
        nodeName: 'from-config',
        token,
      });
      const edge = new EdgeClient({ server: `127.0.0.1:${String(started.hub)}`, identity });
      await edge.connect();
      await edge.close();
    } finally {
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exit;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('edge-controller run fails like a Kubernetes component', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-run-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The process ended with code 1 and exactly one stderr line, the one given. */
  function assertOneLineExit(run: RunProcess, code: number | null, line: RegExp): void {
    assert.equal(code, 1, `exit code; stderr: ${run.stderr.join('\n')}`);
    assert.equal(run.stderr.length, 1, `one line on stderr, got:\n${run.stderr.join('\n')}`);
    assert.match(run.stderr[0] ?? '', line);
  }

  it('exits 1 with one EC_RUN_LISTEN_FAILED line when the hub port is taken, after stopping what it had started', async () => {
    const { cluster } = getCluster();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const run = startCommand([
        'run',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        ...loopbackListeners,
        `--hub-port=${String(port)}`,
      ]);
      // The deadline bounds a hang (the issue: a failed start stayed up with its informers running).
      const code = await run.exited();
      assertOneLineExit(
        run,
        code,
        new RegExp(
          `^edge-controller: EC_RUN_LISTEN_FAILED: the hub cannot listen on 127\\.0\\.0\\.1:${String(port)}: .*EADDRINUSE`,
        ),
      );
      const stopped = run.logs.find((l) => l.msg === 'Stopped the parts already started');
      assert.ok(stopped !== undefined, 'the parts started before the hub were stopped');
      for (const part of ['metrics', 'token', 'informers', 'sync']) {
        assert.ok(stopped.parts?.includes(part), `${part} was stopped (stopped: ${String(stopped.parts)})`);
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('serves /healthz at once, says in /readyz why it waits for an unreachable API server, then exits 1 with EC_KUBE_UNAVAILABLE', async () => {
    const server = `https://127.0.0.1:${String(await freeLoopbackPort())}`;
    const kubeconfig = join(dir, 'unreachable.kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(server));
    const run = startCommand([
      'run',
      `--kubeconfig=${kubeconfig}`,
      ...loopbackListeners,
      '--startup-timeout-seconds=10',
    ]);
    const serving = await run.logged('Serving /healthz, /readyz and /metrics');
    const base = `http://127.0.0.1:${String(serving.metrics)}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness does not wait for the API server');
    await eventually(async () => {
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(
        await ready.text(),
        new RegExp(
          `waiting for the API server at ${server.replaceAll('.', '\\.')} \\(attempt \\d+ failed: .*ECONNREFUSED`,
        ),
      );
    });
    const code = await run.exited();
    assertOneLineExit(
      run,
      code,
      new RegExp(
        `^edge-controller: EC_KUBE_UNAVAILABLE: the API server at ${server.replaceAll('.', '\\.')} did not answer within 10 s .*ECONNREFUSED`,
      ),
    );
  });

  it('stops and exits 0 on SIGTERM while it is still waiting for the API server', async () => {
    const kubeconfig = join(dir, 'unreachable-sigterm.kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(`https://127.0.0.1:${String(await freeLoopbackPort())}`));
    const run = startCommand(['run', `--kubeconfig=${kubeconfig}`, ...loopbackListeners]);
    const serving = await run.logged('Serving /healthz, /readyz and /metrics');
    await eventually(async () => {
      const ready = await fetch(`http://127.0.0.1:${String(serving.metrics)}/readyz`);
      assert.match(await ready.text(), /attempt \d+ failed/);
    });
    run.child.kill('SIGTERM');
    assert.equal(await run.exited(), 0, `stderr: ${run.stderr.join('\n')}`);
    assert.deepEqual(run.stderr, []);
  });

  const badKubeconfigs: [string, string | undefined, RegExp][] = [
    [
      'a file that is not a kubeconfig',
      'not: [a kubeconfig\n',
      /^edge-controller: EC_KUBE_CONFIG_INVALID: cannot load kubeconfig .*bad-0\.kubeconfig: /,
    ],
    [
      'a kubeconfig without a current context',
      'apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n',
      /^edge-controller: EC_KUBE_CONFIG_INVALID: kubeconfig .*bad-1\.kubeconfig has no current cluster/,
    ],
    [
      'a kubeconfig whose credentials the client refuses to use (http:// without insecure-skip-tls-verify)',
      kubeconfigFor('http://127.0.0.1:1').replace(', insecure-skip-tls-verify: true', ''),
      /^edge-controller: EC_KUBE_CONFIG_INVALID: cannot use the kubeconfig's credentials for http:\/\/127\.0\.0\.1:1: /,
    ],
    [
      'a kubeconfig that does not exist',
      undefined,
      /^edge-controller: EC_KUBE_CONFIG_NOT_FOUND: kubeconfig .*bad-3\.kubeconfig does not exist$/,
    ],
  ];
  for (const [i, [what, content, line]] of badKubeconfigs.entries()) {
    it(`exits 1 with one clear line for ${what}`, async () => {
      const kubeconfig = join(dir, `bad-${String(i)}.kubeconfig`);
      if (content !== undefined) await writeFile(kubeconfig, content);
      const run = startCommand(['run', `--kubeconfig=${kubeconfig}`, ...loopbackListeners]);
      assertOneLineExit(run, await run.exited(), line);
    });
  }
});

describe('edge-controller run takes its settings flag > environment > file > default, and says who it is', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The default cloudcore.yaml on loopback with the given hub, https and metrics ports. */
  async function cloudcoreYaml(ports: { hub: number; https: number; metrics: number }): Promise<string> {
    const defaults = await readFile(
      fileURLToPath(new URL('../fixtures/cloudcore-default.yaml', import.meta.url)),
      'utf8',
    );
    const path = join(dir, 'cloudcore.yaml');
    await writeFile(
      path,
      defaults
        .replace('port: 10000', `port: ${String(ports.hub)}`)
        .replace('port: 10002', `port: ${String(ports.https)}`)
        .replaceAll('address: 0.0.0.0', 'address: 127.0.0.1')
        .replace('bindAddress: 127.0.0.1:9091', `bindAddress: 127.0.0.1:${String(ports.metrics)}`)
        .replace('- 192.168.10.20', '- 127.0.0.1'),
    );
    return path;
  }

  it('binds the ports the precedence picks (EDGE_CONTROLLER_HUB_PORT over the file, a flag over its variable), and config print names each source', async () => {
    const { cluster } = getCluster();
    const [fileHub, fileHttps, fileMetrics, envHub, envMetrics, flagMetrics] = [
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
    ] as [number, number, number, number, number, number];
    const config = await cloudcoreYaml({ hub: fileHub, https: fileHttps, metrics: fileMetrics });
    const env = {
      EDGE_CONTROLLER_HUB_PORT: String(envHub),
      EDGE_CONTROLLER_METRICS_ADDRESS: `127.0.0.1:${String(envMetrics)}`,
      EDGE_CONTROLLER_KUBECONFIG: cluster.kubeconfigPath,
    };
    const args = [`--config=${config}`, `--metrics-address=127.0.0.1:${String(flagMetrics)}`];

    const print = startCommand(['config', 'print', '--output=json', ...args], env);
    const out: Buffer[] = [];
    print.child.stdout?.on('data', (c: Buffer) => out.push(c));
    assert.equal(await print.exited(), 0, print.stderr.join('\n'));
    const printed = JSON.parse(Buffer.concat(out).toString()) as Record<
      string,
      { value: unknown; source: string; from?: string }
    >;
    assert.deepEqual(printed['hubPort'], { value: envHub, source: 'env', from: 'EDGE_CONTROLLER_HUB_PORT' });
    assert.deepEqual(printed['httpsPort'], {
      value: fileHttps,
      source: 'file',
      from: 'modules.cloudHub.https.port',
    });
    assert.deepEqual(printed['metricsAddress'], {
      value: `127.0.0.1:${String(flagMetrics)}`,
      source: 'flag',
      from: '--metrics-address',
    });
    assert.deepEqual(printed['windowSize'], { value: 64, source: 'default' });
    assert.equal(printed['kubeconfig']?.source, 'env');

    const run = startCommand(['run', ...args], env);
    try {
      const started = await run.logged('Edge controller started');
      assert.equal(started.hub, envHub, 'the variable beat the file');
      assert.equal(started.https, fileHttps, 'the file beat the default (10002)');
      assert.equal(started.metrics, flagMetrics, 'the flag beat its variable and the file');
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.exited(), 0, run.stderr.join('\n'));
    }
  });

  it('sends User-Agent edge-controller/<version> on every API request and names itself field manager on every write', async () => {
    const { admin } = getCluster();
    const proxy = await recordingProxy(admin);
    try {
      const kubeconfig = join(dir, 'through-proxy.kubeconfig');
      await writeFile(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          `- name: proxy`,
          // client-node refuses a plain http:// server unless told TLS is off on purpose.
          `  cluster: { server: "${proxy.url}", insecure-skip-tls-verify: true }`,
          'users:',
          '- name: anonymous',
          '  user: {}',
          'contexts:',
          '- name: proxy',
          '  context: { cluster: proxy, user: anonymous }',
          'current-context: proxy',
          '',
        ].join('\n'),
      );
      const run = startCommand(['run', `--kubeconfig=${kubeconfig}`, ...loopbackListeners]);
      try {
        await run.logged('Edge controller started');
      } finally {
        run.child.kill('SIGTERM');
        assert.equal(await run.exited(), 0, run.stderr.join('\n'));
      }
      const pkg = JSON.parse(
        await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
      ) as {
        version: string;
      };
      const seen = proxy.requests;
      assert.ok(
        seen.some((r) => r.url.includes('watch=')),
        'the informers watched through the proxy',
      );
      const writes = seen.filter((r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH');
      assert.ok(writes.length > 0, 'the start wrote something (token Secret, CRDs)');
      const others = seen.filter((r) => r.userAgent !== `edge-controller/${pkg.version}`);
      assert.deepEqual(others, [], 'every request carried our User-Agent');
      const anonymous = writes.filter(
        (r) => new URL(r.url, proxy.url).searchParams.get('fieldManager') !== 'edge-controller',
      );
      assert.deepEqual(anonymous, [], 'every write named the field manager edge-controller');
    } finally {
      await proxy.close();
    }
  });
});

/** One request the proxy passed on. */
interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly userAgent: string | undefined;
}

/**
 * A plain-HTTP pass-through to the real API server that records each request's method, URL and
 * User-Agent. It authenticates upstream with the admin's client certificate, so the controller behind it
 * needs no credentials of its own. Watches stream through.
 */
async function recordingProxy(admin: KubeClient): Promise<{
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}> {
  const kc = admin.kubeConfig;
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  assert.ok(cluster !== null && user !== null);
  const pem = async (data: string | undefined, file: string | undefined): Promise<string | undefined> =>
    data !== undefined && data !== ''
      ? Buffer.from(data, 'base64').toString('utf8')
      : file !== undefined && file !== ''
        ? readFile(file, 'utf8')
        : undefined;
  const tls = {
    ca: await pem(cluster.caData, cluster.caFile),
    cert: await pem(user.certData, user.certFile),
    key: await pem(user.keyData, user.keyFile),
  };
  assert.ok(
    tls.cert !== undefined && tls.key !== undefined,
    'the admin kubeconfig authenticates with a client certificate',
  );
  const upstream = new URL(cluster.server);
  const requests: SeenRequest[] = [];
  const server = createHttpServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', userAgent: req.headers['user-agent'] });
    const forwarded = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        ...tls,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
