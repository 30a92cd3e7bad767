import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuantityNano, qosClassOf } from './qos-class.js';
import type { QosClass, QosPodSpec, ResourceRequirementsLike } from './qos-class.js';

const c = (resources?: ResourceRequirementsLike): { resources?: ResourceRequirementsLike } =>
  resources === undefined ? {} : { resources };
const both = { cpu: '100m', memory: '64Mi' };

describe('qosClassOf (Kubernetes ComputePodQOS)', () => {
  const table: [string, QosPodSpec, QosClass][] = [
    ['no resources anywhere is BestEffort', { containers: [c()] }, 'BestEffort'],
    [
      'only non-QoS resources is BestEffort',
      { containers: [c({ requests: { 'nvidia.com/gpu': '1' } })] },
      'BestEffort',
    ],
    ['zero requests are ignored: BestEffort', { containers: [c({ requests: { cpu: '0' } })] }, 'BestEffort'],
    [
      'requests equal limits for cpu and memory is Guaranteed',
      { containers: [c({ requests: both, limits: both })] },
      'Guaranteed',
    ],
    [
      'equal values in different units are Guaranteed',
      { containers: [c({ requests: { cpu: '0.1', memory: '67108864' }, limits: both })] },
      'Guaranteed',
    ],
    [
      'a request below the limit is Burstable',
      { containers: [c({ requests: { cpu: '50m', memory: '64Mi' }, limits: both })] },
      'Burstable',
    ],
    [
      'only a cpu limit is Burstable',
      { containers: [c({ requests: { cpu: '1' }, limits: { cpu: '1' } })] },
      'Burstable',
    ],
    [
      'limits without requests (undefaulted spec) is Burstable',
      { containers: [c({ limits: both })] },
      'Burstable',
    ],
    ['requests only is Burstable', { containers: [c({ requests: both })] }, 'Burstable'],
    [
      'one Guaranteed container beside one without resources is Burstable',
      { containers: [c({ requests: both, limits: both }), c()] },
      'Burstable',
    ],
    [
      'init containers count: an init container without limits makes it Burstable',
      {
        containers: [c({ requests: both, limits: both })],
        initContainers: [c({ requests: { cpu: '10m' } })],
      },
      'Burstable',
    ],
    [
      'Guaranteed init and regular containers are Guaranteed',
      {
        containers: [c({ requests: both, limits: both })],
        initContainers: [c({ requests: both, limits: both })],
      },
      'Guaranteed',
    ],
    [
      'an init container alone with requests makes the pod Burstable',
      { containers: [c()], initContainers: [c({ requests: both })] },
      'Burstable',
    ],
  ];
  for (const [name, spec, expected] of table) {
    it(name, () => {
      assert.equal(qosClassOf(spec), expected);
    });
  }
});

describe('parseQuantityNano', () => {
  const table: [string | number, bigint | undefined][] = [
    ['1', 1_000_000_000n],
    ['100m', 100_000_000n],
    ['0.1', 100_000_000n],
    ['.5', 500_000_000n],
    ['1Ki', 1024n * 1_000_000_000n],
    ['64Mi', 64n * 1024n * 1024n * 1_000_000_000n],
    ['1k', 1000n * 1_000_000_000n],
    ['1e3', 1000n * 1_000_000_000n],
    ['1E', 10n ** 18n * 1_000_000_000n],
    ['5n', 5n],
    [2, 2_000_000_000n],
    ['-1', -1_000_000_000n],
    ['abc', undefined],
    ['1Xi', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of table) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.equal(parseQuantityNano(input), expected);
    });
  }
});
