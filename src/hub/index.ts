/**
 * hub/: the TLS WebSocket server edges connect to, sessions, and the per-node queues behind them.
 * @module
 */
export { Hub } from './hub-server.js';
export type { EnqueueResult, HubServerOptions, HubTls, NodeHubState } from './hub-server.js';
export type { HubHooks, UpstreamRequest, UpstreamSink } from './hooks.js';
export { hubDefaults, resolveHubOptions } from './hub-options.js';
export type { HubOptions } from './hub-options.js';
export { decideConnect } from './connect-decision.js';
export type { ConnectDecision, ConnectPolicy, ConnectRequest, RefusalReason } from './connect-decision.js';
export { planLeaseRenewals } from './lease-renewal.js';
export type { LeaseRenewal, LeaseRenewalReason, SessionSnapshot } from './lease-renewal.js';
