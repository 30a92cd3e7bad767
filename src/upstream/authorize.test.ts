import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Access, ForbidReason } from './authorize.js';
import { authorize, isRestrictedLabelKey, rejectionContent } from './authorize.js';
import { nodeA, twoNodeGraph } from './test-support.js';

// Each row: what node A asks, and whether it is allowed (undefined) or the reason it is not. Every access
// kind appears with A's own object and with B's: node A cannot touch node B's objects (STYLE.md rule 39).
const ownSubject = [{ O: ['system:nodes'] }, { CN: ['system:node:edge-a'] }];

const table: [string, Access, ForbidReason | undefined][] = [
  [
    'reads a ConfigMap its pod uses',
    { kind: 'read-object', objectKind: 'ConfigMap', namespace: 'default', name: 'a-cm' },
    undefined,
  ],
  [
    "reads node B's ConfigMap",
    { kind: 'read-object', objectKind: 'ConfigMap', namespace: 'default', name: 'b-cm' },
    'object-not-referenced',
  ],
  [
    'reads a Secret its pod uses',
    { kind: 'read-object', objectKind: 'Secret', namespace: 'default', name: 'a-secret' },
    undefined,
  ],
  [
    "reads node B's Secret",
    { kind: 'read-object', objectKind: 'Secret', namespace: 'default', name: 'b-secret' },
    'object-not-referenced',
  ],
  [
    'reads the same Secret name in another namespace',
    { kind: 'read-object', objectKind: 'Secret', namespace: 'other', name: 'a-secret' },
    'object-not-referenced',
  ],
  [
    'reads a PVC its pod uses',
    { kind: 'read-object', objectKind: 'PersistentVolumeClaim', namespace: 'default', name: 'a-pvc' },
    undefined,
  ],
  [
    "reads node B's PVC",
    { kind: 'read-object', objectKind: 'PersistentVolumeClaim', namespace: 'default', name: 'b-pvc' },
    'object-not-referenced',
  ],
  ['reads the PV bound to its claim', { kind: 'read-volume', name: 'a-pv' }, undefined],
  ["reads the PV bound to node B's claim", { kind: 'read-volume', name: 'b-pv' }, 'volume-not-referenced'],
  ['reads an unbound PV', { kind: 'read-volume', name: 'loose-pv' }, 'volume-not-referenced'],
  ['reads an attachment for itself', { kind: 'read-volume-attachment', attachedNode: 'edge-a' }, undefined],
  [
    'reads an attachment for node B',
    { kind: 'read-volume-attachment', attachedNode: 'edge-b' },
    'attachment-not-on-node',
  ],
  [
    'requests a token for its pod',
    {
      kind: 'create-token',
      namespace: 'default',
      serviceAccount: 'a-sa',
      boundObject: { kind: 'Pod', name: 'a-pod' },
    },
    undefined,
  ],
  [
    "requests a token for node B's ServiceAccount",
    {
      kind: 'create-token',
      namespace: 'default',
      serviceAccount: 'b-sa',
      boundObject: { kind: 'Pod', name: 'a-pod' },
    },
    'object-not-referenced',
  ],
  [
    "binds its ServiceAccount's token to node B's pod",
    {
      kind: 'create-token',
      namespace: 'default',
      serviceAccount: 'a-sa',
      boundObject: { kind: 'Pod', name: 'b-pod' },
    },
    'pod-not-on-node',
  ],
  [
    'requests an unbound token',
    { kind: 'create-token', namespace: 'default', serviceAccount: 'a-sa', boundObject: undefined },
    'token-not-pod-bound',
  ],
  [
    'writes its own Node',
    { kind: 'node', name: 'edge-a', labelKeys: ['node-role.kubernetes.io/edge'] },
    undefined,
  ],
  ["writes node B's Node", { kind: 'node', name: 'edge-b' }, 'not-own-node'],
  [
    'sets a node-restriction label on itself',
    { kind: 'node', name: 'edge-a', labelKeys: ['node-restriction.kubernetes.io/x'] },
    'restricted-label',
  ],
  ['writes its own lease', { kind: 'lease', namespace: 'kube-node-lease', name: 'edge-a' }, undefined],
  ["writes node B's lease", { kind: 'lease', namespace: 'kube-node-lease', name: 'edge-b' }, 'not-own-lease'],
  [
    'writes a lease named after itself elsewhere',
    { kind: 'lease', namespace: 'default', name: 'edge-a' },
    'not-own-lease',
  ],
  ['writes its pod', { kind: 'pod', namespace: 'default', name: 'a-pod' }, undefined],
  ["writes node B's pod", { kind: 'pod', namespace: 'default', name: 'b-pod' }, 'pod-not-on-node'],
  ['writes a pod read as bound to it', { kind: 'bound-pod', nodeName: 'edge-a' }, undefined],
  ['writes a pod read as bound to node B', { kind: 'bound-pod', nodeName: 'edge-b' }, 'pod-not-on-node'],
  ['writes an unscheduled pod', { kind: 'bound-pod', nodeName: undefined }, 'pod-not-on-node'],
  [
    'creates its mirror pod',
    {
      kind: 'create-mirror-pod',
      nodeName: 'edge-a',
      isMirror: true,
      ownerReferences: [{ kind: 'Node', name: 'edge-a' }],
    },
    undefined,
  ],
  [
    'creates a mirror pod on node B',
    { kind: 'create-mirror-pod', nodeName: 'edge-b', isMirror: true, ownerReferences: [] },
    'mirror-pod-not-allowed',
  ],
  [
    'creates a regular pod',
    { kind: 'create-mirror-pod', nodeName: 'edge-a', isMirror: false, ownerReferences: [] },
    'mirror-pod-not-allowed',
  ],
  [
    'creates a mirror pod owned by node B',
    {
      kind: 'create-mirror-pod',
      nodeName: 'edge-a',
      isMirror: true,
      ownerReferences: [{ kind: 'Node', name: 'edge-b' }],
    },
    'mirror-pod-not-allowed',
  ],
  [
    'records an event about itself',
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Node', name: 'edge-a' },
    },
    undefined,
  ],
  [
    'records an event about node B',
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Node', name: 'edge-b' },
    },
    'event-not-about-node',
  ],
  [
    'records an event about its pod',
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'a-pod' },
    },
    undefined,
  ],
  [
    "records an event about node B's pod",
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'b-pod' },
    },
    'event-not-about-node',
  ],
  [
    'records a pod event in another namespace',
    {
      kind: 'event',
      namespace: 'other',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'a-pod' },
    },
    'event-not-about-node',
  ],
  [
    'records an event about a Secret',
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Secret', namespace: 'default', name: 'a-secret' },
    },
    'event-not-about-node',
  ],
  [
    'records an event about its pod deleted a moment ago',
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'a-gone' },
    },
    undefined,
  ],
  [
    "records an event about node B's pod deleted a moment ago",
    {
      kind: 'event',
      namespace: 'default',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'b-gone' },
    },
    'event-not-about-node',
  ],
  [
    'requests a kubelet serving certificate for its own name',
    {
      kind: 'create-csr',
      signerName: 'kubernetes.io/kubelet-serving',
      usages: ['digital signature', 'server auth'],
      request: { subject: ownSubject, dnsNames: ['edge-a'], ipAddresses: [], otherNames: [] },
    },
    undefined,
  ],
  [
    'requests a certificate from another signer',
    {
      kind: 'create-csr',
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'client auth'],
      request: { subject: ownSubject, dnsNames: [], ipAddresses: [], otherNames: [] },
    },
    'csr-signer-not-allowed',
  ],
  [
    "requests a client certificate in node B's name",
    {
      kind: 'create-csr',
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      request: {
        subject: [{ O: ['system:nodes'] }, { CN: ['system:node:edge-b'] }],
        dnsNames: [],
        ipAddresses: [],
        otherNames: [],
      },
    },
    'csr-subject-not-allowed',
  ],
  [
    'reads a CSR it made (annotation)',
    { kind: 'read-csr', username: 'system:serviceaccount:kubeedge:cloudcore', requestingNode: 'edge-a' },
    undefined,
  ],
  [
    'reads a CSR it made (impersonated username)',
    { kind: 'read-csr', username: 'system:node:edge-a', requestingNode: undefined },
    undefined,
  ],
  [
    "reads node B's CSR",
    { kind: 'read-csr', username: 'system:node:edge-b', requestingNode: 'edge-b' },
    'csr-not-own',
  ],
];

describe('authorize (node mode)', () => {
  for (const [name, access, reason] of table) {
    it(`${reason === undefined ? 'allows' : 'forbids'} node A: ${name}`, () => {
      const result = authorize(nodeA, access, twoNodeGraph);
      assert.deepEqual(result.allowed ? undefined : result.reason, reason);
      if (!result.allowed) assert.match(result.message, /\S/);
    });
  }
});

describe('authorize (none mode)', () => {
  for (const [name, access] of table) {
    it(`allows, as KubeEdge's default: ${name}`, () => {
      assert.equal(authorize(nodeA, access, twoNodeGraph, 'none').allowed, true);
    });
  }
});

describe('isRestrictedLabelKey', () => {
  const rows: [string, boolean][] = [
    ['node-restriction.kubernetes.io/pool', true],
    ['team.node-restriction.kubernetes.io/pool', true],
    ['$patch', true],
    ['node-role.kubernetes.io/edge', false],
    ['kubernetes.io/hostname', false],
    ['app', false],
  ];
  for (const [key, expected] of rows) {
    it(`${expected ? 'restricts' : 'allows'} ${key}`, () => {
      assert.equal(isRestrictedLabelKey(key), expected);
    });
  }
});

describe('rejectionContent', () => {
  it('is a 403 Forbidden ErrStatus naming the reason', () => {
    const result = authorize(nodeA, { kind: 'node', name: 'edge-b' }, twoNodeGraph);
    if (result.allowed) assert.fail('expected a rejection');
    const content = rejectionContent('nodes', 'edge-b', result);
    assert.equal(content.ErrStatus.code, 403);
    assert.equal(content.ErrStatus.reason, 'Forbidden');
    assert.equal(
      content.ErrStatus.message,
      'nodes "edge-b" is forbidden: node "edge-a" may only access its own Node',
    );
  });
});
