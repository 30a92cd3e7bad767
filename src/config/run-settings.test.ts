import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCloudCoreConfig } from './cloudcore-config.js';
import {
  envName,
  renderRunFlags,
  resolveRunSettings,
  runSettingNames,
  runSettingSpecs,
} from './run-settings.js';
import type { GivenSettings, SettingsFile } from './run-settings.js';

const fixture = readFileSync(new URL('../../test/fixtures/cloudcore-default.yaml', import.meta.url), 'utf8');
const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** The default fixture with the hub port set to 11000 and the key `nodeLimit` left out. */
function file(): SettingsFile {
  const text = fixture.replace('port: 10000', 'port: 11000').replace(/^ {4}nodeLimit: 500\n/m, '');
  return parseCloudCoreConfig(text);
}

describe('envName', () => {
  const table: [string, string][] = [
    ['hubPort', 'EDGE_CONTROLLER_HUB_PORT'],
    ['config', 'EDGE_CONTROLLER_CONFIG'],
    ['allowLegacyEdgeCert', 'EDGE_CONTROLLER_ALLOW_LEGACY_EDGE_CERT'],
    ['logLevel', 'EDGE_CONTROLLER_LOG_LEVEL'],
  ];
  for (const [name, env] of table) {
    it(`maps ${name} to ${env}`, () => {
      assert.equal(envName(name), env);
    });
  }
});

describe('resolveRunSettings: flag > environment > file > default', () => {
  const table: [string, GivenSettings, boolean, number, string][] = [
    ['a flag wins over everything', { hubPort: { value: 1, source: 'flag' } }, true, 1, 'flag'],
    ['the environment wins over the file', { hubPort: { value: 2, source: 'env' } }, true, 2, 'env'],
    ['the file wins over the default', {}, true, 11000, 'file'],
    ['the default is last', {}, false, 10000, 'default'],
  ];
  for (const [name, given, withFile, value, source] of table) {
    it(name, () => {
      const resolved = resolveRunSettings(given, withFile ? file() : undefined);
      assert.equal(resolved.hubPort.value, value);
      assert.equal(resolved.hubPort.source, source);
    });
  }

  it('names where a value came from: the flag, the variable, the file key', () => {
    const resolved = resolveRunSettings(
      { hubPort: { value: 1, source: 'flag' }, httpsPort: { value: 2, source: 'env' } },
      file(),
    );
    assert.equal(resolved.hubPort.from, '--hub-port');
    assert.equal(resolved.httpsPort.from, 'EDGE_CONTROLLER_HTTPS_PORT');
    assert.equal(resolved.advertiseAddress.from, 'modules.cloudHub.advertiseAddress');
    assert.equal(resolved.windowSize.from, undefined);
  });

  it("takes KubeEdge's default for a key the file leaves out, and reports it as a default", () => {
    const resolved = resolveRunSettings({}, file());
    assert.deepEqual(resolved.nodeLimit, { value: 500, source: 'default' });
    assert.deepEqual(resolveRunSettings({}).nodeLimit, { value: 10_000, source: 'default' });
  });

  it('converts file units back to the flag units (keepalive seconds, metrics host:port, token hours)', () => {
    const resolved = resolveRunSettings({}, file());
    assert.equal(resolved.keepaliveTimeoutSeconds.value, 30);
    assert.equal(resolved.metricsAddress.value, '127.0.0.1:9091');
    assert.equal(resolved.tokenRefreshDurationHours.value, 12);
    assert.equal(resolved.tlsCAFile.value, '/etc/kubeedge/ca/rootCA.crt');
    assert.equal(resolveRunSettings({}).tlsCAFile.value, '', 'without a file: the Secrets only');
  });

  it('a list given in the environment replaces the file list', () => {
    const resolved = resolveRunSettings(
      { advertiseAddress: { value: ['10.0.0.1', '10.0.0.2'], source: 'env' } },
      file(),
    );
    assert.deepEqual(resolved.advertiseAddress.value, ['10.0.0.1', '10.0.0.2']);
  });
});

describe('resolveRunSettings: API client QPS and burst', () => {
  /** The fixture (qps 2500, burst 5000, nodeLimit 500) without its qps and burst keys. */
  function fileWithoutLimits(): SettingsFile {
    return parseCloudCoreConfig(fixture.replace(/^ {2}qps: 2500\n/m, '').replace(/^ {2}burst: 5000\n/m, ''));
  }

  it('a flag wins over the variable and the file; the variable over the file', () => {
    const resolved = resolveRunSettings(
      { kubeApiQps: { value: 7, source: 'flag' }, kubeApiBurst: { value: 9, source: 'env' } },
      file(),
    );
    assert.deepEqual(resolved.kubeApiQps, { value: 7, source: 'flag', from: '--kube-api-qps' });
    assert.deepEqual(resolved.kubeApiBurst, {
      value: 9,
      source: 'env',
      from: 'EDGE_CONTROLLER_KUBE_API_BURST',
    });
  });

  it("the file's kubeAPIConfig.qps and .burst win over the derived default", () => {
    const resolved = resolveRunSettings({ nodeLimit: { value: 100, source: 'flag' } }, file());
    assert.deepEqual(resolved.kubeApiQps, { value: 2500, source: 'file', from: 'kubeAPIConfig.qps' });
    assert.deepEqual(resolved.kubeApiBurst, { value: 5000, source: 'file', from: 'kubeAPIConfig.burst' });
  });

  it('without a value, 5 × and 10 × the node limit in force, wherever the node limit came from', () => {
    const plain = resolveRunSettings({});
    assert.deepEqual(plain.kubeApiQps, { value: 50_000, source: 'default' });
    assert.deepEqual(plain.kubeApiBurst, { value: 100_000, source: 'default' });
    const fromFlag = resolveRunSettings({ nodeLimit: { value: 40, source: 'flag' } });
    assert.equal(fromFlag.kubeApiQps.value, 200);
    assert.equal(fromFlag.kubeApiBurst.value, 400);
    // The file's nodeLimit (500) without qps/burst keys: KubeEdge's own numbers, 2500 and 5000.
    const fromFile = resolveRunSettings({}, fileWithoutLimits());
    assert.deepEqual(fromFile.kubeApiQps, { value: 2500, source: 'default' });
    assert.deepEqual(fromFile.kubeApiBurst, { value: 5000, source: 'default' });
    // A flag's node limit overrides the file's, and the derived limits follow it.
    const flagOverFile = resolveRunSettings({ nodeLimit: { value: 20, source: 'env' } }, fileWithoutLimits());
    assert.equal(flagOverFile.kubeApiQps.value, 100);
    assert.equal(flagOverFile.kubeApiBurst.value, 200);
  });
});

describe('run settings reference', () => {
  it('is what docs/configuration.md shows', () => {
    assert.ok(
      doc.includes(renderRunFlags()),
      `regenerate the flags table: node --import tsx -e "import('./src/config/index.ts').then((m) => console.log(m.renderRunFlags()))"`,
    );
  });

  it('reads every file key it names from a key the reader really uses', () => {
    const { ignored } = parseCloudCoreConfig(fixture);
    for (const name of runSettingNames) {
      const key = runSettingSpecs[name].fileKey;
      if (key === undefined) continue;
      assert.ok(!ignored.some((p) => p === key || p.startsWith(`${key}.`)), `${name}: ${key} is ignored`);
    }
  });
});
