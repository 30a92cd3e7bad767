/**
 * Marginal memory of one connected idle edge node (issue 15 item 4), ours against the floor, in one run:
 *
 * - **ours**: the controller as its own process (`edge-controller run`) on a local control plane started
 *   with `--node-monitor-grace-period 240s`; N simulated EdgeCores (this process) join, connect and
 *   register with a 60 s lease and a 120 s status period, then stay idle (keepalive every 15 s);
 * - **floor**: a bare mTLS WebSocket server (floor-server.ts, its own process, the hub's certificates and
 *   TLS settings, `ws` without deflate) holding N idle connections from the same identities, each
 *   sending the same 15 s keepalive and nothing else.
 *
 * Memory is the median RSS (`/proc/<pid>/status` VmRSS, sampled every second, no forced GC) over
 * `--sample-seconds` (default 60) after the last node connected and registered, minus the same median taken
 * before the first node connected; marginal = (RSS@N − RSS@0) / N. The controller's heap and external
 * memory (its `/metrics`) are kept beside, to say where the difference lives.
 *
 *   node --import tsx bench/fleet/memory/idle-node-memory.bench.ts [--nodes 1000] [--ramp 100] \
 *     [--sample-seconds 60] [--baseline-seconds 30] [--controller-entry source|dist] \
 *     [--controller-node-options "--max-semi-space-size=16"] [--controller-env MALLOC_ARENA_MAX=2] \
 *     [--controller-exec-argv "--semi-space-growth-factor=1"] [--skip-floor] \
 *     [--heap-snapshots <dir>] [--name idle-node-memory]
 *
 * Writes bench/results/idle-node-memory.json (1,000 nodes) or idle-node-memory-<N>.json, and a summary.
 * {@link runIdleNodeMemory} is exported for the bench/fleet runner.
 * @module
 */
import { spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeConfig } from '../../../src/kube/index.js';
import { startLocalCluster } from '../../../src/local-cluster/index.js';
import { EdgeClient, Simulator } from '../../../src/sim/index.js';
import type { EdgeIdentity } from '../../../src/sim/index.js';
import { controllerNodeFlags, readJoinToken, startControllerProcess } from '../../lib/controller-process.js';
import { report } from '../../lib/runner.js';
import type { BenchReport, VariantResult } from '../../lib/runner.js';

/** Options of {@link runIdleNodeMemory}; every field has a default. */
export interface IdleNodeMemoryOptions {
  /** Idle nodes held by both servers. Default 1,000. */
  readonly nodes?: number;
  /** Nodes started (and floor connections opened) per second. Default 100. */
  readonly rampNodesPerSecond?: number;
  /** Window of the median RSS after the last node connected, in s. Default 60 (the issue's). */
  readonly sampleSeconds?: number;
  /** Window of the median RSS before the first node, in s (after a 10 s settle). Default 30. */
  readonly baselineSeconds?: number;
  readonly leasePeriodSeconds?: number;
  readonly statusPeriodSeconds?: number;
  /** Extra `NODE_OPTIONS` of the controller process only, e.g. `--max-semi-space-size=4`. */
  readonly controllerNodeOptions?: string;
  /**
   * Extra Node/V8 flags on the controller's command line, before the script: for V8 flags that Node refuses
   * in `NODE_OPTIONS` (e.g. `--semi-space-growth-factor=1`).
   */
  readonly controllerExecArgv?: readonly string[];
  /** Measure the controller only (no floor server): quicker, for comparing controller variants. */
  readonly skipFloor?: boolean;
  /** Run the controller from `dist/` (as deployed) or from source through tsx (default). */
  readonly controllerEntry?: 'source' | 'dist';
  /** Extra environment of the controller process only, e.g. `{ MALLOC_ARENA_MAX: '2' }`. */
  readonly controllerEnv?: Readonly<Record<string, string>>;
  /** Write heap snapshots of the controller at 0 and N nodes into this directory. Default: none. */
  readonly heapSnapshotDir?: string;
  /**
   * Kill the controller and fail the run when its RSS passes this (a shared machine must survive a
   * runaway). Default 4 GiB.
   */
  readonly maxControllerRssBytes?: number;
  /** Result file name. Default `idle-node-memory` (1,000 nodes) or `idle-node-memory-<N>`. */
  readonly name?: string;
  /** Receives progress lines. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** One server's memory at 0 and N nodes. */
export interface ServerMemory {
  readonly rssAtZeroBytes: number;
  readonly rssAtNBytes: number;
  /** (RSS@N − RSS@0) / N, in bytes. */
  readonly perNodeBytes: number;
  readonly peakRssBytes: number;
}

/** What {@link runIdleNodeMemory} measured. */
export interface IdleNodeMemoryResult {
  readonly nodes: number;
  readonly floor: ServerMemory;
  readonly ours: ServerMemory & {
    /** From the controller's /metrics at 0 and at N. */
    readonly heapUsedAtZeroBytes: number;
    readonly heapUsedAtNBytes: number;
    readonly externalAtZeroBytes: number;
    readonly externalAtNBytes: number;
    readonly heapTotalAtZeroBytes: number;
    readonly heapTotalAtNBytes: number;
    readonly connectSeconds: number;
    readonly registeredSeconds: number;
    readonly failures: number;
  };
  readonly report: BenchReport;
}

const floorTs = fileURLToPath(new URL('./floor-server.ts', import.meta.url));

/** Runs both variants on one fresh control plane and writes the result. */
export async function runIdleNodeMemory(options: IdleNodeMemoryOptions = {}): Promise<IdleNodeMemoryResult> {
  const nodes = options.nodes ?? 1000;
  const ramp = options.rampNodesPerSecond ?? 100;
  const sampleSeconds = options.sampleSeconds ?? 60;
  const baselineSeconds = options.baselineSeconds ?? 30;
  const leasePeriodSeconds = options.leasePeriodSeconds ?? 60;
  const statusPeriodSeconds = options.statusPeriodSeconds ?? 120;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timeoutMs = Math.max(600_000, (nodes / ramp) * 4_000);

  const cluster = await startLocalCluster({ nodeMonitorGracePeriodSeconds: 240 });
  const admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfigPath }));
  const work = await mkdtemp(join(tmpdir(), 'idle-node-memory-'));
  const snapshotDir = options.heapSnapshotDir;
  if (snapshotDir !== undefined) await mkdir(snapshotDir, { recursive: true });
  const controllerNodeOptions = [
    process.env['NODE_OPTIONS'] ?? '',
    options.controllerNodeOptions ?? '',
    snapshotDir !== undefined ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` : '',
  ]
    .join(' ')
    .trim();
  const controller = await startControllerProcess(cluster.kubeconfigPath, {
    args: [`--node-limit=${String(Math.max(nodes, 10))}`],
    entry: options.controllerEntry ?? 'source',
    execArgv: options.controllerExecArgv ?? [],
    env: { NODE_OPTIONS: controllerNodeOptions, ...options.controllerEnv },
  });
  let sim: Simulator | undefined;
  const floorEdges: EdgeClient[] = [];
  let floorProcess: ReturnType<typeof spawn> | undefined;
  try {
    const pid = controller.process.pid ?? 0;
    const metricsUrl = `http://127.0.0.1:${String(controller.ports.metrics)}/metrics`;
    const token = await readJoinToken(admin);
    await delay(10_000);
    log(`ours: RSS before any node (median of ${String(baselineSeconds)} s)`);
    const oursZero = await medianRss(pid, baselineSeconds);
    const metricsZero = await scrapeMemory(metricsUrl);
    if (snapshotDir !== undefined) await heapSnapshot(pid, snapshotDir, log);

    const failureSamples: string[] = [];
    sim = new Simulator({
      nodes,
      prefix: 'idle',
      server: `127.0.0.1:${String(controller.ports.hub)}`,
      httpServer: `https://127.0.0.1:${String(controller.ports.https)}`,
      token,
      rampNodesPerSecond: ramp,
      leasePeriodMs: leasePeriodSeconds * 1000,
      statusPeriodMs: statusPeriodSeconds * 1000,
      onFailure: (node, err) => {
        if (failureSamples.length < 5) failureSamples.push(`${node}: ${err.message}`);
      },
    });
    const running = sim;
    const t0 = performance.now();
    const maxRss = options.maxControllerRssBytes ?? 4 * 1024 ** 3;
    let runaway: string | undefined;
    const guard = setInterval(() => {
      void rssOf(pid)
        .then((rss) => {
          // NaN (no VmRSS: the process is exiting) is not a runaway; the run then fails on its own, its
          // nodes never connecting.
          if (!(rss > maxRss) || runaway !== undefined) return;
          runaway = `the controller's RSS reached ${String(Math.round(rss / 1048576))} MiB; killed`;
          log(runaway);
          void controller.kill();
        })
        .catch(() => undefined);
    }, 2_000);
    guard.unref();
    const notRunaway = (): void => {
      if (runaway !== undefined) throw new Error(runaway);
    };
    const progress = setInterval(() => {
      const c = running.counts();
      log(
        `  ours: connected=${String(c.connected)} registered=${String(c.registered)} failures=${String(c.failures)}`,
      );
    }, 10_000);
    progress.unref();
    const starting = sim.start();
    await sim.waitFor((c) => (notRunaway(), c.connected === nodes), { timeoutMs, intervalMs: 50 });
    const connectSeconds = (performance.now() - t0) / 1000;
    await sim.waitFor((c) => (notRunaway(), c.registered === nodes), { timeoutMs, intervalMs: 50 });
    const registeredSeconds = (performance.now() - t0) / 1000;
    await starting;
    clearInterval(progress);
    log(
      `ours: ${String(nodes)} connected in ${connectSeconds.toFixed(1)} s; RSS median of ${String(sampleSeconds)} s`,
    );
    // prom-client resets its event-loop delay histogram on each scrape: this one starts the window.
    await scrapeMemory(metricsUrl);
    const oursN = await medianRss(pid, sampleSeconds);
    clearInterval(guard);
    notRunaway();
    const metricsN = await scrapeMemory(metricsUrl);
    const failures = sim.counts().failures;
    if (snapshotDir !== undefined) await heapSnapshot(pid, snapshotDir, log);
    if (failureSamples.length > 0) log(`failure samples:\n  ${failureSamples.join('\n  ')}`);

    // The same identities for the floor; then the controller goes, so that it takes no CPU from it.
    const identities = sim.nodeNames
      .map((name) => running.node(name)?.identity)
      .filter((id): id is EdgeIdentity => id !== undefined);
    await sim.stop();
    sim = undefined;
    const tls = await readHubTls(admin);
    await controller.stop();

    await Promise.all([
      writeFile(join(work, 'ca.pem'), tls.caPem),
      writeFile(join(work, 'cert.pem'), tls.certPem),
      writeFile(join(work, 'key.pem'), tls.keyPem),
    ]);
    let floorZero: Sampled = { median: NaN, peak: NaN, cpuSeconds: NaN };
    let floorN: Sampled = floorZero;
    if (options.skipFloor !== true) {
      const floor = await startFloor(work);
      floorProcess = floor.process;
      const floorPid = floor.process.pid ?? 0;
      await delay(5_000);
      log(`floor: RSS before any connection (median of ${String(baselineSeconds)} s)`);
      floorZero = await medianRss(floorPid, baselineSeconds);
      const f0 = performance.now();
      for (const [i, identity] of identities.entries()) {
        const wait = f0 + (i * 1000) / ramp - performance.now();
        if (wait >= 1) await delay(wait);
        const edge = new EdgeClient({
          server: `127.0.0.1:${String(floor.port)}`,
          identity,
          keepReceived: false,
        });
        floorEdges.push(edge);
        await edge.connect();
      }
      log(`floor: ${String(identities.length)} connected; RSS median of ${String(sampleSeconds)} s`);
      floorN = await medianRss(floorPid, sampleSeconds);
    }

    const memory = (zero: Sampled, atN: Sampled, count: number): ServerMemory => ({
      rssAtZeroBytes: zero.median,
      rssAtNBytes: atN.median,
      perNodeBytes: (atN.median - zero.median) / count,
      peakRssBytes: atN.peak,
    });
    const floorMemory = memory(floorZero, floorN, identities.length);
    const oursMemory = {
      ...memory(oursZero, oursN, nodes),
      heapUsedAtZeroBytes: metricsZero.heapUsed,
      heapUsedAtNBytes: metricsN.heapUsed,
      externalAtZeroBytes: metricsZero.external,
      externalAtNBytes: metricsN.external,
      heapTotalAtZeroBytes: metricsZero.heapTotal,
      heapTotalAtNBytes: metricsN.heapTotal,
      connectSeconds,
      registeredSeconds,
      failures,
    };
    const kib = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;
    const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
    const variants: VariantResult[] = [
      {
        name: 'floor: RSS per idle node',
        value: kib(floorMemory.perNodeBytes),
        unit: 'KiB',
        details: {
          rssAtZeroMiB: mib(floorMemory.rssAtZeroBytes),
          rssAtNMiB: mib(floorMemory.rssAtNBytes),
          cpuSecondsInWindow: floorN.cpuSeconds,
          connections: identities.length,
        },
      },
      {
        name: 'ours: RSS per idle node',
        value: kib(oursMemory.perNodeBytes),
        unit: 'KiB',
        details: {
          rssAtZeroMiB: mib(oursMemory.rssAtZeroBytes),
          rssAtNMiB: mib(oursMemory.rssAtNBytes),
          peakRssMiB: mib(oursMemory.peakRssBytes),
          cpuSecondsInWindow: oursN.cpuSeconds,
          eventLoopDelayP99MsInWindow: Math.round(metricsN.loopP99 * 1e4) / 10,
          eventLoopDelayMaxMsInWindow: Math.round(metricsN.loopMax * 1e4) / 10,
          heapUsedPerNodeKiB: kib((metricsN.heapUsed - metricsZero.heapUsed) / nodes),
          externalPerNodeKiB: kib((metricsN.external - metricsZero.external) / nodes),
          heapUsedAtZeroMiB: mib(metricsZero.heapUsed),
          heapUsedAtNMiB: mib(metricsN.heapUsed),
          heapTotalAtZeroMiB: mib(metricsZero.heapTotal),
          heapTotalAtNMiB: mib(metricsN.heapTotal),
          connectSeconds: Math.round(connectSeconds * 10) / 10,
          registeredSeconds: Math.round(registeredSeconds * 10) / 10,
          simulatorFailures: failures,
        },
      },
      { name: 'ours: RSS before any node', value: mib(oursMemory.rssAtZeroBytes), unit: 'MiB' },
    ];
    const bench: BenchReport = {
      name: options.name ?? (nodes === 1000 ? 'idle-node-memory' : `idle-node-memory-${String(nodes)}`),
      description:
        'marginal RSS per connected idle edge node: a bare mTLS ws server (floor) against the controller (ours)',
      parameters: {
        nodes,
        rampNodesPerSecond: ramp,
        leasePeriodSeconds,
        statusPeriodSeconds,
        nodeMonitorGracePeriodSeconds: 240,
        keepaliveSeconds: 15,
        sampleSeconds,
        baselineSeconds,
        forcedGc: false,
        // The flags every controller process gets (as deployed), then this run's own.
        controllerNodeFlags: controllerNodeFlags.join(' '),
        controllerNodeOptions: options.controllerNodeOptions ?? '',
        controllerExecArgv: (options.controllerExecArgv ?? []).join(' '),
        floor: options.skipFloor !== true,
        controllerEntry: options.controllerEntry ?? 'source',
        controllerEnv: Object.entries(options.controllerEnv ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      },
      variants,
    };
    await report(bench);
    return { nodes, floor: floorMemory, ours: oursMemory, report: bench };
  } finally {
    // Bounded: after a failed start the simulator's stop waits for nodes still redialling a dead server.
    if (sim !== undefined) await Promise.race([sim.stop(), delay(30_000)]);
    await Promise.all(floorEdges.map((e) => e.close().catch(() => undefined)));
    if (floorProcess !== undefined && floorProcess.exitCode === null) {
      const gone = new Promise((resolve) => floorProcess?.once('exit', resolve));
      floorProcess.kill('SIGTERM');
      await gone;
    }
    await controller.stop();
    await cluster.stop();
    await rm(work, { recursive: true, force: true });
  }
}

interface Sampled {
  readonly median: number;
  readonly peak: number;
  /** CPU seconds (user + system) the process used during the window. */
  readonly cpuSeconds: number;
}

/** VmRSS of `pid` once a second for `seconds`: the median and the peak, in bytes. */
async function medianRss(pid: number, seconds: number): Promise<Sampled> {
  const samples: number[] = [];
  const cpuBefore = await cpuSecondsOf(pid);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    samples.push(await rssOf(pid));
    await delay(1_000);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)] ?? NaN,
    peak: samples.at(-1) ?? NaN,
    cpuSeconds: (await cpuSecondsOf(pid)) - cpuBefore,
  };
}

/** utime + stime of `pid`, in seconds (USER_HZ is 100 on Linux). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
}

/**
 * Heap used and external memory from the controller's default process metrics, and the event-loop delay
 * (p99 and max, in s) since the previous scrape.
 */
async function scrapeMemory(url: string): Promise<{
  heapUsed: number;
  heapTotal: number;
  external: number;
  loopP99: number;
  loopMax: number;
}> {
  const text = await (await fetch(url)).text();
  const value = (name: string): number =>
    Number(new RegExp(`^edgecontroller_${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
    loopP99: value('nodejs_eventloop_lag_p99_seconds'),
    loopMax: value('nodejs_eventloop_lag_max_seconds'),
  };
}

/** Asks the controller for a heap snapshot (SIGUSR2) and waits until the file stops growing. */
async function heapSnapshot(pid: number, dir: string, log: (line: string) => void): Promise<void> {
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let lastSize = -1;
  for (let i = 0; i < 600; i++) {
    await delay(1_000);
    file ??= (await readdir(dir)).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (file === undefined) continue;
    const size = (await stat(join(dir, file))).size;
    if (size > 0 && size === lastSize) break;
    lastSize = size;
  }
  log(`heap snapshot: ${file === undefined ? 'none written' : join(dir, file)}`);
  // Writing it grew the heap; let the process settle before the next step.
  await delay(5_000);
}

/** The hub's CA, server certificate and key as PEM, from the Secrets the controller keeps them in. */
async function readHubTls(admin: KubeClient): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const read = async (name: string): Promise<Record<string, string>> =>
    (
      await admin.request<{ data: Record<string, string> }>({
        method: 'GET',
        path: `/api/v1/namespaces/kubeedge/secrets/${name}`,
      })
    ).data;
  const ca = await read('casecret');
  const server = await read('cloudcoresecret');
  const der = (b64: string | undefined): Buffer => Buffer.from(b64 ?? '', 'base64');
  const keyDer = der(server['cloudcorekeydata']);
  const key = (['sec1', 'pkcs8'] as const).reduce<string | undefined>((found, type) => {
    if (found !== undefined) return found;
    try {
      return createPrivateKey({ key: keyDer, format: 'der', type }).export({
        format: 'pem',
        type: 'pkcs8',
      }) as string;
    } catch {
      return undefined;
    }
  }, undefined);
  if (key === undefined) throw new Error('cloudcoresecret/cloudcorekeydata is neither SEC1 nor PKCS#8');
  return {
    caPem: new X509Certificate(der(ca['cadata'])).toString(),
    certPem: new X509Certificate(der(server['cloudcoredata'])).toString(),
    keyPem: key,
  };
}

/** Starts floor-server.ts as its own process and resolves with its port. */
async function startFloor(dir: string): Promise<{ process: ReturnType<typeof spawn>; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      floorTs,
      `--ca=${join(dir, 'ca.pem')}`,
      `--cert=${join(dir, 'cert.pem')}`,
      `--key=${join(dir, 'key.pem')}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { msg?: string; port?: number };
        if (parsed.msg === 'floor listening') resolve(parsed.port ?? 0);
      } catch {
        // not a line of ours
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`floor-server exited with ${String(code)} before listening`));
    });
  });
  return { process: child, port };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      ramp: { type: 'string', default: '100' },
      'sample-seconds': { type: 'string', default: '60' },
      'baseline-seconds': { type: 'string', default: '30' },
      'lease-period-seconds': { type: 'string', default: '60' },
      'status-period-seconds': { type: 'string', default: '120' },
      'controller-node-options': { type: 'string' },
      'controller-exec-argv': { type: 'string' },
      'skip-floor': { type: 'boolean', default: false },
      'controller-env': { type: 'string', multiple: true },
      'controller-entry': { type: 'string', default: 'source' },
      'heap-snapshots': { type: 'string' },
      name: { type: 'string' },
    },
  });
  await runIdleNodeMemory({
    nodes: Number(values.nodes),
    rampNodesPerSecond: Number(values.ramp),
    sampleSeconds: Number(values['sample-seconds']),
    baselineSeconds: Number(values['baseline-seconds']),
    leasePeriodSeconds: Number(values['lease-period-seconds']),
    statusPeriodSeconds: Number(values['status-period-seconds']),
    ...(values['controller-node-options'] !== undefined
      ? { controllerNodeOptions: values['controller-node-options'] }
      : {}),
    ...(values['controller-exec-argv'] !== undefined
      ? { controllerExecArgv: values['controller-exec-argv'].split(' ').filter((a) => a !== '') }
      : {}),
    skipFloor: values['skip-floor'],
    controllerEntry: values['controller-entry'] === 'dist' ? 'dist' : 'source',
    ...(values['controller-env'] !== undefined
      ? {
          controllerEnv: Object.fromEntries(
            values['controller-env'].map((kv): [string, string] => {
              const at = kv.indexOf('=');
              return [kv.slice(0, at), kv.slice(at + 1)];
            }),
          ),
        }
      : {}),
    ...(values['heap-snapshots'] !== undefined ? { heapSnapshotDir: values['heap-snapshots'] } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
