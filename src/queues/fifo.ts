/**
 * A first-in first-out buffer with O(1) amortized push and shift (`Array.prototype.shift` is O(n)). Holds
 * the no-ACK path's payloads.
 * @module
 */

/** FIFO of values. */
export class Fifo<T> {
  /** Consumed slots are set to `undefined` so that shifted values can be collected. */
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Slots held, consumed ones included (what the FIFO costs in memory, for tests). */
  get heldSlots(): number {
    return this.#items.length;
  }

  push(value: T): void {
    this.#items.push(value);
  }

  /** The oldest value, left in place. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the oldest value. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const value = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    // Emptied: start over. Without this a queue that holds one reply at a time (an idle node's lease
    // replies) kept up to 1,024 consumed slots, 8 KiB per node, until the compaction below.
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
      return value;
    }
    // Compact once the consumed prefix dominates, so memory follows the live length.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return value;
  }

  /** Removes and returns every value, oldest first. */
  drain(): T[] {
    const values = this.#items.slice(this.#head) as T[];
    this.clear();
    return values;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
