/**
 * The configuration reference: every cloudcore.yaml key edge-controller reads, with its default and what
 * it does. docs/configuration.md is rendered from this list and a test keeps the two equal, and another
 * test checks every key the reader uses is here.
 * @module
 */

/** One documented key. */
export interface ConfigKey {
  readonly path: string;
  readonly default: string;
  readonly meaning: string;
}

/** Every key we read, KubeEdge's first, then our own section. */
export const configReference: readonly ConfigKey[] = Object.freeze([
  {
    path: 'apiVersion',
    default: '(required)',
    meaning: '`cloudcore.config.kubeedge.io/v1alpha1` or `/v1alpha2`.',
  },
  { path: 'kind', default: '(required)', meaning: '`CloudCore`.' },
  {
    path: 'kubeAPIConfig.kubeConfig',
    default: '""',
    meaning: 'kubeconfig path; empty: `--kubeconfig`, KUBECONFIG, in-cluster, ~/.kube/config.',
  },
  {
    path: 'kubeAPIConfig.qps',
    default: '5 × nodeLimit',
    meaning: 'API requests per second (token bucket refill); see "API client limits".',
  },
  {
    path: 'kubeAPIConfig.burst',
    default: '10 × nodeLimit',
    meaning: 'Most API requests started at once after a quiet spell (token bucket size).',
  },
  {
    path: 'commonConfig.monitorServer.bindAddress',
    default: '127.0.0.1:9091',
    meaning: '`/metrics`, `/healthz`, `/readyz`, `/nodes`.',
  },
  {
    path: 'modules.cloudHub.enable',
    default: 'true',
    meaning: 'Must be true: edge-controller is a cloud hub.',
  },
  {
    path: 'modules.cloudHub.keepaliveInterval',
    default: '30',
    meaning: 'Seconds without a keepalive before a session is closed.',
  },
  {
    path: 'modules.cloudHub.nodeLimit',
    default: '500',
    meaning: 'Most sessions at once (our own default without a file is 10,000).',
  },
  {
    path: 'modules.cloudHub.tlsCAFile',
    default: '/etc/kubeedge/ca/rootCA.crt',
    meaning: 'CA certificate; when missing, Secret kubeedge/casecret (created if absent).',
  },
  {
    path: 'modules.cloudHub.tlsCAKeyFile',
    default: '/etc/kubeedge/ca/rootCA.key',
    meaning: 'CA key (ECDSA P-256).',
  },
  {
    path: 'modules.cloudHub.tlsCertFile',
    default: '/etc/kubeedge/certs/server.crt',
    meaning: 'Server certificate; when missing, Secret kubeedge/cloudcoresecret or signed by the CA.',
  },
  {
    path: 'modules.cloudHub.tlsPrivateKeyFile',
    default: '/etc/kubeedge/certs/server.key',
    meaning: 'Server key.',
  },
  {
    path: 'modules.cloudHub.advertiseAddress',
    default: '(required)',
    meaning: 'IPs edges dial: the server certificate IP SANs; the first is the `cloudcore` node annotation.',
  },
  { path: 'modules.cloudHub.dnsNames', default: '[]', meaning: 'DNS SANs of the server certificate.' },
  {
    path: 'modules.cloudHub.edgeCertSigningDuration',
    default: '365',
    meaning: 'Days an issued edge certificate is valid.',
  },
  {
    path: 'modules.cloudHub.tokenRefreshDuration',
    default: '12',
    meaning: 'Hours between join-token renewals (a token is valid twice as long).',
  },
  {
    path: 'modules.cloudHub.websocket',
    default: '{enable: true, address: 0.0.0.0, port: 10000}',
    meaning: 'The hub listener; must be enabled.',
  },
  {
    path: 'modules.cloudHub.https',
    default: '{enable: true, address: 0.0.0.0, port: 10002}',
    meaning: 'The certificate server listener; must be enabled.',
  },
  {
    path: 'edgeController.windowSize',
    default: '64',
    meaning: 'Un-ACKed messages in flight per node (KubeEdge: 1).',
  },
  {
    path: 'edgeController.allowLegacyEdgeCert',
    default: 'false',
    meaning: "Accept KubeEdge's shared `CN=kubeedge.io` edge certificate.",
  },
  {
    path: 'edgeController.repairIntervalSeconds',
    default: '60',
    meaning: 'Reliable-sync repair period for connected nodes.',
  },
  {
    path: 'edgeController.nodeMemoryBudgetMib',
    default: '8',
    meaning:
      'MiB one edge node may make the hub hold (waiting replies, partial frame, upstream requests; pushes not counted); past it the node is disconnected.',
  },
  {
    path: 'edgeController.globalMemoryBudgetMib',
    default: '256',
    meaning: 'MiB all edge nodes together may make the hub hold; past it the largest are disconnected first.',
  },
]);

/** The markdown table of docs/configuration.md. */
export function renderReference(keys: readonly ConfigKey[] = configReference): string {
  return [
    '| Key | Default | Meaning |',
    '| --- | --- | --- |',
    ...keys.map(
      (k) =>
        `| \`${k.path}\` | ${k.default.startsWith('(') ? k.default : `\`${k.default}\``} | ${k.meaning} |`,
    ),
  ].join('\n');
}
