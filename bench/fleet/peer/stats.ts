/**
 * The few statistics the peer benchmark reports: median, nearest-rank percentile, and a ratio that is
 * NaN rather than Infinity when the denominator is missing. Pure.
 * @module
 */

/** The value at quantile `q` (0..1) of `values` by nearest rank; NaN for an empty list. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** The median (lower middle for an even count, as a nearest-rank p50). */
export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** `a / b`, NaN when either is not a finite number or `b` is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}
