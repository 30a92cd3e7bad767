/**
 * Builds the control-plane binary from local-cluster/ when it is missing or stale. Staleness is a
 * content hash of go.mod, go.sum, every .go file, the Go version and the build flags, so editing the Go
 * code or bumping Kubernetes rebuilds, and nothing else does. The Go build cache makes a rebuild after a
 * small change take seconds; the first build on a fresh machine takes minutes (see README).
 * Concurrent callers (parallel test files) share one build through a lock directory.
 * @module
 */
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { EdgeControllerError } from '../errors/index.js';
import { isProcessAlive } from './process-alive.js';
import { binaryDir, binaryPath, buildStampPath, goModuleDir } from './paths.js';

const execFileAsync = promisify(execFile);

/** Kubernetes release the binary is pinned to (local-cluster/go.mod); stamped into /version. */
export const kubernetesVersion = 'v1.35.4';

const ldflags = [
  '-s',
  '-w',
  `-X k8s.io/component-base/version.gitVersion=${kubernetesVersion}`,
  '-X k8s.io/component-base/version.gitMajor=1',
  '-X k8s.io/component-base/version.gitMinor=35',
  '-X k8s.io/component-base/version.gitTreeState=clean',
].join(' ');

/** Options of {@link ensureLocalClusterBinary}. */
export interface BuildOptions {
  /** Receives progress lines ("building ...", compiler output). Default: ignored. */
  readonly onLog?: (line: string) => void;
}

/** Result of {@link ensureLocalClusterBinary}. */
export interface BuildResult {
  readonly binaryPath: string;
  /** Whether this call compiled (false: the binary was already fresh). */
  readonly built: boolean;
  readonly durationMs: number;
}

/** Returns the path of a binary built from the current sources, building it first if needed. */
export async function ensureLocalClusterBinary(options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.onLog ?? (() => undefined);
  const started = performance.now();
  const goVersion = await requireGo();
  const buildId = await sourceHash(goVersion);
  if (await isFresh(buildId)) return { binaryPath, built: false, durationMs: performance.now() - started };

  await mkdir(binaryDir, { recursive: true });
  const release = await acquireBuildLock();
  try {
    if (await isFresh(buildId)) return { binaryPath, built: false, durationMs: performance.now() - started };
    log(`building the local control plane (${kubernetesVersion}) with ${goVersion}; the first build takes minutes`);
    const tmp = `${binaryPath}.tmp-${process.pid}`;
    await runGoBuild(tmp, log);
    await rename(tmp, binaryPath);
    await writeFile(buildStampPath, buildId + '\n');
    const durationMs = performance.now() - started;
    log(`built ${relative(process.cwd(), binaryPath)} in ${(durationMs / 1000).toFixed(1)}s`);
    return { binaryPath, built: true, durationMs };
  } finally {
    await release();
  }
}

async function requireGo(): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('go', ['version'], { env: goEnv() }));
  } catch (err) {
    throw new EdgeControllerError(
      'EC_LOCAL_CLUSTER_GO_MISSING',
      'the Go toolchain (go 1.25 or newer) is needed to build the local control plane, and `go version` failed: install Go and put it on PATH',
      { cause: err },
    );
  }
  const match = /go(\d+)\.(\d+)/.exec(stdout);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  if (major < 1 || (major === 1 && minor < 25)) {
    throw new EdgeControllerError(
      'EC_LOCAL_CLUSTER_GO_MISSING',
      `${stdout.trim()} is too old: Kubernetes ${kubernetesVersion} needs go 1.25 or newer`,
    );
  }
  return stdout.trim().replace(/^go version /, '');
}

function goEnv(): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: never let go.mod trigger a toolchain download (there is no network for it).
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
}

async function sourceHash(goVersion: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${goVersion}\n${ldflags}\n`);
  for (const file of await goSources(goModuleDir)) {
    hash.update(relative(goModuleDir, file) + '\n');
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

async function goSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && (e.name.endsWith('.go') || e.name === 'go.mod' || e.name === 'go.sum'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function isFresh(buildId: string): Promise<boolean> {
  if (!existsSync(binaryPath)) return false;
  try {
    return (await readFile(buildStampPath, 'utf8')).trim() === buildId;
  } catch {
    return false;
  }
}

function runGoBuild(output: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', output, './cmd/localcp'], {
      cwd: goModuleDir,
      env: goEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        tail.push(line);
        if (tail.length > 60) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => {
      reject(new EdgeControllerError('EC_LOCAL_CLUSTER_BUILD_FAILED', `cannot run go build: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new EdgeControllerError(
            'EC_LOCAL_CLUSTER_BUILD_FAILED',
            `go build in ${goModuleDir} exited with ${String(code)}:\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

/** A lock directory holding the builder's pid; a lock left by a dead process is taken over. */
async function acquireBuildLock(): Promise<() => Promise<void>> {
  const lockDir = join(binaryDir, 'build.lock');
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '0'));
    const ageMs = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
    // No pid after 30 s: the holder died between mkdir and writing its pid.
    if ((holder > 0 && !isProcessAlive(holder)) || (holder === 0 && ageMs > 30_000)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

