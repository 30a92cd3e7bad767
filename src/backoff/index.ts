/**
 * backoff/: the one exponential backoff curve (doubling up to a cap) and its jittered forms, used by every
 * retry loop in the project. Pure; imports nothing of ours, so any stage (the simulator included) may
 * import it.
 * @module
 */
export { exponentialDelayMs, fullJitterDelayMs, proportionalJitterDelayMs } from './exponential.js';
export type { ExponentialBackoff } from './exponential.js';
