/**
 * config/: KubeEdge's cloudcore.yaml (v1alpha1 and v1alpha2) read into our settings, with our own
 * additions in a separate `edgeController:` section.
 * @module
 */
export { parseCloudCoreConfig } from './cloudcore-config.js';
export type { CloudCoreSettings, ParsedCloudCoreConfig } from './cloudcore-config.js';
