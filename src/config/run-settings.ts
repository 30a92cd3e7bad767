/**
 * The settings of `edge-controller run`: each with its flag, environment variable, cloudcore.yaml key and
 * default, and the one rule that picks a value: **flag > environment variable > file (`--config`) >
 * default**. With `--config`, a key the file leaves out takes KubeEdge's default for it (as CloudCore
 * would), reported as a default. Pure: cli/ parses the command line and the environment (commander) and
 * reads the file; `run` and `config print` resolve through the same function, so what print shows is
 * what run does. docs/configuration.md renders the table below (a test keeps the two equal).
 * @module
 */
import { kubeApiBurstPerNode, kubeApiQpsPerNode } from './cloudcore-config.js';
import type { CloudCoreSettings } from './cloudcore-config.js';
import { parseHostPort, parseListItem, parsePort, parsePositive, parsePositiveInteger } from './values.js';

/** Where a value came from. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** Every setting of `run`, in the units of its flag. `''` means "not set" for the paths. */
export interface RunSettings {
  readonly config: string;
  readonly kubeconfig: string;
  readonly hubAddress: string;
  readonly hubPort: number;
  readonly httpsAddress: string;
  readonly httpsPort: number;
  readonly metricsAddress: string;
  readonly advertiseAddress: readonly string[];
  readonly dnsName: readonly string[];
  readonly nodeLimit: number;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
  readonly keepaliveTimeoutSeconds: number;
  readonly windowSize: number;
  readonly nodeMemoryBudgetMib: number;
  readonly globalMemoryBudgetMib: number;
  readonly allowLegacyEdgeCert: boolean;
  readonly impersonateNodes: boolean;
  readonly startupTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly tokenRefreshDurationHours: number;
  readonly edgeCertSigningDurationDays: number;
  readonly repairIntervalSeconds: number;
  readonly tlsCAFile: string;
  readonly tlsCAKeyFile: string;
  readonly tlsCertFile: string;
  readonly tlsPrivateKeyFile: string;
}

/** How one setting is given and what it is without. */
export interface SettingSpec<T> {
  /** The flag as commander takes it (`--hub-port <port>`); none for a file-only setting. */
  readonly flag?: string;
  /** Help text and the documentation's "Meaning". */
  readonly description: string;
  readonly default: T;
  /** The default as the help and docs show it, when the value itself does not say it. */
  readonly defaultText?: string;
  /** Parses the flag's or variable's text; `previous` is the list so far for a repeatable flag. */
  readonly parse?: (text: string, previous: T) => T;
  /** The cloudcore.yaml key it is read from. */
  readonly fileKey?: string;
  /** Its value in a parsed cloudcore.yaml (KubeEdge's default where the file leaves the key out). */
  readonly fromFile?: (file: CloudCoreSettings) => T;
  /**
   * A default that follows other settings (KubeEdge's QPS from the node limit): used whenever the
   * setting resolves to a default, with the settings resolved before it in table order.
   */
  readonly deriveDefault?: (before: Partial<RunSettings>) => T;
}

/** One spec per setting. */
export type RunSettingSpecs = { readonly [K in keyof RunSettings]: SettingSpec<RunSettings[K]> };

const hours = 3_600_000;

/** The settings of `run`, in the order help and docs list them. */
export const runSettingSpecs: RunSettingSpecs = Object.freeze({
  config: {
    flag: '--config <file>',
    description: "KubeEdge's cloudcore.yaml (v1alpha1 or v1alpha2); flags and variables override it",
    default: '',
    defaultText: 'none',
  },
  kubeconfig: {
    flag: '--kubeconfig <file>',
    description: 'kubeconfig of the API server',
    default: '',
    defaultText: 'KUBECONFIG, in-cluster, ~/.kube/config',
    fileKey: 'kubeAPIConfig.kubeConfig',
    fromFile: (f) => f.kubeconfig,
  },
  hubAddress: {
    flag: '--hub-address <host>',
    description: 'WebSocket hub listen address',
    default: '0.0.0.0',
    fileKey: 'modules.cloudHub.websocket.address',
    fromFile: (f) => f.hub.host,
  },
  hubPort: {
    flag: '--hub-port <port>',
    description: 'WebSocket hub port (0 picks a free one)',
    default: 10000,
    parse: parsePort,
    fileKey: 'modules.cloudHub.websocket.port',
    fromFile: (f) => f.hub.port,
  },
  httpsAddress: {
    flag: '--https-address <host>',
    description: 'certificate server listen address',
    default: '0.0.0.0',
    fileKey: 'modules.cloudHub.https.address',
    fromFile: (f) => f.https.host,
  },
  httpsPort: {
    flag: '--https-port <port>',
    description: 'certificate server port (0 picks a free one)',
    default: 10002,
    parse: parsePort,
    fileKey: 'modules.cloudHub.https.port',
    fromFile: (f) => f.https.port,
  },
  metricsAddress: {
    flag: '--metrics-address <host:port>',
    description: '/metrics, /healthz, /readyz and /nodes (port 0 picks a free one)',
    default: '127.0.0.1:9091',
    parse: parseHostPort,
    fileKey: 'commonConfig.monitorServer.bindAddress',
    fromFile: (f) => `${f.metrics.host}:${String(f.metrics.port)}`,
  },
  advertiseAddress: {
    flag: '--advertise-address <ip>',
    description: 'address edges dial (repeatable or comma-separated; the server certificate IP SANs)',
    default: [],
    defaultText: '127.0.0.1',
    parse: parseListItem,
    fileKey: 'modules.cloudHub.advertiseAddress',
    fromFile: (f) => f.advertiseAddress,
  },
  dnsName: {
    flag: '--dns-name <name>',
    description: 'DNS name of the server certificate (repeatable or comma-separated)',
    default: [],
    defaultText: 'none',
    parse: parseListItem,
    fileKey: 'modules.cloudHub.dnsNames',
    fromFile: (f) => f.dnsNames,
  },
  nodeLimit: {
    flag: '--node-limit <n>',
    description: 'most edge sessions at once (KubeEdge defaults to 500)',
    default: 10_000,
    parse: parsePositive,
    fileKey: 'modules.cloudHub.nodeLimit',
    fromFile: (f) => f.hub.nodeLimit,
  },
  kubeApiQps: {
    flag: '--kube-api-qps <n>',
    description: 'API requests per second, all classes together (KubeEdge: 5 × node limit)',
    default: kubeApiQpsPerNode * 10_000,
    defaultText: '5 × `--node-limit`',
    parse: parsePositive,
    fileKey: 'kubeAPIConfig.qps',
    fromFile: (f) => f.kubeApi.qps,
    deriveDefault: (before) => kubeApiQpsPerNode * (before.nodeLimit ?? 10_000),
  },
  kubeApiBurst: {
    flag: '--kube-api-burst <n>',
    description: 'API requests started at once after a quiet spell (KubeEdge: 10 × node limit)',
    default: kubeApiBurstPerNode * 10_000,
    defaultText: '10 × `--node-limit`',
    parse: parsePositiveInteger,
    fileKey: 'kubeAPIConfig.burst',
    fromFile: (f) => f.kubeApi.burst,
    deriveDefault: (before) => kubeApiBurstPerNode * (before.nodeLimit ?? 10_000),
  },
  keepaliveTimeoutSeconds: {
    flag: '--keepalive-timeout-seconds <s>',
    description: 'close a session without a keepalive for this long',
    default: 30,
    parse: parsePositive,
    fileKey: 'modules.cloudHub.keepaliveInterval',
    fromFile: (f) => f.hub.keepaliveTimeoutMs / 1000,
  },
  windowSize: {
    flag: '--window-size <n>',
    description: 'un-ACKed messages in flight per node (KubeEdge: 1)',
    default: 64,
    parse: parsePositive,
    fileKey: 'edgeController.windowSize',
    fromFile: (f) => f.hub.windowSize,
  },
  nodeMemoryBudgetMib: {
    flag: '--node-memory-budget-mib <n>',
    description:
      'MiB one edge node may make the hub hold (its waiting replies, partial frame and upstream requests; pushes not counted); past it the node is disconnected',
    default: 8,
    parse: parsePositive,
    fileKey: 'edgeController.nodeMemoryBudgetMib',
    fromFile: (f) => f.hub.nodeMemoryBudgetBytes / 1024 / 1024,
  },
  globalMemoryBudgetMib: {
    flag: '--global-memory-budget-mib <n>',
    description:
      'MiB all edge nodes together may make the hub hold; past it the largest are disconnected first',
    default: 256,
    parse: parsePositive,
    fileKey: 'edgeController.globalMemoryBudgetMib',
    fromFile: (f) => f.hub.globalMemoryBudgetBytes / 1024 / 1024,
  },
  allowLegacyEdgeCert: {
    flag: '--allow-legacy-edge-cert',
    description: "accept KubeEdge's shared CN=kubeedge.io edge certificate",
    default: false,
    fileKey: 'edgeController.allowLegacyEdgeCert',
    fromFile: (f) => f.hub.allowLegacyEdgeCert,
  },
  impersonateNodes: {
    flag: '--impersonate-nodes',
    description:
      'make API calls for an edge as system:node:<name>, so the Node authorizer and NodeRestriction apply too (needs deploy/rbac-impersonation.yaml)',
    default: false,
  },
  startupTimeoutSeconds: {
    flag: '--startup-timeout-seconds <s>',
    description: 'how long the start may wait for the API server and the first lists before exiting 1',
    default: 120,
    parse: parsePositive,
  },
  shutdownTimeoutSeconds: {
    flag: '--shutdown-timeout-seconds <s>',
    description:
      'how long the drain on SIGTERM may take (deploy/: terminationGracePeriodSeconds is this + 5)',
    default: 10,
    parse: parsePositive,
  },
  tokenRefreshDurationHours: {
    description: 'hours between join-token renewals',
    default: 12,
    fileKey: 'modules.cloudHub.tokenRefreshDuration',
    fromFile: (f) => f.tokenRefreshDurationMs / hours,
  },
  edgeCertSigningDurationDays: {
    description: 'days an issued edge certificate is valid',
    default: 365,
    fileKey: 'modules.cloudHub.edgeCertSigningDuration',
    fromFile: (f) => f.edgeCertSigningDurationDays,
  },
  repairIntervalSeconds: {
    description: 'reliable-sync repair period for connected nodes',
    default: 60,
    fileKey: 'edgeController.repairIntervalSeconds',
    fromFile: (f) => f.repairIntervalMs / 1000,
  },
  tlsCAFile: {
    description: 'CA certificate file (when missing: Secret kubeedge/casecret)',
    default: '',
    defaultText: 'none: Secret kubeedge/casecret',
    fileKey: 'modules.cloudHub.tlsCAFile',
    fromFile: (f) => f.tlsFiles.caCert,
  },
  tlsCAKeyFile: {
    description: 'CA key file',
    default: '',
    defaultText: 'none: Secret kubeedge/casecret',
    fileKey: 'modules.cloudHub.tlsCAKeyFile',
    fromFile: (f) => f.tlsFiles.caKey,
  },
  tlsCertFile: {
    description: 'server certificate file (when missing: Secret kubeedge/cloudcoresecret)',
    default: '',
    defaultText: 'none: Secret kubeedge/cloudcoresecret',
    fileKey: 'modules.cloudHub.tlsCertFile',
    fromFile: (f) => f.tlsFiles.serverCert,
  },
  tlsPrivateKeyFile: {
    description: 'server key file',
    default: '',
    defaultText: 'none: Secret kubeedge/cloudcoresecret',
    fileKey: 'modules.cloudHub.tlsPrivateKeyFile',
    fromFile: (f) => f.tlsFiles.serverKey,
  },
});

/** The setting names, in table order. */
export const runSettingNames = Object.freeze(Object.keys(runSettingSpecs) as (keyof RunSettings)[]);

/** The environment variable of a setting: `hubPort` → `EDGE_CONTROLLER_HUB_PORT`. */
export function envName(name: string): string {
  return `EDGE_CONTROLLER_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** A value given on the command line or in the environment (commander tells which). */
export interface GivenValue<T> {
  readonly value: T;
  readonly source: 'flag' | 'env';
}

/** What the command line and the environment gave; a setting left out was given neither way. */
export type GivenSettings = { readonly [K in keyof RunSettings]?: GivenValue<RunSettings[K]> };

/** A parsed cloudcore.yaml, as {@link parseCloudCoreConfig} returns it. */
export interface SettingsFile {
  readonly settings: CloudCoreSettings;
  /** Leaf paths the file sets. */
  readonly present: readonly string[];
}

/** One resolved setting. `from` names the flag, variable or file key; absent for a default. */
export interface ResolvedSetting<T> {
  readonly value: T;
  readonly source: SettingSource;
  readonly from?: string;
}

/** Every setting with its value and where it came from. */
export type ResolvedRunSettings = { readonly [K in keyof RunSettings]: ResolvedSetting<RunSettings[K]> };

/** Applies flag > environment > file > default to every setting. */
export function resolveRunSettings(given: GivenSettings, file?: SettingsFile): ResolvedRunSettings {
  const resolved: Partial<Record<keyof RunSettings, ResolvedSetting<unknown>>> = {};
  const before: Partial<Record<keyof RunSettings, unknown>> = {};
  for (const name of runSettingNames) {
    const spec = runSettingSpecs[name] as SettingSpec<unknown>;
    let one = resolveOne(name, spec, given[name], file);
    if (one.source === 'default' && spec.deriveDefault !== undefined) {
      one = { value: spec.deriveDefault(before as Partial<RunSettings>), source: 'default' };
    }
    resolved[name] = one;
    before[name] = one.value;
  }
  return resolved as ResolvedRunSettings;
}

function resolveOne(
  name: string,
  spec: SettingSpec<unknown>,
  given: GivenValue<unknown> | undefined,
  file: SettingsFile | undefined,
): ResolvedSetting<unknown> {
  if (given !== undefined) {
    const from = given.source === 'env' ? envName(name) : spec.flag?.split(' ')[0];
    return { value: given.value, source: given.source, ...(from !== undefined ? { from } : {}) };
  }
  if (file !== undefined && spec.fromFile !== undefined && spec.fileKey !== undefined) {
    const key = spec.fileKey;
    const isPresent = file.present.some((p) => p === key || p.startsWith(`${key}.`));
    // Absent: KubeEdge's default for the key, which is what CloudCore would run with.
    return isPresent
      ? { value: spec.fromFile(file.settings), source: 'file', from: key }
      : { value: spec.fromFile(file.settings), source: 'default' };
  }
  return { value: spec.default, source: 'default' };
}

/** The values alone. */
export function settingValues(resolved: ResolvedRunSettings): RunSettings {
  return Object.fromEntries(runSettingNames.map((n) => [n, resolved[n].value])) as unknown as RunSettings;
}

/** A default as text: a list comma-separated, anything else as written on the command line. */
function defaultText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The markdown table of flags in docs/configuration.md. */
export function renderRunFlags(specs: RunSettingSpecs = runSettingSpecs): string {
  const rows = runSettingNames.flatMap((name) => {
    const spec = specs[name] as SettingSpec<unknown>;
    if (spec.flag === undefined) return [];
    const def = spec.defaultText ?? `\`${defaultText(spec.default)}\``;
    return [
      `| \`${spec.flag}\` | \`${envName(name)}\` | ${spec.fileKey !== undefined ? `\`${spec.fileKey}\`` : '-'} | ${def} | ${spec.description} |`,
    ];
  });
  return [
    '| Flag | Environment variable | cloudcore.yaml key | Default | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
