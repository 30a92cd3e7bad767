/**
 * How many connections the handshake guard lets into their TLS handshake at once, set from how late the
 * event loop runs: halved when a lag sample passes the target, raised by a step when it does not
 * (additive increase, multiplicative decrease, as TCP sizes its window). Pure.
 *
 * Why not a fixed count: the right one depends on the link. Over 100 ms links a slot is held about two
 * round trips with the process idle, and 256 slots admit some 800 edges a second; on a LAN or loopback
 * the same 256 handshakes all do their CPU work in one turn of the loop. A 5,000-edge storm on loopback
 * held the loop up to 1.2-2.3 s with 256 slots and 407 ms with 32, which over a WAN would admit about 100
 * edges a second. The loop's lag tells the two apart: waiting on the network costs none.
 * @module
 */

/** Options of {@link HandshakePacer}. */
export interface HandshakePacingOptions {
  /** The most slots, and the start. */
  readonly maxSlots: number;
  /** The fewest slots, however late the loop runs. */
  readonly minSlots: number;
  /** A lag sample above this, ms, halves the slots. */
  readonly targetLagMs: number;
  /** Slots added per sample at or under the target. Default `maxSlots / 16`, at least 1. */
  readonly increaseStep?: number;
}

/** The slot count, moved by each lag sample. */
export class HandshakePacer {
  readonly #options: HandshakePacingOptions;
  readonly #step: number;
  #slots: number;

  constructor(options: HandshakePacingOptions) {
    if (!(options.minSlots >= 1 && options.minSlots <= options.maxSlots))
      throw new RangeError(`handshake pacing: need 1 <= minSlots <= maxSlots`);
    this.#options = options;
    this.#step = Math.max(1, Math.floor(options.increaseStep ?? options.maxSlots / 16));
    this.#slots = options.maxSlots;
  }

  /** Connections that may be in their handshake or upgrade at once now. */
  get slots(): number {
    return this.#slots;
  }

  /** One sample: how late, ms, a timer of the loop fired. Returns the new slot count. */
  observe(lagMs: number): number {
    const { minSlots, maxSlots, targetLagMs } = this.#options;
    this.#slots =
      lagMs > targetLagMs
        ? Math.max(minSlots, Math.floor(this.#slots / 2))
        : Math.min(maxSlots, this.#slots + this.#step);
    return this.#slots;
  }
}
