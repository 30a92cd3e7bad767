/**
 * upstream/: edge requests → API writes. Until the upstream controller lands (issue 6), only the sink
 * that answers every request with an error reply.
 * @module
 */
export { UnservedUpstream } from './unserved-upstream.js';
export type { UnservedUpstreamOptions } from './unserved-upstream.js';
