/**
 * Reads KubeEdge's `cloudcore.yaml` (`CloudCoreConfig`, apiVersion `cloudcore.config.kubeedge.io/v1alpha1`
 * as KubeEdge's Go type, or `v1alpha2` as keadm and the Helm chart write it), so an operator can point us
 * at the file they have. Our own settings live in one clearly separate top-level section,
 * `edgeController:`, which KubeEdge does not know. Unknown keys are warnings; invalid values are errors
 * that name the path and the reason. Pure: the caller reads the file.
 * @module
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { EdgeControllerError } from '../errors/index.js';

const port = z.number().int().min(0).max(65535);
const listener = z.object({ enable: z.boolean().default(true), address: z.string().min(1), port });

/** The parts of CloudCoreConfig we read; everything else is accepted and reported as ignored. */
const cloudHubSchema = z.object({
  enable: z.boolean().default(true),
  keepaliveInterval: z.number().int().positive().default(30),
  nodeLimit: z.number().int().positive().default(500),
  tlsCAFile: z.string().default('/etc/kubeedge/ca/rootCA.crt'),
  tlsCAKeyFile: z.string().default('/etc/kubeedge/ca/rootCA.key'),
  tlsCertFile: z.string().default('/etc/kubeedge/certs/server.crt'),
  tlsPrivateKeyFile: z.string().default('/etc/kubeedge/certs/server.key'),
  advertiseAddress: z
    .array(z.ipv4().or(z.ipv6()))
    .min(1, 'advertiseAddress needs at least one IP that edges dial'),
  dnsNames: z.array(z.string()).default([]),
  edgeCertSigningDuration: z.number().int().positive().default(365),
  tokenRefreshDuration: z.number().int().positive().default(12),
  websocket: listener.default({ enable: true, address: '0.0.0.0', port: 10000 }),
  https: listener.default({ enable: true, address: '0.0.0.0', port: 10002 }),
});

/** Our own section (`edgeController:` at the top level): settings KubeEdge has no key for. */
const ownSchema = z
  .object({
    /** Un-ACKed messages in flight per node (KubeEdge: 1). */
    windowSize: z.number().int().positive().default(64),
    /** Accept KubeEdge's shared `CN=kubeedge.io` edge certificate. */
    allowLegacyEdgeCert: z.boolean().default(false),
    /** Reliable-sync repair period for connected nodes, seconds. */
    repairIntervalSeconds: z.number().positive().default(60),
    /** Bytes one node's input may make the hub hold (replies, partial frame, upstream requests), MiB. */
    nodeMemoryBudgetMib: z.number().positive().default(8),
    /** Bytes all nodes' input together may make the hub hold, MiB; the largest are cut first past it. */
    globalMemoryBudgetMib: z.number().positive().default(256),
  })
  .strict();

const fileSchema = z.object({
  apiVersion: z.enum(['cloudcore.config.kubeedge.io/v1alpha1', 'cloudcore.config.kubeedge.io/v1alpha2']),
  kind: z.literal('CloudCore'),
  kubeAPIConfig: z
    .object({
      kubeConfig: z.string().default(''),
      master: z.string().default(''),
      // KubeEdge's are int32; absent, they derive from the node limit (see CloudCoreSettings.kubeApi).
      qps: z.number().positive().optional(),
      burst: z.number().int().positive().optional(),
    })
    .loose()
    .default({ kubeConfig: '', master: '' }),
  commonConfig: z
    .object({
      monitorServer: z
        .object({ bindAddress: z.string().default('127.0.0.1:9091') })
        .loose()
        .default({
          bindAddress: '127.0.0.1:9091',
        }),
    })
    .loose()
    .default({ monitorServer: { bindAddress: '127.0.0.1:9091' } }),
  modules: z.object({ cloudHub: cloudHubSchema }).loose(),
  edgeController: ownSchema.default({
    windowSize: 64,
    allowLegacyEdgeCert: false,
    repairIntervalSeconds: 60,
    nodeMemoryBudgetMib: 8,
    globalMemoryBudgetMib: 256,
  }),
});

/**
 * KubeEdge v1.23.1 derives the API client's QPS and burst from the node limit: 5 and 10 per node
 * (staging/src/github.com/kubeedge/api/apis/componentconfig/cloudcore/v1alpha1/default.go, lines 46-47
 * and 218-226). docs/configuration.md says why we keep the derivation but honour an explicit value.
 */
export const kubeApiQpsPerNode = 5;
export const kubeApiBurstPerNode = 10;

const mib = 1024 * 1024;

/** The effective configuration, in our units. */
export interface CloudCoreSettings {
  readonly apiVersion: string;
  /** `kubeAPIConfig.kubeConfig`; empty means in-cluster or the default search. */
  readonly kubeconfig: string;
  /**
   * `kubeAPIConfig.qps` and `.burst`. Absent, KubeEdge v1.23.1's derivation from the node limit: 5 × and
   * 10 × `nodeLimit` (`NewDefaultCloudCoreConfig` and `AdjustCloudCoreConfig`, default.go).
   */
  readonly kubeApi: { readonly qps: number; readonly burst: number };
  readonly hub: {
    readonly host: string;
    readonly port: number;
    readonly nodeLimit: number;
    readonly keepaliveTimeoutMs: number;
    readonly windowSize: number;
    readonly allowLegacyEdgeCert: boolean;
    readonly nodeMemoryBudgetBytes: number;
    readonly globalMemoryBudgetBytes: number;
  };
  readonly https: { readonly host: string; readonly port: number };
  readonly metrics: { readonly host: string; readonly port: number };
  readonly advertiseAddress: readonly string[];
  readonly dnsNames: readonly string[];
  readonly tokenRefreshDurationMs: number;
  readonly edgeCertSigningDurationDays: number;
  readonly repairIntervalMs: number;
  /** KubeEdge's CA and server certificate files; used when present, else the kubeedge Secrets. */
  readonly tlsFiles: {
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
  };
}

/** A parsed file: the settings, and keys we read past without using. */
export interface ParsedCloudCoreConfig {
  readonly settings: CloudCoreSettings;
  /** Paths of keys we do not use (`modules.router`, `kubeAPIConfig.contentType`, …), for a warning each. */
  readonly ignored: readonly string[];
  /**
   * Dotted paths of every leaf the file sets (arrays are leaves): a setting whose key is absent took
   * KubeEdge's default, which `config print` reports as a default, not as the file's.
   */
  readonly present: readonly string[];
}

const usedPaths = new Set([
  'apiVersion',
  'kind',
  'kubeAPIConfig.kubeConfig',
  'kubeAPIConfig.qps',
  'kubeAPIConfig.burst',
  'commonConfig.monitorServer.bindAddress',
  ...Object.keys(cloudHubSchema.shape).map((k) => `modules.cloudHub.${k}`),
  'edgeController',
]);

/**
 * Parses and validates a cloudcore.yaml. Throws `EC_CONFIG_INVALID` naming the path and the reason.
 * KubeEdge disables a listener with `enable: false`; we cannot run without the hub or the certificate
 * server, so that is rejected with the reason rather than silently ignored.
 */
export function parseCloudCoreConfig(text: string, source = 'cloudcore.yaml'): ParsedCloudCoreConfig {
  let raw: unknown;
  try {
    raw = parse(text, { version: '1.1' });
  } catch (err) {
    throw new EdgeControllerError('EC_CONFIG_INVALID', `${source}: not YAML: ${String(err)}`, { cause: err });
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      `${source}: ${path === '' ? '(root)' : path}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const file = result.data;
  const hub = file.modules.cloudHub;
  for (const [name, l] of [
    ['websocket', hub.websocket],
    ['https', hub.https],
  ] as const) {
    if (!l.enable) {
      throw new EdgeControllerError(
        'EC_CONFIG_INVALID',
        `${source}: modules.cloudHub.${name}.enable is false: edge-controller needs it; set it to true`,
      );
    }
  }
  const [metricsHost, metricsPort] = splitHostPort(file.commonConfig.monitorServer.bindAddress, source);
  return {
    settings: {
      apiVersion: file.apiVersion,
      kubeconfig: file.kubeAPIConfig.kubeConfig,
      kubeApi: {
        qps: file.kubeAPIConfig.qps ?? kubeApiQpsPerNode * hub.nodeLimit,
        burst: file.kubeAPIConfig.burst ?? kubeApiBurstPerNode * hub.nodeLimit,
      },
      hub: {
        host: hub.websocket.address,
        port: hub.websocket.port,
        nodeLimit: hub.nodeLimit,
        keepaliveTimeoutMs: hub.keepaliveInterval * 1000,
        windowSize: file.edgeController.windowSize,
        allowLegacyEdgeCert: file.edgeController.allowLegacyEdgeCert,
        nodeMemoryBudgetBytes: file.edgeController.nodeMemoryBudgetMib * mib,
        globalMemoryBudgetBytes: file.edgeController.globalMemoryBudgetMib * mib,
      },
      https: { host: hub.https.address, port: hub.https.port },
      metrics: { host: metricsHost, port: metricsPort },
      advertiseAddress: hub.advertiseAddress,
      dnsNames: hub.dnsNames.filter((n) => n !== ''),
      tokenRefreshDurationMs: hub.tokenRefreshDuration * 3_600_000,
      edgeCertSigningDurationDays: hub.edgeCertSigningDuration,
      repairIntervalMs: file.edgeController.repairIntervalSeconds * 1000,
      tlsFiles: {
        caCert: hub.tlsCAFile,
        caKey: hub.tlsCAKeyFile,
        serverCert: hub.tlsCertFile,
        serverKey: hub.tlsPrivateKeyFile,
      },
    },
    ignored: leafPaths(raw).filter(
      (p) => ![...usedPaths].some((used) => p === used || p.startsWith(`${used}.`)),
    ),
    present: leafPaths(raw),
  };
}

function splitHostPort(value: string, source: string): [string, number] {
  const i = value.lastIndexOf(':');
  const portNumber = Number(value.slice(i + 1));
  if (i <= 0 || !Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    throw new EdgeControllerError(
      'EC_CONFIG_INVALID',
      `${source}: commonConfig.monitorServer.bindAddress must be host:port, got ${JSON.stringify(value)}`,
    );
  }
  return [value.slice(0, i), portNumber];
}

/** Dotted paths of every leaf (arrays count as leaves). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return prefix === '' ? [] : [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}
