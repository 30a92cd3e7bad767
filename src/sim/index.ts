/**
 * sim/: simulated EdgeCores speaking the real protocol (the seed: token join and one connection).
 * Imports protocol/ only of our code.
 * @module
 */
export { EdgeClient, defaultProjectId } from './edge-client.js';
export type { EdgeClientOptions, MetaStore } from './edge-client.js';
export { JoinError, edgeSubject, joinWithToken, renewWithCertificate } from './join-client.js';
export type { EdgeIdentity, JoinOptions } from './join-client.js';
