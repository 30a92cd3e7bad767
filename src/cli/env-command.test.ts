import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Option } from 'commander';
import { isEdgeControllerError } from '../errors/index.js';
import { EnvCommand, readBooleanEnv } from './env-command.js';
import { addRunOptions } from './settings.js';

/** A `run`-like command parsed with `argv` under `env`; resolves with the command once its action ran. */
async function parse(argv: readonly string[], env: Record<string, string>): Promise<EnvCommand> {
  // Commander reads process.env itself; the test sets and restores exactly the variables it uses.
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, env);
  try {
    const program = new EnvCommand('edge-controller')
      .exitOverride()
      .addOption(new Option('--log-level <level>').choices(['info', 'debug']).default('info'))
      .hook('preAction', (_p, action) => {
        readBooleanEnv(action, process.env);
      });
    const run = program.command('run');
    addRunOptions(run);
    run.action(() => undefined);
    await program.parseAsync(['node', 'edge-controller', 'run', ...argv]);
    return run;
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

describe('EnvCommand', () => {
  it('reads a flag from its variable, and the flag wins when both are given', async () => {
    const run = await parse(['--https-port=3'], {
      EDGE_CONTROLLER_HUB_PORT: '18001',
      EDGE_CONTROLLER_HTTPS_PORT: '4',
    });
    assert.equal(run.getOptionValue('hubPort'), 18001);
    assert.equal(run.getOptionValueSource('hubPort'), 'env');
    assert.equal(run.getOptionValue('httpsPort'), 3);
    assert.equal(run.getOptionValueSource('httpsPort'), 'cli');
    assert.equal(run.getOptionValueSource('windowSize'), 'default');
  });

  it('reads a global flag of the program from its variable (EDGE_CONTROLLER_LOG_LEVEL)', async () => {
    const run = await parse([], { EDGE_CONTROLLER_LOG_LEVEL: 'debug' });
    assert.equal(run.parent?.getOptionValue('logLevel'), 'debug');
  });

  it('takes a comma-separated list from one variable', async () => {
    const run = await parse([], { EDGE_CONTROLLER_ADVERTISE_ADDRESS: '10.0.0.1, 10.0.0.2' });
    assert.deepEqual(run.getOptionValue('advertiseAddress'), ['10.0.0.1', '10.0.0.2']);
  });

  const booleans: [string, boolean][] = [
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ];
  for (const [text, value] of booleans) {
    it(`reads a boolean flag's variable by its value: ${text}`, async () => {
      const run = await parse([], { EDGE_CONTROLLER_IMPERSONATE_NODES: text });
      assert.equal(run.getOptionValue('impersonateNodes'), value);
    });
  }

  it('refuses a boolean variable that is neither true nor false, naming it', async () => {
    const err: unknown = await parse([], { EDGE_CONTROLLER_ALLOW_LEGACY_EDGE_CERT: 'yes' }).catch(
      (e: unknown) => e,
    );
    assert.ok(isEdgeControllerError(err, 'EC_CONFIG_INVALID'), String(err));
    assert.match(err.message, /EDGE_CONTROLLER_ALLOW_LEGACY_EDGE_CERT="yes"/);
  });

  it('refuses an invalid value from a variable, naming the variable', async () => {
    const err: unknown = await parse([], { EDGE_CONTROLLER_HUB_PORT: 'ten' }).catch((e: unknown) => e);
    assert.match((err as Error).message, /from env 'EDGE_CONTROLLER_HUB_PORT' is invalid\. not a port: ten/);
  });
});

describe('run: the API client limits', () => {
  it('takes --kube-api-qps from its variable and --kube-api-burst from its flag', async () => {
    const run = await parse(['--kube-api-burst=12'], {
      EDGE_CONTROLLER_KUBE_API_QPS: '7.5',
      EDGE_CONTROLLER_KUBE_API_BURST: '99',
    });
    assert.equal(run.getOptionValue('kubeApiQps'), 7.5);
    assert.equal(run.getOptionValueSource('kubeApiQps'), 'env');
    assert.equal(run.getOptionValue('kubeApiBurst'), 12);
    assert.equal(run.getOptionValueSource('kubeApiBurst'), 'cli');
  });

  it('refuses a burst that is not a whole number, and a qps of 0', async () => {
    await assert.rejects(parse(['--kube-api-burst=2.5'], {}), /not a positive whole number: 2\.5/);
    await assert.rejects(parse([], { EDGE_CONTROLLER_KUBE_API_QPS: '0' }), /not a positive number: 0/);
  });
});
