/**
 * warnings/: the one rate limit for warnings about expected, repeating faults (a flapping API server, an
 * edge sending bad frames, rejected certificate requests): one warning per kind per interval, the next
 * one saying how many were held back (STYLE.md B7 rule 31). Pure; imports nothing of ours.
 * @module
 */
export { WarnLimiter } from './warn-limiter.js';
export type { WarnVerdict } from './warn-limiter.js';
