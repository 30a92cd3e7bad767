import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isEdgeControllerError } from '../errors/index.js';
import { parseCloudCoreConfig } from './cloudcore-config.js';

const defaults = readFileSync(new URL('../../test/fixtures/cloudcore-default.yaml', import.meta.url), 'utf8');

describe('parseCloudCoreConfig', () => {
  it("reads KubeEdge's default cloudcore.yaml into the behaviour it drives", () => {
    const { settings, ignored } = parseCloudCoreConfig(defaults);
    assert.deepEqual(settings.hub, {
      host: '0.0.0.0',
      port: 10000,
      nodeLimit: 500,
      keepaliveTimeoutMs: 30_000,
      windowSize: 64,
      allowLegacyEdgeCert: false,
      nodeMemoryBudgetBytes: 8 * 1024 * 1024,
      globalMemoryBudgetBytes: 256 * 1024 * 1024,
    });
    assert.deepEqual(settings.https, { host: '0.0.0.0', port: 10002 });
    assert.deepEqual(settings.metrics, { host: '127.0.0.1', port: 9091 });
    assert.deepEqual(settings.advertiseAddress, ['192.168.10.20']);
    assert.deepEqual(settings.dnsNames, [], 'the default [""] means no DNS name');
    assert.equal(settings.tokenRefreshDurationMs, 12 * 3_600_000);
    assert.equal(settings.edgeCertSigningDurationDays, 365);
    assert.equal(settings.tlsFiles.caCert, '/etc/kubeedge/ca/rootCA.crt');
    assert.ok(ignored.includes('modules.router.port'), 'unused KubeEdge keys are reported, not errors');
    assert.ok(ignored.includes('kubeAPIConfig.contentType'));
    assert.ok(!ignored.includes('kubeAPIConfig.qps'));
    assert.deepEqual(settings.kubeApi, { qps: 2500, burst: 5000 });
    assert.ok(!ignored.some((p) => p.startsWith('modules.cloudHub.websocket')));
  });

  it("accepts the v1alpha1 apiVersion of KubeEdge's Go type", () => {
    const v1 = defaults.replace(
      'cloudcore.config.kubeedge.io/v1alpha2',
      'cloudcore.config.kubeedge.io/v1alpha1',
    );
    assert.equal(parseCloudCoreConfig(v1).settings.apiVersion, 'cloudcore.config.kubeedge.io/v1alpha1');
  });

  it('takes our own settings from the separate edgeController section', () => {
    const text = `${defaults}\nedgeController:\n  windowSize: 8\n  repairIntervalSeconds: 5\n  nodeMemoryBudgetMib: 4\n  globalMemoryBudgetMib: 64\n`;
    const { settings } = parseCloudCoreConfig(text);
    assert.equal(settings.hub.windowSize, 8);
    assert.equal(settings.repairIntervalMs, 5000);
    assert.equal(settings.hub.nodeMemoryBudgetBytes, 4 * 1024 * 1024);
    assert.equal(settings.hub.globalMemoryBudgetBytes, 64 * 1024 * 1024);
  });

  it("without kubeAPIConfig.qps and .burst, derives them from the node limit as KubeEdge's defaults do", () => {
    const text = defaults
      .replace('  qps: 2500\n', '')
      .replace('  burst: 5000\n', '')
      .replace('nodeLimit: 500', 'nodeLimit: 2000');
    assert.deepEqual(parseCloudCoreConfig(text).settings.kubeApi, { qps: 10_000, burst: 20_000 });
  });

  const invalid: [string, string, RegExp][] = [
    ['a qps of 0', defaults.replace('qps: 2500', 'qps: 0'), /kubeAPIConfig\.qps/],
    ['a fractional burst', defaults.replace('burst: 5000', 'burst: 2.5'), /kubeAPIConfig\.burst/],
    [
      'a port out of range',
      defaults.replace('port: 10000', 'port: 70000'),
      /modules\.cloudHub\.websocket\.port/,
    ],
    [
      'no advertise address',
      defaults.replace('      - 192.168.10.20\n', '').replace('advertiseAddress:', 'advertiseAddress: []'),
      /advertiseAddress/,
    ],
    [
      'a hostname where an IP belongs',
      defaults.replace('- 192.168.10.20', '- edge.example'),
      /modules\.cloudHub\.advertiseAddress\.0/,
    ],
    [
      'the hub disabled',
      defaults.replace('    websocket:\n      enable: true', '    websocket:\n      enable: false'),
      /websocket\.enable is false/,
    ],
    ['another kind', defaults.replace('kind: CloudCore', 'kind: EdgeCore'), /kind/],
    [
      'an unknown key in our own section',
      `${defaults}\nedgeController:\n  windowSise: 8\n`,
      /edgeController/,
    ],
    [
      'a bad metrics address',
      defaults.replace('bindAddress: 127.0.0.1:9091', 'bindAddress: nowhere'),
      /monitorServer\.bindAddress/,
    ],
    ['text that is not YAML', 'a: [unclosed', /not YAML/],
  ];
  for (const [what, text, message] of invalid) {
    it(`rejects ${what} with the path and the reason`, () => {
      assert.throws(
        () => parseCloudCoreConfig(text),
        (err: unknown) => isEdgeControllerError(err, 'EC_CONFIG_INVALID') && message.test(err.message),
      );
    });
  }
});
