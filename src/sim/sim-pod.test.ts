import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSimPod, podRefs } from './sim-pod.js';
import type { PodRefs, SimPod } from './sim-pod.js';

const base: SimPod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { containers: [{ name: 'c' }] },
};
const withSpec = (spec: Partial<SimPod['spec']>): SimPod => ({ ...base, spec: { ...base.spec, ...spec } });

describe('podRefs', () => {
  const table: [string, SimPod, PodRefs][] = [
    ['a bare pod needs nothing', base, { configMaps: [], secrets: [], tokens: [] }],
    [
      'configMap and secret volumes',
      withSpec({
        volumes: [
          { name: 'a', configMap: { name: 'cm' } },
          { name: 'b', secret: { secretName: 's' } },
        ],
      }),
      { configMaps: ['cm'], secrets: ['s'], tokens: [] },
    ],
    [
      'env valueFrom and envFrom, init containers included, deduplicated and sorted',
      withSpec({
        initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'z' } }] }],
        containers: [
          {
            name: 'c',
            env: [
              { name: 'A', valueFrom: { configMapKeyRef: { name: 'z' } } },
              { name: 'B', valueFrom: { secretKeyRef: { name: 'k', optional: true } } },
            ],
            envFrom: [{ secretRef: { name: 'e' } }, { configMapRef: { name: 'a' } }],
          },
        ],
      }),
      { configMaps: ['a', 'z'], secrets: ['e', 'k'], tokens: [] },
    ],
    [
      'imagePullSecrets',
      withSpec({ imagePullSecrets: [{ name: 'pull' }] }),
      { configMaps: [], secrets: ['pull'], tokens: [] },
    ],
    [
      'the kube-api-access projected volume: token, kube-root-ca.crt',
      withSpec({
        serviceAccountName: 'robot',
        volumes: [
          {
            name: 'kube-api-access-x',
            projected: {
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                { configMap: { name: 'kube-root-ca.crt' } },
              ],
            },
          },
        ],
      }),
      {
        configMaps: ['kube-root-ca.crt'],
        secrets: [],
        tokens: [{ serviceAccountName: 'robot', audiences: [], expirationSeconds: 3607 }],
      },
    ],
    [
      'a projected token with an audience and the default service account',
      withSpec({
        volumes: [
          { name: 't', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 't' } }] } },
        ],
      }),
      {
        configMaps: [],
        secrets: [],
        tokens: [{ serviceAccountName: 'default', audiences: ['vault'], expirationSeconds: 3607 }],
      },
    ],
  ];
  for (const [name, pod, expected] of table) {
    it(name, () => {
      assert.deepEqual(podRefs(pod), expected);
    });
  }
});

describe('isSimPod', () => {
  const table: [string, unknown, boolean][] = [
    ['a pod', base, true],
    ['null', null, false],
    ['a string', 'OK', false],
    ['no spec', { metadata: { name: 'p' } }, false],
    ['containers not an array', { metadata: { name: 'p' }, spec: { containers: {} } }, false],
    ['a container without a name', { metadata: { name: 'p' }, spec: { containers: [{}] } }, false],
    ['an orphan delete (metadata only)', { metadata: { name: 'p', namespace: 'n', uid: 'u' } }, false],
  ];
  for (const [name, content, expected] of table) {
    it(name, () => {
      assert.equal(isSimPod(content), expected);
    });
  }
});
