/**
 * When a simulated EdgeCore renews its certificate: like the edge's cert manager (KubeEdge v1.23.1
 * `edge/pkg/edgehub/certificate/certmanager.go`, client-go's certificate manager), at a random point
 * between 70 % and 90 % of the certificate's lifetime (kubeedge-wire.md §5.3), so a fleet issued at once
 * does not renew at once. Pure: the time and the random number come in.
 * @module
 */

/** Node.js timers cannot wait longer than this (2^31 - 1 ms, about 24.8 days). */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Milliseconds from `now` until the renewal point `notBefore + (0.7 + 0.2 × random) × lifetime`; 0 when
 * it has passed (renew at once). `random` is clamped to [0, 1].
 */
export function renewalDelayMs(notBeforeMs: number, notAfterMs: number, now: number, random: number): number {
  const lifetime = Math.max(notAfterMs - notBeforeMs, 0);
  // Whole permille of the lifetime, so the result does not depend on float rounding.
  const permille = 700 + Math.round(200 * Math.min(Math.max(random, 0), 1));
  const at = notBeforeMs + Math.floor((lifetime * permille) / 1000);
  return Math.max(at - now, 0);
}
