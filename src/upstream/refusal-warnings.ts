/**
 * Which refused, forbidden or invalid edge requests get a log line (issue 12 item 4): at most one per
 * (node, kind) per interval, through warnings/'s {@link WarnLimiter}; the rest are only counted (the
 * worker's outcome metrics) and the next admitted line says how many were held back. A node's flood of
 * forbidden requests thus writes one line per 10 s, not one per request.
 *
 * WarnLimiter keeps its kinds forever, which is right for a fixed set; node names are not fixed (the join
 * token mints any number), so this keeps one limiter per node and forgets the least recently warned
 * nodes beyond `maxNodes`. A forgotten node's next refusal is simply logged again. Pure: time comes in.
 * @module
 */
import { WarnLimiter } from '../warnings/index.js';
import type { WarnVerdict } from '../warnings/index.js';

/** Options of {@link RefusalWarnings}. */
export interface RefusalWarningsOptions {
  /** One line per (node, kind) per this many ms. */
  readonly intervalMs: number;
  /** Nodes remembered; the least recently warned is forgotten first. Default 10000. */
  readonly maxNodes?: number;
}

/** Rate limit of refusal warnings per node and kind. */
export class RefusalWarnings {
  readonly #intervalMs: number;
  readonly #maxNodes: number;
  /** Map order is least recently used first. */
  readonly #byNode = new Map<string, WarnLimiter>();

  constructor(options: RefusalWarningsOptions) {
    this.#intervalMs = options.intervalMs;
    this.#maxNodes = options.maxNodes ?? 10_000;
  }

  /** Whether to log a refusal of `kind` for `node` at `nowMs`. */
  admit(node: string, kind: string, nowMs: number): WarnVerdict {
    let limiter = this.#byNode.get(node);
    if (limiter === undefined) {
      limiter = new WarnLimiter({ intervalMs: this.#intervalMs });
      while (this.#byNode.size >= this.#maxNodes) {
        const oldest = this.#byNode.keys().next().value;
        if (oldest === undefined) break;
        this.#byNode.delete(oldest);
      }
    } else {
      this.#byNode.delete(node);
    }
    this.#byNode.set(node, limiter);
    return limiter.admit(kind, nowMs);
  }
}
