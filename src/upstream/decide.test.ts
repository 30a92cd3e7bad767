import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ApiVerb, KubeResource } from './api-call.js';
import { decideUpstream } from './decide.js';
import type { Decision } from './decision.js';
import { resolveUpstreamOptions } from './options.js';
import { csrRequestOf, nodeA, now, requestOf, twoNodeGraph } from './test-support.js';

const context = { graph: twoNodeGraph, options: resolveUpstreamOptions({ cloudcoreAddress: '10.0.0.1' }) };

function decide(resource: string, operation: string, content: unknown): Decision {
  return decideUpstream({ node: nodeA, request: requestOf(resource, operation), content, now }, context);
}

const lease = { metadata: { name: 'edge-a' } };
const pod = { involvedObject: { kind: 'Pod', namespace: 'default', name: 'a-pod' } };
const mirror = {
  metadata: { annotations: { 'kubernetes.io/config.mirror': 'h' } },
  spec: { nodeName: 'edge-a' },
};
const token = { spec: { boundObjectRef: { kind: 'Pod', name: 'a-pod' } } };
const csr = {
  spec: {
    signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
    usages: ['digital signature', 'client auth'],
    request: '',
  },
};

before(async () => {
  csr.spec.request = await csrRequestOf('CN=system:node:edge-a, O=system:nodes');
});

// Every row of spec §4.2: the first API call its decision asks for.
const rows: [string, string, unknown, ApiVerb, KubeResource][] = [
  ['null/nodestatus/edge-a', 'insert', {}, 'get', 'nodes'],
  ['null/nodestatus/edge-a', 'update', { Status: {} }, 'get', 'nodes'],
  ['default/podstatus/a-pod', 'update', { UID: 'u', Name: 'a-pod', Status: {} }, 'get', 'pods'],
  ['default/podpatch/a-pod', 'patch', '{}', 'patch', 'pods'],
  ['null/nodepatch/edge-a', 'patch', '{}', 'patch', 'nodes'],
  ['null/node/edge-a', 'insert', {}, 'create', 'nodes'],
  ['null/node/edge-a', 'query', null, 'get', 'nodes'],
  ['null/node/edge-a', 'update', {}, 'patch', 'nodes'],
  ['default/pod/static-edge-a', 'insert', mirror, 'create', 'pods'],
  ['default/pod/a-pod', 'delete', 'uid', 'delete', 'pods'],
  ['default/configmap/a-cm', 'query', null, 'get', 'configmaps'],
  ['default/secret/a-secret', 'query', null, 'get', 'secrets'],
  ['default/serviceaccounttoken/a-sa', 'query', token, 'create-token', 'serviceaccounts'],
  ['null/persistentvolume/a-pv', 'query', null, 'get', 'persistentvolumes'],
  ['default/persistentvolumeclaim/a-pvc', 'query', null, 'get', 'persistentvolumeclaims'],
  ['default/volumeattachment/va', 'query', null, 'get', 'volumeattachments'],
  ['kube-node-lease/lease/edge-a', 'insert', lease, 'create', 'leases'],
  ['kube-node-lease/lease/edge-a', 'update', lease, 'update', 'leases'],
  ['kube-node-lease/lease/edge-a', 'query', null, 'get', 'leases'],
  ['default/certificatesigningrequest/csr-1', 'insert', csr, 'create', 'certificatesigningrequests'],
  ['default/certificatesigningrequest/csr-1', 'query', null, 'get', 'certificatesigningrequests'],
  ['default/event/a-pod.1', 'insert', pod, 'create', 'events'],
  // An update or patch first reads the stored event: it is judged on that, not on the content.
  ['default/event/a-pod.1', 'update', { ...pod, metadata: { name: 'a-pod.1' } }, 'get', 'events'],
  ['default/event/a-pod.1', 'patch', { event: pod, patchData: '{}' }, 'get', 'events'],
];

describe('decideUpstream: every §4.2 row reaches its API call', () => {
  for (const [resource, operation, content, verb, kubeResource] of rows) {
    it(`${operation} ${resource} → ${verb} ${kubeResource}`, () => {
      const decision = decide(resource, operation, content);
      if (decision.action !== 'call') assert.fail(`expected a call, got ${decision.action}`);
      assert.equal(decision.call.verb, verb);
      assert.equal(decision.call.target.resource, kubeResource);
    });
  }
});

describe('decideUpstream: operations a type does not serve', () => {
  const unserved: [string, string, boolean][] = [
    ['default/configmap/a-cm', 'delete', true],
    ['default/pod/a-pod', 'query', true],
    ['default/podstatus/a-pod', 'patch', true],
    ['null/nodepatch/edge-a', 'update', true],
    ['kube-node-lease/lease/edge-a', 'delete', true],
    ['default/event/e', 'query', false],
  ];
  for (const [resource, operation, answered] of unserved) {
    it(`answers ${operation} ${resource} with ${answered ? 'a 405' : 'nothing (events)'}`, () => {
      const decision = decide(resource, operation, null);
      assert.partialDeepStrictEqual(decision, { action: 'invalid', reason: 'unsupported-operation' });
      assert.equal(decision.action === 'invalid' ? decision.emit.length : -1, answered ? 1 : 0);
    });
  }
});
