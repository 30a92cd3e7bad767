/**
 * The QoS class the kubelet reports in `status.qosClass`, computed from a pod spec exactly as Kubernetes
 * v1.32 does (`pkg/apis/core/v1/helper/qos/qos.go` ComputePodQOS, without the alpha pod-level resources),
 * and the resource quantity parser it needs. Part of the simulated EdgeCore's fake runtime (pod-status.ts).
 * Pure.
 * @module
 */

/** `status.qosClass` values. */
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The resources part of a container spec (`requests`/`limits` maps of quantity strings). */
export interface ResourceRequirementsLike {
  readonly requests?: Readonly<Record<string, string | number>>;
  readonly limits?: Readonly<Record<string, string | number>>;
}

/** The part of a pod spec that decides the QoS class. */
export interface QosPodSpec {
  readonly containers?: readonly { readonly resources?: ResourceRequirementsLike }[];
  readonly initContainers?: readonly { readonly resources?: ResourceRequirementsLike }[];
}

// Only cpu and memory count (`supportedQoSComputeResources`).
const qosResources: ReadonlySet<string> = new Set(['cpu', 'memory']);

/**
 * Kubernetes' `ComputePodQOS`: over all containers and init containers (ephemeral ones excluded), sum the
 * positive cpu/memory requests and limits; BestEffort when both sums are empty; Guaranteed when every
 * container limits both cpu and memory and the summed requests equal the summed limits for the same set of
 * resources; Burstable otherwise. Like Kubernetes it reads the spec as given: the API server copies limits
 * into missing requests on create, so a pod read back from the API with only limits is Guaranteed, while
 * the same undefaulted spec is Burstable. An unparsable quantity counts as zero (the API server would
 * have rejected it).
 */
export function qosClassOf(spec: QosPodSpec): QosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let isGuaranteed = true;
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    addPositive(requests, container.resources?.requests);
    const found = addPositive(limits, container.resources?.limits);
    if (!found.has('cpu') || !found.has('memory')) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, request] of requests) {
      if (limits.get(name) !== request) {
        isGuaranteed = false;
        break;
      }
    }
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function addPositive(
  totals: Map<string, bigint>,
  list: Readonly<Record<string, string | number>> | undefined,
): Set<string> {
  const found = new Set<string>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    if (!qosResources.has(name)) continue;
    const value = parseQuantityNano(raw);
    if (value === undefined || value <= 0n) continue;
    found.add(name);
    totals.set(name, (totals.get(name) ?? 0n) + value);
  }
  return found;
}

const binarySuffixes: Readonly<Record<string, bigint>> = {
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  Ti: 1024n ** 4n,
  Pi: 1024n ** 5n,
  Ei: 1024n ** 6n,
};
const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const quantityPattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)$/;
const exponentPattern = /^[eE]([+-]?\d+)$/;

/**
 * A Kubernetes resource quantity (`100m`, `1.5Gi`, `2e3`, `128974848`) in nano-units as a bigint, so sums
 * compare exactly. Precision below one nano-unit is truncated (Kubernetes rounds it up; no real spec has
 * it). Returns `undefined` for text that is not a quantity.
 */
export function parseQuantityNano(raw: string | number): bigint | undefined {
  const match = quantityPattern.exec(String(raw).trim());
  if (match === null) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  let exponent = -fraction.length + 9; // to nano-units
  let factor = 1n;
  const binary = binarySuffixes[suffix];
  const decimal = decimalSuffixes[suffix];
  const exponentMatch = exponentPattern.exec(suffix);
  if (binary !== undefined) factor = binary;
  else if (decimal !== undefined) exponent += decimal;
  else if (exponentMatch !== null) exponent += Number(exponentMatch[1]);
  else return undefined;
  const scaled =
    exponent >= 0 ? digits * factor * 10n ** BigInt(exponent) : (digits * factor) / 10n ** BigInt(-exponent);
  return sign === '-' ? -scaled : scaled;
}
