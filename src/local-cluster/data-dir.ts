/**
 * Operations on a data dir that a `localcp up` may be running in, from another process:
 * find the running supervisor, stop it, read its kubeconfig.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EdgeControllerError } from '../errors/index.js';
import { isProcessAlive } from './process-alive.js';
import { readyFileSchema } from './ready-file.js';
import type { ReadyFile } from './ready-file.js';

/** The ready.json of the control plane running in `dataDir`, or an `EC_LOCAL_CLUSTER_NOT_RUNNING` error. */
export async function readRunning(dataDir: string): Promise<ReadyFile> {
  let raw: string;
  try {
    raw = await readFile(join(dataDir, 'ready.json'), 'utf8');
  } catch {
    throw notRunning(dataDir);
  }
  const parsed = readyFileSchema.safeParse(JSON.parse(raw));
  if (!parsed.success || !isProcessAlive(parsed.data.pid)) throw notRunning(dataDir);
  return parsed.data;
}

/** Stops the supervisor running in `dataDir` (SIGTERM, then SIGKILL after `timeoutMs`). */
export async function stopRunning(dataDir: string, timeoutMs = 60_000): Promise<number> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dataDir, 'localcp.pid'), 'utf8')).trim());
  } catch {
    throw notRunning(dataDir);
  }
  if (!(pid > 0) || !isProcessAlive(pid)) throw notRunning(dataDir);
  process.kill(pid, 'SIGTERM');
  const deadline = performance.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (performance.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await delay(200);
  }
  return pid;
}

function notRunning(dataDir: string): EdgeControllerError {
  return new EdgeControllerError(
    'EC_LOCAL_CLUSTER_NOT_RUNNING',
    `no local control plane is running in ${dataDir}: start one with \`edge-controller local-cluster up --data-dir ${dataDir}\``,
  );
}

