/**
 * An independent KubeEdge edge client for adversarial tests and the fuzz bench: hand-built frames
 * (frames.ts), certificates for any name from the join token (join.ts), a raw WebSocket connection that
 * can misbehave (raw-edge.ts), a well-behaved node (well-behaved.ts), the controller as a child process
 * (controller-child.ts), seeded fuzz frames (fuzz-frames.ts) and stalled TLS handshakes (stalled-tls.ts).
 * Nothing here imports the simulator (src/sim) or the project's protocol code.
 * @module
 */
export * from './frames.js';
export * from './join.js';
export * from './raw-edge.js';
export * from './well-behaved.js';
export * from './controller-child.js';
export * from './fuzz-frames.js';
export * from './stalled-tls.js';
export * from './fuzz-driver.js';
