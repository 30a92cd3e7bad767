/**
 * hub/: the TLS WebSocket server edges connect to, sessions, and the per-node queues behind them.
 * @module
 */
export { Hub } from './hub-server.js';
export type { EnqueueResult, HubMemoryStats, HubServerOptions, HubTls, NodeHubState } from './hub-server.js';
export type { HubHooks, UpstreamRequest, UpstreamRequestInfo, UpstreamSink } from './hooks.js';
export type { MemoryReservation, UpstreamMemory } from './upstream-memory.js';
export { MemoryBudget } from './memory-budget.js';
export type { BudgetVerdict, MemoryBudgetLimits, MemoryKind } from './memory-budget.js';
export { OffenderPenalty, offenderPenaltyDefaults } from './offender-penalty.js';
export type { OffenderPenaltyOptions } from './offender-penalty.js';
export { checkEnvelope } from './envelope-limits.js';
export type { EnvelopeLimits, EnvelopeRefusal, EnvelopeVerdict } from './envelope-limits.js';
export { judgeReader } from './slow-reader.js';
export type { SendSideSample, SlowReaderLimits, SlowReaderVerdict } from './slow-reader.js';
export { hubDefaults, resolveHubOptions } from './hub-options.js';
export type { HubOptions } from './hub-options.js';
export { decideConnect } from './connect-decision.js';
export type { ConnectDecision, ConnectPolicy, ConnectRequest, RefusalReason } from './connect-decision.js';
export { planLeaseRenewals } from './lease-renewal.js';
export type { LeaseRenewal, LeaseRenewalReason, SessionSnapshot } from './lease-renewal.js';
