/**
 * When a simulated EdgeCore redials after losing its link (or after a failed first dial), under one of two
 * policies:
 * - `fixed`, the real edge's timing (`kubeedge/kubeedge` v1.23.1 `edge/pkg/edgehub/edgehub.go` Start):
 *   after a loss it sleeps 2 × heartbeat (30 s), then `Init` dials up to `retryCount` (5) times
 *   `cloudAccessSleep` (5 s) apart, sleeping once more after the last failure
 *   (`edge/pkg/edgehub/clients/wsclient/websocket.go`), then sleeps 30 s again before the next round. The
 *   first dial after a start is immediate. Every node cut by one cloud restart comes back in the same
 *   second.
 * - `jittered` (the simulator's default): "full jitter" exponential backoff, a uniformly random delay up
 *   to a doubling cap, which spreads a reconnect storm of thousands of simulated nodes over the window.
 * Pure: the random number comes in.
 * @module
 */
import { fullJitterDelayMs } from '../backoff/index.js';
import type { ExponentialBackoff } from '../backoff/index.js';

/**
 * Backoff settings of the `jittered` policy (the project's one curve, backoff/): `initialDelayMs` caps the
 * first retry's delay, `maxDelayMs` every delay; see {@link reconnectBackoffDefaults}.
 */
export type ReconnectBackoff = ExponentialBackoff;

/** Defaults: first retry within 1 s, caps doubling to 30 s (KubeEdge's fixed wait). */
export const reconnectBackoffDefaults: Readonly<ReconnectBackoff> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
});

/** The real edge's redial timing; see {@link realEdgeReconnect} for KubeEdge's values. */
export interface FixedReconnect {
  readonly kind: 'fixed';
  /** Wait after a link loss and after each round of failed dials, in ms (2 × `edgeHub.heartbeat`). */
  readonly delayMs: number;
  /** Dials per round (`retryCount`). */
  readonly dialsPerRound: number;
  /** Wait after each failed dial of a round, in ms (`cloudAccessSleep`). */
  readonly dialIntervalMs: number;
}

/** Full-jitter exponential backoff. */
export interface JitteredReconnect extends ReconnectBackoff {
  readonly kind: 'jittered';
}

/** How a simulated node redials. */
export type ReconnectPolicy = FixedReconnect | JitteredReconnect;

/** KubeEdge v1.23.1 with the default heartbeat of 15 s: 30 s, then rounds of 5 dials 5 s apart. */
export const realEdgeReconnect: Readonly<FixedReconnect> = Object.freeze({
  kind: 'fixed',
  delayMs: 30_000,
  dialsPerRound: 5,
  dialIntervalMs: 5_000,
});

/** What {@link redialDelayMs} needs to know about the dial to come. */
export interface RedialState {
  /** Dials made since the node started or lost its link (0: this is the first). */
  readonly dials: number;
  /** Whether the node is dialling after losing a link (`loss`) or since it started (`start`). */
  readonly since: 'start' | 'loss';
  /** A random number in [0, 1), used by the jittered policy only. */
  readonly random: number;
}

/**
 * The wait before the next dial. `fixed`: 0 before the first dial after a start, `delayMs` before the
 * first after a loss, `dialIntervalMs` between the dials of a round and `dialIntervalMs + delayMs`
 * between rounds. `jittered`: the first dial after a start is immediate; after that (and from the first
 * dial after a loss) full-jitter backoff (backoff/ `fullJitterDelayMs`) with the attempt
 * counted from 0.
 */
export function redialDelayMs(policy: ReconnectPolicy, state: RedialState): number {
  const dials = Math.max(0, Math.floor(state.dials));
  switch (policy.kind) {
    case 'fixed':
      if (dials === 0) return state.since === 'loss' ? policy.delayMs : 0;
      return dials % Math.max(1, policy.dialsPerRound) === 0
        ? policy.dialIntervalMs + policy.delayMs
        : policy.dialIntervalMs;
    case 'jittered':
      if (state.since === 'start')
        return dials === 0 ? 0 : fullJitterDelayMs(dials - 1, policy, state.random);
      return fullJitterDelayMs(dials, policy, state.random);
    default: {
      const unreachable: never = policy;
      return unreachable;
    }
  }
}

/**
 * Redial options of a simulated node (`SimulatedEdgeNodeOptions.reconnect`):
 * - `{ kind: 'jittered' }` (default): full-jitter exponential backoff with the `backoff` settings, first
 *   redial within 1 s. A load generator wants this: it spreads the redials of thousands of nodes cut at
 *   once, and tests of a cut link do not wait 30 s.
 * - `{ kind: 'fixed' }`: the real EdgeCore v1.23.1 (`edge/pkg/edgehub/edgehub.go`): 30 s after a loss,
 *   then rounds of 5 dials 5 s apart with 30 s between rounds; each field may be overridden (defaults in
 *   {@link realEdgeReconnect}).
 */
export type ReconnectOptions =
  { readonly kind: 'jittered' } | ({ readonly kind: 'fixed' } & Partial<Omit<FixedReconnect, 'kind'>>);

/**
 * Resolves {@link ReconnectOptions} (default `jittered`) to a policy, taking the jittered settings from
 * `backoff`. Throws a RangeError naming the field when a `fixed` field is out of range.
 */
export function reconnectPolicy(
  options: ReconnectOptions | undefined,
  backoff: ReconnectBackoff,
): ReconnectPolicy {
  if (options === undefined || options.kind === 'jittered') return { kind: 'jittered', ...backoff };
  const policy: FixedReconnect = { ...realEdgeReconnect, ...options };
  for (const field of ['delayMs', 'dialIntervalMs'] as const) {
    if (!(Number.isFinite(policy[field]) && policy[field] >= 0))
      throw new RangeError(`reconnect.${field} must be a finite number of ms >= 0`);
  }
  if (!(Number.isInteger(policy.dialsPerRound) && policy.dialsPerRound >= 1))
    throw new RangeError('reconnect.dialsPerRound must be an integer >= 1');
  return policy;
}
