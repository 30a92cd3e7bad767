/**
 * Logging (pino) and metrics (prom-client).
 * @module
 */
export { createLogger, logLevels, redactedPaths } from './logger.js';
export type { Logger, LogLevel, LoggerOptions } from './logger.js';
export { createMetrics, metricLabelValues } from './metrics.js';
export type {
  DisconnectReason,
  HubMemoryTotals,
  HubSendTotals,
  HubMetrics,
  InformerMetrics,
  Metrics,
  MetricsOptions,
  QueueTotals,
  SyncMetrics,
  HaMetrics,
  UpstreamMetrics,
} from './metrics.js';
export { MetricsServer } from './metrics-server.js';
export type { MetricsServerOptions, Readiness } from './metrics-server.js';
