/**
 * Builds a binary from one of the project's Go modules when it is missing or stale, for the local control
 * plane (local-cluster/) and the hollow EdgeCore (interop/hollow-edge/). Staleness is a content hash of
 * go.mod, go.sum, every .go file, the Go version, the build flags and environment, so editing the Go code or
 * bumping a dependency rebuilds, and nothing else does. The Go build cache makes a rebuild after a small
 * change take seconds; a first build on a fresh machine takes minutes (see README). Concurrent callers
 * (parallel test files) share one build through a lock directory.
 * @module
 */
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { EdgeControllerError } from '../errors/index.js';
import { isProcessAlive } from './process-alive.js';

const execFileAsync = promisify(execFile);

/** What to build and where to put it. */
export interface GoBinarySpec {
  /** What the binary is, for log lines ("the local control plane (v1.35.4)"). */
  readonly description: string;
  /** Directory of the Go module (holds go.mod). */
  readonly moduleDir: string;
  /** Package to build, relative to the module (`./cmd/localcp`, `.`). */
  readonly packagePath: string;
  /** Where the binary goes; its build stamp is `<binaryPath>.build-id` beside it. */
  readonly binaryPath: string;
  /** `-ldflags` value. */
  readonly ldflags: string;
  /** Extra environment for `go` (CGO_ENABLED, GOPROXY, ...); part of the content hash, but for GOPROXY. */
  readonly env: Readonly<Record<string, string>>;
}

/** Options of {@link ensureGoBinary}. */
export interface BuildOptions {
  /** Receives progress lines ("building ...", compiler output). Default: ignored. */
  readonly onLog?: (line: string) => void;
}

/** Result of {@link ensureGoBinary}. */
export interface BuildResult {
  readonly binaryPath: string;
  /** Whether this call compiled (false: the binary was already fresh). */
  readonly built: boolean;
  readonly durationMs: number;
}

/** Returns the path of a binary built from the module's current sources, building it first if needed. */
export async function ensureGoBinary(spec: GoBinarySpec, options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.onLog ?? (() => undefined);
  const started = performance.now();
  const goVersion = await requireGo(spec);
  const buildId = await sourceHash(spec, goVersion);
  const stampPath = `${spec.binaryPath}.build-id`;
  const result = (built: boolean): BuildResult => ({
    binaryPath: spec.binaryPath,
    built,
    durationMs: performance.now() - started,
  });
  if (await isFresh(spec.binaryPath, stampPath, buildId)) return result(false);

  await mkdir(dirname(spec.binaryPath), { recursive: true });
  const release = await acquireBuildLock(join(dirname(spec.binaryPath), `${basename(spec.binaryPath)}.lock`));
  try {
    if (await isFresh(spec.binaryPath, stampPath, buildId)) return result(false);
    log(`building ${spec.description} with ${goVersion}; the first build takes minutes`);
    const tmp = `${spec.binaryPath}.tmp-${process.pid}`;
    await runGoBuild(spec, tmp, log);
    await rename(tmp, spec.binaryPath);
    await writeFile(stampPath, buildId + '\n');
    const done = result(true);
    log(`built ${relative(process.cwd(), spec.binaryPath)} in ${(done.durationMs / 1000).toFixed(1)}s`);
    return done;
  } finally {
    await release();
  }
}

async function requireGo(spec: GoBinarySpec): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('go', ['version'], { env: goEnv(spec) }));
  } catch (err) {
    throw new EdgeControllerError(
      'EC_LOCAL_CLUSTER_GO_MISSING',
      `the Go toolchain (go 1.25 or newer) is needed to build ${spec.description}, and \`go version\` failed: install Go and put it on PATH`,
      { cause: err },
    );
  }
  const match = /go(\d+)\.(\d+)/.exec(stdout);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  if (major < 1 || (major === 1 && minor < 25)) {
    throw new EdgeControllerError(
      'EC_LOCAL_CLUSTER_GO_MISSING',
      `${stdout.trim()} is too old: building ${spec.description} needs go 1.25 or newer`,
    );
  }
  return stdout.trim().replace(/^go version /, '');
}

function goEnv(spec: GoBinarySpec): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: never let go.mod trigger a toolchain download (there is no network for it).
  return { ...process.env, GOTOOLCHAIN: 'local', ...spec.env };
}

async function sourceHash(spec: GoBinarySpec, goVersion: string): Promise<string> {
  const hash = createHash('sha256');
  // Where modules are downloaded from does not change the binary (go.sum pins them), and a proxy path
  // differs between clones: GOPROXY is left out of the hash.
  const hashedEnv = Object.entries(spec.env).filter(([name]) => name !== 'GOPROXY');
  hash.update(`${goVersion}\n${spec.packagePath}\n${spec.ldflags}\n${JSON.stringify(hashedEnv)}\n`);
  for (const file of await goSources(spec.moduleDir)) {
    hash.update(relative(spec.moduleDir, file) + '\n');
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

async function isFresh(binaryPath: string, stampPath: string, buildId: string): Promise<boolean> {
  if (!existsSync(binaryPath)) return false;
  try {
    return (await readFile(stampPath, 'utf8')).trim() === buildId;
  } catch {
    return false;
  }
}

function runGoBuild(spec: GoBinarySpec, output: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['build', '-trimpath', '-ldflags', spec.ldflags, '-o', output, spec.packagePath];
    const child = spawn('go', args, { cwd: spec.moduleDir, env: goEnv(spec), stdio: ['ignore', 'pipe', 'pipe'] });
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
            `go build in ${spec.moduleDir} exited with ${String(code)}:\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

/** A lock directory holding the builder's pid; a lock left by a dead process is taken over. */
async function acquireBuildLock(lockDir: string): Promise<() => Promise<void>> {
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
