/**
 * The TS side of the local control plane built from local-cluster/: build, start, wait ready, restart
 * parts, stop; plus stand-in nodes for tests and the demo.
 * @module
 */
export { startLocalCluster } from './cluster.js';
export type { LocalCluster, LocalClusterOptions } from './cluster.js';
export { ensureLocalClusterBinary, kubernetesVersion } from './build.js';
export { ensureGoBinary } from './go-build.js';
export type { BuildOptions, BuildResult, GoBinarySpec } from './go-build.js';
export { binaryPath, projectRoot } from './paths.js';
export { componentNames, readyFileSchema } from './ready-file.js';
export type { ComponentName, ReadyFile } from './ready-file.js';
export { registerStandInNode } from './stand-in-node.js';
export type { StandInNode, StandInNodeOptions } from './stand-in-node.js';
export { readRunning, stopRunning } from './data-dir.js';
