/**
 * One simulated EdgeCore node: the imperative shell around the pure edge behaviour in this folder. It
 * joins with a token (or takes an identity), connects through {@link EdgeClient}, registers its Node,
 * keeps it alive with a lease and periodic `nodepatch`, runs pushed pods on a fake runtime (fetching what
 * they reference, reporting Pending then Running through `podpatch`, deleting them upstream once they
 * carry a deletionTimestamp) and redials after any link loss: with jittered exponential backoff by
 * default, or with the real edge's fixed 30 s wait (`reconnect: { kind: 'fixed' }`, reconnect-backoff.ts).
 * Sequence and shapes follow a real EdgeCore v1.23.1 (kubeedge-wire.md §4.5, §4.7-4.10, §8).
 *
 * Events: `connected`, `disconnected`, `registered` (Node object or null), `lease` (Lease object),
 * `renewed` (the new EdgeIdentity after a certificate rotation at 70-90 % of its lifetime),
 * `pod-status` (PodStatusEvent, fake-runtime-client.ts), `pod-deleted` (pod key), `failure` (Error;
 * never `error`, so a missing listener cannot crash the process).
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { newMessageId, parseResource } from '../protocol/index.js';
import type { Message, MessageStamp } from '../protocol/index.js';
import { EdgeClient } from './edge-client.js';
import type { EdgeClientOptions, MetaStore } from './edge-client.js';
import { leaseQuery, leaseWrite, nodeInsert, nodePatch } from './edge-messages.js';
import { FakeRuntime } from './fake-runtime-client.js';
import { maxTimerDelayMs, renewalDelayMs } from './cert-rotation.js';
import { joinWithToken, renewWithCertificate } from './join-client.js';
import type { EdgeIdentity } from './join-client.js';
import {
  emptyNodePatch,
  nodeHeartbeatPatch,
  nodeLease,
  nodeLeaseNamespace,
  nodeShapeDefaults,
  registeredNode,
} from './node-status.js';
import type { PodStatus } from './pod-status.js';
import type { InboundHandling } from './push-handling.js';
import { afterLeaseQuery, afterLeaseWrite, decodeTypedReply, isAlreadyExists } from './typed-reply.js';
import type { TypedReply } from './typed-reply.js';
import { reconnectBackoffDefaults, reconnectPolicy, redialDelayMs } from './reconnect-backoff.js';
import type { ReconnectBackoff, ReconnectPolicy } from './reconnect-backoff.js';
import { isSimPod } from './sim-pod.js';
import { simulatedEdgeNodeDefaults } from './edge-node-options.js';
import type {
  EdgeConnection,
  SimulatedEdgeNodeOptions,
  SimulatedEdgeNodeSettings,
} from './edge-node-options.js';

/** A simulated EdgeCore; see the module header for behaviour and events. */
export class SimulatedEdgeNode extends EventEmitter {
  readonly nodeName: string;
  /** The edge's meta store (pushes, query replies, its Node and Lease), kept across reconnects. */
  readonly store: MetaStore = new Map();
  readonly #options: SimulatedEdgeNodeOptions;
  readonly #settings: SimulatedEdgeNodeSettings;
  readonly #backoff: ReconnectBackoff;
  readonly #reconnect: ReconnectPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #runtime: FakeRuntime;
  #identity: EdgeIdentity | undefined;
  #client: EdgeConnection | undefined;
  #linkDelayMs = 0;
  #isRunning = false;
  #isRegistered = false;
  /** Dials since the node started or last lost its link, and which of the two it was. */
  #dials = 0;
  #dialsSince: 'start' | 'loss' = 'start';
  #lease: Record<string, unknown> | undefined;
  #nodeUid: string | undefined;
  #leaseTimer: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewAtMs: number | undefined;

  constructor(options: SimulatedEdgeNodeOptions) {
    super();
    if (options.identity === undefined && options.join === undefined) {
      throw new TypeError('SimulatedEdgeNode needs `identity` or `join` (httpServer and token)');
    }
    this.#options = options;
    this.nodeName = options.nodeName;
    this.#identity = options.identity;
    const d = simulatedEdgeNodeDefaults;
    this.#settings = {
      leasePeriodMs: options.leasePeriodMs ?? d.leasePeriodMs,
      statusPeriodMs: options.statusPeriodMs ?? d.statusPeriodMs,
      podStartDelayMs: options.podStartDelayMs ?? d.podStartDelayMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? d.keepaliveIntervalMs,
      requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
      sendEvents: options.sendEvents ?? d.sendEvents,
    };
    for (const [field, value] of Object.entries(this.#settings)) {
      if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
        throw new RangeError(
          `SimulatedEdgeNode: ${field} must be a finite number of ms >= 0, got ${String(value)}`,
        );
      }
    }
    this.#backoff = { ...reconnectBackoffDefaults, ...options.backoff };
    this.#reconnect = reconnectPolicy(options.reconnect, this.#backoff);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#runtime = new FakeRuntime({
      link: {
        nodeName: this.nodeName,
        store: this.store,
        isConnected: () => this.isConnected,
        request: (message) => this.#request(message),
        ack: (reply) => {
          this.#ack(reply);
        },
        send: (message) => {
          if (this.#client?.isOpen === true) this.#client.send(message);
        },
        stamp: () => this.#stamp(),
        now: () => this.#now(),
        fail: (err) => this.emit('failure', asError(err)),
      },
      hostIP: options.shape?.internalIP ?? nodeShapeDefaults.internalIP,
      podStartDelayMs: this.#settings.podStartDelayMs,
      sendEvents: this.#settings.sendEvents,
      onStatus: (event) => this.emit('pod-status', event),
      onDeleted: (key) => this.emit('pod-deleted', key),
    });
  }

  /** The node's TLS identity once joined. */
  get identity(): EdgeIdentity | undefined {
    return this.#identity;
  }

  /** Whether the link to the hub is open. */
  get isConnected(): boolean {
    return this.#client?.isOpen ?? false;
  }

  /** The last status reported per pod key. */
  get podStatuses(): ReadonlyMap<string, PodStatus | undefined> {
    return this.#runtime.statuses;
  }

  /**
   * Joins if needed, then connects, retrying with backoff until connected; registers the Node and starts
   * the lease and status loops. Resolves once connected and registered (or when stopped meanwhile).
   */
  async start(): Promise<void> {
    if (this.#isRunning) return;
    this.#isRunning = true;
    try {
      this.#identity ??= await this.#joinOnce();
    } catch (err) {
      this.#isRunning = false; // a later start() may try again
      throw err;
    }
    this.#dials = 0;
    this.#dialsSince = 'start';
    for (;;) {
      if (!this.#shouldRun()) return;
      try {
        await this.#connect();
        break;
      } catch (err) {
        this.emit('failure', asError(err));
        this.#dials += 1;
        await sleep(this.#redialDelayMs());
      }
    }
    this.#scheduleRenewal();
    await this.#register();
    this.#leaseTimer = setInterval(() => void this.#renewLease(), this.#settings.leasePeriodMs);
    this.#statusTimer = setInterval(() => void this.#patchStatus(), this.#settings.statusPeriodMs);
    void this.#renewLease();
  }

  // A method, not a field read, so that the check after an await is not narrowed away.
  #shouldRun(): boolean {
    return this.#isRunning;
  }

  /** Stops loops and pod timers and closes the link; the store and identity are kept. */
  async stop(): Promise<void> {
    this.#isRunning = false;
    for (const timer of [this.#leaseTimer, this.#statusTimer, this.#reconnectTimer, this.#renewTimer]) {
      clearTimeout(timer);
    }
    this.#runtime.clear();
    // What a process restart loses: the kubelet's registration flag and the lease its node lease
    // controller holds in memory only (component-helpers v1.32 `apimachinery/lease/controller.go` sync),
    // so a started node inserts its Node again and GETs its lease before updating it.
    this.#isRegistered = false;
    this.#lease = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  /** Drops the link without a close handshake; the node redials under its reconnect policy. */
  /** Delays this node's link by `ms` each way (0 ends the delay); kept across reconnects. */
  delayLink(ms: number): void {
    this.#linkDelayMs = ms;
    this.#client?.setLinkDelay(ms);
  }

  cut(): void {
    this.#client?.kill();
  }

  /** Stops and starts again, like an EdgeCore process restart: re-registers, re-runs stored pods. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
    for (const [key, entry] of this.store) {
      if (parseResource(key)?.resourceType === 'pod' && isSimPod(entry.content))
        void this.#runtime.onPod(key, entry.content);
    }
  }

  /**
   * Renews the certificate now over mTLS with the current one (needs `join.httpServer`), then drops the
   * link so that the node redials with the new certificate, as the edge does after a rotation.
   */
  async renewCertificate(): Promise<void> {
    const httpServer = this.#options.join?.httpServer;
    const identity = this.#identity;
    if (httpServer === undefined || identity === undefined) {
      throw new TypeError('certificate renewal needs join.httpServer and a current identity');
    }
    this.#identity = await renewWithCertificate(httpServer, identity);
    this.#renewAtMs = undefined;
    this.emit('renewed', this.#identity);
    this.#scheduleRenewal();
    this.cut();
  }

  // Renew at 70-90 % of the certificate's lifetime; Node timers cap at ~24.8 days, so re-arm until due.
  #scheduleRenewal(): void {
    clearTimeout(this.#renewTimer);
    const identity = this.#identity;
    if (!this.#isRunning || this.#options.join === undefined || identity === undefined) return;
    if (this.#renewAtMs === undefined) {
      const cert = new X509Certificate(identity.certPem);
      const now = this.#now();
      const delay = renewalDelayMs(Date.parse(cert.validFrom), Date.parse(cert.validTo), now, this.#random());
      this.#renewAtMs = now + delay;
    }
    const wait = this.#renewAtMs - this.#now();
    this.#renewTimer = setTimeout(
      () => {
        if (wait > maxTimerDelayMs) {
          this.#scheduleRenewal();
          return;
        }
        this.renewCertificate().catch((err: unknown) => {
          this.emit('failure', asError(err));
          this.#renewAtMs = this.#now() + this.#backoff.maxDelayMs;
          this.#scheduleRenewal();
        });
      },
      Math.min(Math.max(wait, 0), maxTimerDelayMs),
    );
  }

  async #joinOnce(): Promise<EdgeIdentity> {
    const join = this.#options.join;
    if (join === undefined) throw new TypeError('no identity and no join options');
    return joinWithToken({ httpServer: join.httpServer, token: join.token, nodeName: this.nodeName });
  }

  async #connect(): Promise<void> {
    const identity = this.#identity;
    if (identity === undefined) throw new Error('not joined');
    const dial = this.#options.dial ?? ((options: EdgeClientOptions) => new EdgeClient(options));
    const client = dial({
      server: this.#options.server,
      identity,
      keepaliveIntervalMs: this.#settings.keepaliveIntervalMs,
      store: this.store,
      ...(this.#options.counters !== undefined ? { counters: this.#options.counters } : {}),
      ...(this.#options.keepReceived !== undefined ? { keepReceived: this.#options.keepReceived } : {}),
    });
    client.on('push', (message: Message, handling: InboundHandling) => {
      // Metamanager tells edged only about some pushes (a node update or a patch, for one, it does not).
      if (handling.kind === 'push' && handling.toEdged) void this.#runtime.onPush(message);
    });
    client.on('close', () => {
      if (this.#client !== client) return;
      this.emit('disconnected');
      this.#dials = 0;
      this.#dialsSince = 'loss';
      this.#scheduleReconnect();
    });
    await client.connect();
    client.setLinkDelay(this.#linkDelayMs);
    this.#client = client;
    this.#dials = 0;
    this.emit('connected');
  }

  #scheduleReconnect(): void {
    if (!this.#isRunning) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#connect().then(
        () => {
          void this.#afterReconnect();
        },
        (err: unknown) => {
          this.emit('failure', asError(err));
          this.#dials += 1;
          this.#scheduleReconnect();
        },
      );
    }, this.#redialDelayMs());
  }

  #redialDelayMs(): number {
    return redialDelayMs(this.#reconnect, {
      dials: this.#dials,
      since: this.#dialsSince,
      random: this.#random(),
    });
  }

  // The kubelet's status manager retries what the cloud has not accepted (FakeRuntime.reportAll).
  async #afterReconnect(): Promise<void> {
    if (!this.#isRegistered) await this.#register();
    await this.#runtime.reportAll();
  }

  async #register(): Promise<void> {
    const node = registeredNode({
      nodeName: this.nodeName,
      now: this.#now(),
      ...(this.#options.shape !== undefined ? { shape: this.#options.shape } : {}),
    });
    try {
      const reply = await this.#request(nodeInsert(this.#stamp(), this.nodeName, node));
      this.#ack(reply);
      const outcome = decodeTypedReply(reply);
      // The kubelet takes AlreadyExists as registered (it then reads the Node from the edge's database).
      if (!(outcome.kind === 'error' && isAlreadyExists(outcome.error))) this.#storeNode('insert', outcome);
      this.#isRegistered = true;
      this.emit('registered', outcome.kind === 'object' ? outcome.object : null);
      const patched = await this.#request(nodePatch(this.#stamp(), this.nodeName, emptyNodePatch));
      this.#storeNode('nodepatch', decodeTypedReply(patched));
    } catch (err) {
      this.emit('failure', asError(err));
    }
  }

  // The edge stores the Object of a node insert or nodepatch reply as its node row (metaclient
  // `node.go` handleNodeResp); anything else fails the call.
  #storeNode(operation: string, reply: TypedReply): void {
    switch (reply.kind) {
      case 'object': {
        const uid = (reply.object.metadata as { uid?: unknown } | undefined)?.uid;
        if (typeof uid === 'string') this.#nodeUid = uid;
        this.store.set(`null/node/${this.nodeName}`, { operation: 'response', content: reply.object });
        return;
      }
      case 'no-object':
        throw new Error(
          `${operation}: success without an Object (a real edge dereferences nil here, errata O2)`,
        );
      case 'error':
        throw new Error(`${operation}: ${reply.error.message}`);
      case 'undecodable':
        throw new Error(`${operation}: undecodable reply: ${reply.message}`);
      default: {
        const unreachable: never = reply;
        return unreachable;
      }
    }
  }

  // The kubelet node lease controller's period (typed-reply.ts decides each step).
  async #renewLease(): Promise<void> {
    if (!this.isConnected) return;
    try {
      if (!this.#isRegistered) await this.#register();
      let base = this.#lease;
      if (base === undefined) {
        const reply = await this.#request(leaseQuery(this.#stamp(), this.nodeName));
        this.#ack(reply);
        const step = afterLeaseQuery(decodeTypedReply(reply));
        if (step.kind === 'retry') throw new Error(`lease query: ${step.message}`);
        if (step.kind === 'wait') {
          throw new Error(
            'lease query: no lease and no error (a bare Status?): a real kubelet neither creates nor renews it',
          );
        }
        if (step.kind === 'update') base = step.base;
      }
      const operation = base === undefined ? 'insert' : 'update';
      const lease = nodeLease({
        nodeName: this.nodeName,
        now: this.#now(),
        ...(this.#nodeUid !== undefined ? { nodeUid: this.#nodeUid } : {}),
        ...(base !== undefined ? { previous: base } : {}),
      });
      const reply = await this.#request(leaseWrite(this.#stamp(), operation, this.nodeName, lease));
      this.#ack(reply);
      const written = afterLeaseWrite(decodeTypedReply(reply), base);
      this.#lease = written.lease;
      if (written.error !== undefined) throw new Error(`lease ${operation}: ${written.error}`);
      if (written.lease !== undefined) {
        this.store.set(`${nodeLeaseNamespace}/lease/${this.nodeName}`, {
          operation: 'response',
          content: written.lease,
        });
      }
      this.emit('lease', this.#lease);
    } catch (err) {
      this.emit('failure', asError(err));
    }
  }

  async #patchStatus(): Promise<void> {
    if (!this.isConnected || !this.#isRegistered) return;
    try {
      const reply = await this.#request(
        nodePatch(this.#stamp(), this.nodeName, nodeHeartbeatPatch(this.#now())),
      );
      this.#storeNode('nodepatch', decodeTypedReply(reply));
    } catch (err) {
      this.emit('failure', asError(err));
    }
  }

  async #request(message: Message): Promise<Message> {
    const client = this.#client;
    if (client === undefined || !client.isOpen)
      throw new Error(`not connected: ${message.route.resource ?? ''}`);
    return client.request(message, this.#settings.requestTimeoutMs);
  }

  // metamanager ACKs the replies it stores (processRemote): node insert, lease, queries (§8).
  #ack(reply: Message): void {
    if (this.#client?.isOpen === true) this.#client.ack(reply);
  }

  #stamp(): MessageStamp {
    return { id: newMessageId(), now: this.#now() };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
