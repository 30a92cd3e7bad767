/**
 * config/: KubeEdge's cloudcore.yaml (v1alpha1 and v1alpha2) read into our settings, with our own
 * additions in a separate `edgeController:` section; the settings of `run` with their flags, variables and
 * defaults, and the precedence flag > environment > file > default.
 * @module
 */
export { kubeApiBurstPerNode, kubeApiQpsPerNode, parseCloudCoreConfig } from './cloudcore-config.js';
export type { CloudCoreSettings, ParsedCloudCoreConfig } from './cloudcore-config.js';
export {
  envName,
  renderRunFlags,
  resolveRunSettings,
  runSettingNames,
  runSettingSpecs,
  settingValues,
} from './run-settings.js';
export type {
  GivenSettings,
  GivenValue,
  ResolvedRunSettings,
  ResolvedSetting,
  RunSettingSpecs,
  RunSettings,
  SettingSource,
  SettingSpec,
  SettingsFile,
} from './run-settings.js';
export { configReference, renderReference } from './reference.js';
export type { ConfigKey } from './reference.js';
export {
  parseBoolean,
  parseHostPort,
  parseListItem,
  parsePort,
  parsePositive,
  parsePositiveInteger,
  splitHostPort,
} from './values.js';
