/**
 * Parsing of `header.resourceversion` for the ACK path's stale check. KubeEdge compares resourceVersions
 * as uint64 and panics on anything else (errata Part A omission 13); we compare as BigInt and treat a
 * value that is not a decimal uint64 as absent, so a bad value can never crash the queue.
 * @module
 */

const maxUint64 = (1n << 64n) - 1n;
const decimal = /^[0-9]{1,20}$/;

/** The resourceVersion as an unsigned integer, or `undefined` if it is not a decimal uint64. */
export function parseResourceVersion(resourceVersion: string): bigint | undefined {
  if (!decimal.test(resourceVersion)) return undefined;
  const value = BigInt(resourceVersion);
  return value <= maxUint64 ? value : undefined;
}
