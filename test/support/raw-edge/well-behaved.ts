/**
 * The well-behaved node that must not notice an attack: it registers its Node, renews its Lease every
 * 1-2 s as a kubelet would (each renewal waits for its reply), sends keepalives, and ACKs every push. It
 * records every renewal that did not get a successful reply in time, and every push it received.
 * @module
 */
import type { RawIdentity } from './join.js';
import { leaseObject, nodeObject, objectRespOf, request } from './frames.js';
import type { WireMessage } from './frames.js';
import { RawEdge } from './raw-edge.js';

/** A lease renewal that failed: refused, an error reply, or no reply within the timeout. */
export interface MissedLease {
  /** ms since the node started renewing. */
  readonly atMs: number;
  readonly why: string;
}

/** Options of {@link WellBehavedNode.start}. */
export interface WellBehavedOptions {
  readonly hub: string;
  readonly identity: RawIdentity;
  /** A renewal without a successful reply within this is missed. Default 10,000 ms. */
  readonly replyTimeoutMs?: number;
}

/** Every node not yet stopped ({@link WellBehavedNode.stopAll}). */
const running = new Set<WellBehavedNode>();

/** A node acting normally. */
export class WellBehavedNode {
  readonly name: string;
  readonly missed: MissedLease[] = [];
  /** Successful renewals. */
  renewed = 0;
  /** 409s answered by reading the lease again (what a kubelet does); not misses. */
  conflicts = 0;
  /** Slowest successful renewal, ms. */
  slowestMs = 0;
  /** Every push received, by resource (`ns/pod/name`). */
  readonly pushes = new Map<string, WireMessage>();
  readonly #edge: RawEdge;
  readonly #timeoutMs: number;
  readonly #started = performance.now();
  #resourceVersion: string | undefined;
  #running = true;
  #loop: Promise<void> = Promise.resolve();

  private constructor(edge: RawEdge, options: WellBehavedOptions) {
    this.#edge = edge;
    this.name = edge.nodeName;
    this.#timeoutMs = options.replyTimeoutMs ?? 10_000;
    edge.onMessage((message) => {
      const isPush = (message.header.parent_msg_id ?? '') === '' && message.route.group === 'resource';
      if (isPush && message.route.resource !== undefined) this.pushes.set(message.route.resource, message);
    });
  }

  /** Connects, registers the Node, creates or reads its Lease, then renews it until {@link stop}. */
  static async start(options: WellBehavedOptions): Promise<WellBehavedNode> {
    const edge = await RawEdge.connect({
      hub: options.hub,
      identity: options.identity,
      autoAck: true,
      keepaliveMs: 5_000,
      keepReceived: false,
    });
    const node = new WellBehavedNode(edge, options);
    const name = node.name;
    const registered = objectRespOf(
      await edge.request(request('insert', `null/node/${name}`, nodeObject(name))),
    );
    const code = registered?.Err?.ErrStatus?.code;
    if (registered === undefined || (registered.Err !== null && code !== 409)) {
      throw new Error(`${name}: node registration failed: ${JSON.stringify(registered)}`);
    }
    await node.#readLease(true);
    node.#loop = node.#renewLoop();
    running.add(node);
    return node;
  }

  /** Stops every node still running (test cleanup). */
  static async stopAll(): Promise<void> {
    await Promise.all([...running].map((node) => node.stop()));
  }

  /** The connection, for checks of its own. */
  get edge(): RawEdge {
    return this.#edge;
  }

  /** Waits until a push for `resource` arrived (e.g. `ns/pod/p`). */
  async waitForPush(resource: string, timeoutMs = 60_000): Promise<WireMessage> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const push = this.pushes.get(resource);
      if (push !== undefined) return push;
      if (performance.now() > deadline) throw new Error(`${this.name}: no push for ${resource}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops renewing (after the renewal in flight) and closes the connection. */
  async stop(): Promise<void> {
    running.delete(this);
    this.#running = false;
    await this.#loop;
    await this.#edge.close();
  }

  async #renewLoop(): Promise<void> {
    while (this.#running) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 1_000));
      // stop() may have run during the wait (TypeScript cannot see that through the await).
      if (!(this.#running as boolean)) return;
      await this.#renew();
    }
  }

  async #renew(retryOnConflict = true): Promise<void> {
    const at = performance.now() - this.#started;
    if (!this.#edge.isOpen) {
      this.missed.push({ atMs: at, why: `connection closed: ${JSON.stringify(this.#edge.closeInfo)}` });
      return;
    }
    const sent = performance.now();
    let reply: WireMessage;
    try {
      reply = await this.#edge.request(
        request(
          'update',
          `kube-node-lease/lease/${this.name}`,
          leaseObject(this.name, this.#resourceVersion),
        ),
        this.#timeoutMs,
      );
    } catch (err) {
      this.missed.push({ atMs: at, why: (err as Error).message });
      return;
    }
    const resp = objectRespOf(reply);
    const code = resp?.Err?.ErrStatus?.code;
    if (resp !== undefined && resp.Err === null && resp.Object !== null) {
      this.renewed += 1;
      this.slowestMs = Math.max(this.slowestMs, performance.now() - sent);
      this.#resourceVersion = resp.Object.metadata?.resourceVersion;
      return;
    }
    if (code === 409 && retryOnConflict) {
      // Someone else (the controller's own renewal on reconnect) wrote it: read it again, as a kubelet does.
      this.conflicts += 1;
      await this.#readLease(false);
      await this.#renew(false);
      return;
    }
    this.missed.push({
      atMs: at,
      why: `${reply.route.operation ?? ''}: ${JSON.stringify(reply.content).slice(0, 300)}`,
    });
  }

  async #readLease(createIfMissing: boolean): Promise<void> {
    const resource = `kube-node-lease/lease/${this.name}`;
    const read = objectRespOf(await this.#edge.request(request('query', resource, null), this.#timeoutMs));
    if (read?.Err === null && read.Object !== null) {
      this.#resourceVersion = read.Object.metadata?.resourceVersion;
      return;
    }
    if (!createIfMissing) return;
    const created = objectRespOf(
      await this.#edge.request(request('insert', resource, leaseObject(this.name)), this.#timeoutMs),
    );
    if (created?.Err !== null || created.Object === null) {
      throw new Error(`${this.name}: lease create failed: ${JSON.stringify(created)}`);
    }
    this.#resourceVersion = created.Object.metadata?.resourceVersion;
  }
}
