/**
 * `edge-controller run` as an operator starts it: a separate process against the real API server, every
 * listener on port 0, the bound ports in its log, metrics served, a clean stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EdgeClient, joinWithToken } from '../../src/sim/index.js';
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
    assert.match(nodes, /^NODE\s+CONNECTED/);
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
