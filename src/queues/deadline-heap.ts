/**
 * A binary min-heap of ACK deadlines with removal by handle, so that an ACK cancels its timer in
 * O(log n) and the earliest resend is found in O(1). Hand-written because the queue needs removal of an
 * arbitrary node, which no small dependency offers; each node stores its own index.
 * @module
 */

/** A node of the heap. `heapIndex` is owned by the heap: -1 while the node is not in it. */
export interface HeapNode {
  readonly deadline: number;
  /** Tie-breaker: equal deadlines come out in `seq` order. */
  readonly seq: number;
  heapIndex: number;
}

/** Min-heap ordered by `(deadline, seq)`. A node may be in at most one heap at a time. */
export class DeadlineHeap<T extends HeapNode> {
  readonly #nodes: T[] = [];

  get size(): number {
    return this.#nodes.length;
  }

  /** The node with the earliest deadline, left in place. */
  peek(): T | undefined {
    return this.#nodes[0];
  }

  push(node: T): void {
    if (node.heapIndex !== -1) throw new Error('queues invariant: node is already in a heap');
    node.heapIndex = this.#nodes.length;
    this.#nodes.push(node);
    this.#up(node.heapIndex);
  }

  /** Removes and returns the node with the earliest deadline. */
  pop(): T | undefined {
    const top = this.#nodes[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `node` if it is in this heap; returns whether it was. */
  remove(node: T): boolean {
    const index = node.heapIndex;
    if (index < 0 || this.#nodes[index] !== node) return false;
    const last = this.#nodes.pop();
    node.heapIndex = -1;
    if (last !== undefined && last !== node) {
      this.#nodes[index] = last;
      last.heapIndex = index;
      this.#down(index);
      this.#up(last.heapIndex);
    }
    return true;
  }

  clear(): void {
    for (const node of this.#nodes) node.heapIndex = -1;
    this.#nodes.length = 0;
  }

  #up(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#less(child, parent)) return;
      this.#swap(child, parent);
      child = parent;
    }
  }

  #down(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < this.#nodes.length && this.#less(left, smallest)) smallest = left;
      if (right < this.#nodes.length && this.#less(right, smallest)) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }

  #less(i: number, j: number): boolean {
    const a = this.#at(i);
    const b = this.#at(j);
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const a = this.#at(i);
    const b = this.#at(j);
    this.#nodes[i] = b;
    this.#nodes[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  #at(index: number): T {
    const node = this.#nodes[index];
    if (node === undefined) throw new Error(`queues invariant: heap index ${String(index)} out of range`);
    return node;
  }
}
