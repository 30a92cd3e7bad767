/**
 * Options of the upstream decisions: the frozen defaults and the validation run once at construction.
 * @module
 */
import { EdgeControllerError } from '../errors/index.js';

/** Authorization mode: `node` (default) checks every request against the node that sent it; `none`
 * accepts everything, as KubeEdge does by default (`cloudHub.authorization.enable: false`, spec §5.8). */
export type AuthorizationMode = 'node' | 'none';

/** Options of the upstream decisions. Only `cloudcoreAddress` is required. */
export interface UpstreamOptions {
  /**
   * The address written as node annotation `cloudcore=<address>` at registration (spec §4.5). KubeEdge
   * writes its local IP; the router uses it to find the owning instance. Required, non-empty.
   */
  readonly cloudcoreAddress: string;
  /** Node authorization (default `node`). */
  readonly authorization?: AuthorizationMode;
  /**
   * Legacy `nodestatus` update: a condition heartbeat older than this, in ms, is bumped to now (KubeEdge
   * `nodeUpdateFrequency`, default 10000).
   */
  readonly nodeUpdateFrequencyMs?: number;
  /**
   * Legacy `podstatus`/`nodestatus` updates: how many times a 409 Conflict on the status write re-reads
   * the object and merges again before the error is answered (default 2; KubeEdge answers at once, 0).
   */
  readonly conflictRetries?: number;
  /**
   * Legacy `podstatus` list form: the most entries one list may carry (default 256). A longer list is
   * refused up front with one 400 reply naming the limit, before any API call. Why a cap rather than
   * serving any length: the list is one node's pods (kubelet's `maxPods` is 110 by default, 250 the
   * documented ceiling), each entry costs two to seven serial API calls in one request slot and one reply
   * frame, so a 10,000-entry list is a cost amplifier no real node needs (issue 12 item 5).
   */
  readonly maxPodStatusListEntries?: number;
}

/** The defaults of {@link UpstreamOptions}. */
export const upstreamDefaults: Readonly<{
  authorization: AuthorizationMode;
  nodeUpdateFrequencyMs: number;
  conflictRetries: number;
  maxPodStatusListEntries: number;
}> = Object.freeze({
  authorization: 'node',
  nodeUpdateFrequencyMs: 10_000,
  conflictRetries: 2,
  maxPodStatusListEntries: 256,
});

/** {@link UpstreamOptions} with every default applied. */
export type ResolvedUpstreamOptions = Readonly<Required<UpstreamOptions>>;

/**
 * Applies the defaults and validates.
 * @throws EdgeControllerError `EC_CONFIG_INVALID` naming the field and the fix.
 */
export function resolveUpstreamOptions(options: UpstreamOptions): ResolvedUpstreamOptions {
  const resolved: ResolvedUpstreamOptions = { ...upstreamDefaults, ...options };
  if (typeof resolved.cloudcoreAddress !== 'string' || resolved.cloudcoreAddress === '') {
    invalid('cloudcoreAddress', 'must be a non-empty string; pass the address edges reach this instance on');
  }
  // Options may come from untyped configuration; check the closed set at run time.
  if (!(['node', 'none'] as readonly string[]).includes(resolved.authorization)) {
    invalid('authorization', `must be "node" or "none" (got ${JSON.stringify(resolved.authorization)})`);
  }
  if (!Number.isFinite(resolved.nodeUpdateFrequencyMs) || resolved.nodeUpdateFrequencyMs <= 0) {
    invalid(
      'nodeUpdateFrequencyMs',
      `must be a number of ms > 0; use e.g. the default ${String(upstreamDefaults.nodeUpdateFrequencyMs)}`,
    );
  }
  if (!Number.isSafeInteger(resolved.conflictRetries) || resolved.conflictRetries < 0) {
    invalid(
      'conflictRetries',
      `must be an integer >= 0; use e.g. the default ${String(upstreamDefaults.conflictRetries)}`,
    );
  }
  if (!Number.isSafeInteger(resolved.maxPodStatusListEntries) || resolved.maxPodStatusListEntries < 1) {
    invalid(
      'maxPodStatusListEntries',
      `must be an integer >= 1; use e.g. the default ${String(upstreamDefaults.maxPodStatusListEntries)}`,
    );
  }
  return Object.freeze(resolved);
}

function invalid(field: string, fix: string): never {
  throw new EdgeControllerError('EC_CONFIG_INVALID', `upstream option ${field} ${fix}`);
}
