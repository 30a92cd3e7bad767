/**
 * Runs a {@link Decision} to the end against a synchronous responder, recording every call and
 * emission: the reference semantics of what a worker does with a decision (decision.ts), usable by unit
 * tests and by the simulator. The real worker does the same asynchronously.
 * @module
 */
import type { ApiCall } from './api-call.js';
import type { ApiOutcome } from './api-outcome.js';
import type { Decision, Emission } from './decision.js';

/** A terminal decision: where a walk (or one fan-out part) ends. */
export type TerminalDecision = Extract<Decision, { action: 'done' | 'forbid' | 'invalid' }>;

/** What a walk did, in order. */
export interface Walk {
  /** Every call, in the order made. */
  readonly calls: readonly ApiCall[];
  /** Every emission, in the order sent (an emission riding on a call is sent before the call). */
  readonly emissions: readonly Emission[];
  /** One terminal per part: one for a plain decision, one per element of a fan-out. */
  readonly terminals: readonly TerminalDecision[];
}

/** Options of {@link walkDecision}. */
export interface WalkOptions {
  /** Answers each call; `index` counts calls from 0 across the whole walk. */
  readonly respond: (call: ApiCall, index: number) => ApiOutcome;
  /** The time passed to each continuation, ms since the epoch. Default: always 0. */
  readonly now?: () => number;
  /** Most calls before the walk is considered endless (default 100). */
  readonly maxCalls?: number;
}

/**
 * Walks `decision`: sends emissions, answers calls with `respond`, follows `next`, runs fan-out parts one
 * after another. Throws a `RangeError` after `maxCalls` calls: a decision that never ends is a bug.
 */
export function walkDecision(decision: Decision, options: WalkOptions): Walk {
  const calls: ApiCall[] = [];
  const emissions: Emission[] = [];
  const terminals: TerminalDecision[] = [];
  const now = options.now ?? (() => 0);
  const maxCalls = options.maxCalls ?? 100;
  const run = (start: Decision): void => {
    let current = start;
    for (;;) {
      if (current.action === 'fan-out') {
        for (const part of current.decisions) run(part);
        return;
      }
      emissions.push(...current.emit);
      if (current.action !== 'call') {
        terminals.push(current);
        return;
      }
      if (calls.length >= maxCalls) throw new RangeError(`decision made more than ${String(maxCalls)} calls`);
      calls.push(current.call);
      current = current.next(options.respond(current.call, calls.length - 1), now());
    }
  };
  run(decision);
  return { calls, emissions, terminals };
}
