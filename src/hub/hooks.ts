/**
 * The narrow interfaces the hub calls out through, supplied by main.ts: upstream handling, the
 * reliable-sync ACK hook, session notifications, node lease renewals and the cluster CA for `k8s/ca.crt`.
 * @module
 */
import type { Message, NodeName, UpstreamKind } from '../protocol/index.js';
import type { AckItem } from '../queues/index.js';
import type { LeaseRenewal, LeaseRenewalReason } from './lease-renewal.js';

/** A request classified as `request` (protocol/upstream-kind.ts). */
export type UpstreamRequest = Extract<UpstreamKind, { kind: 'request' }>;

/** What the hub knows about a request besides its message. */
export interface UpstreamRequestInfo {
  /** Size of the frame it came in, bytes: what to charge to the node's budget while it waits (`Hub.upstreamMemory`). */
  readonly frameBytes: number;
}

/** Takes edge requests. Must not throw: failures become error replies through `Hub.enqueue`. */
export interface UpstreamSink {
  handle(node: NodeName, message: Message, request: UpstreamRequest, info: UpstreamRequestInfo): void;
}

/** Everything the hub calls out to. */
export interface HubHooks {
  readonly upstream: UpstreamSink;
  /** PEM of the Kubernetes cluster CA, the answer to an edge's `k8s/ca.crt` query. */
  readonly clusterCaPem: () => string;
  /** The edge ACKed this version of this object (reliable sync records it). Must not throw. */
  readonly onAck?: (node: NodeName, acked: AckItem<Message>) => void;
  /** A session opened (the annotation writer uses it). Must not throw. */
  readonly onSessionOpened?: (node: NodeName) => void;
  /**
   * A session ended (called synchronously when it is detached, before a replacing session opens). With
   * reason `over_budget` or `not_reading` the node was disconnected for cause and its byte ledger written
   * off: drop its waiting upstream requests (their `Hub.upstreamMemory` reservations are void). Must not throw.
   */
  readonly onSessionClosed?: (node: NodeName, reason: string) => void;
  /**
   * Renews these nodes' leases (lease-renewal.ts decides which). Must not reject, and must settle within
   * its own bound: `Hub.stop()` awaits it before closing the sessions.
   */
  readonly renewLeases?: (renewals: readonly LeaseRenewal[], reason: LeaseRenewalReason) => Promise<unknown>;
}
