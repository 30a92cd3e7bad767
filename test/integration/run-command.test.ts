/**
 * `edge-controller run` as an operator starts it: a separate process against the real API server, every
 * listener on port 0, the bound ports in its log, metrics served, a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { useLocalCluster } from '../support/cluster.js';

const getCluster = useLocalCluster();
const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface LogLine {
  msg?: string;
  hub?: number;
  https?: number;
  metrics?: number;
}

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
});
