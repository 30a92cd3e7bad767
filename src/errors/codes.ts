/**
 * The catalogue of stable error codes: one file per area in codes/, each code with the one-line meaning
 * that docs/errors.md repeats (a catalogue test keeps the two in step). Codes are `EC_<AREA>_<WHAT>`.
 * @module
 */
import { certsErrorCodes } from './codes/certs.js';
import { configErrorCodes } from './codes/config.js';
import { informerErrorCodes } from './codes/informer.js';
import { kubeErrorCodes } from './codes/kube.js';
import { localClusterErrorCodes } from './codes/local-cluster.js';
import { runErrorCodes } from './codes/run.js';

export {
  certsErrorCodes,
  configErrorCodes,
  informerErrorCodes,
  kubeErrorCodes,
  localClusterErrorCodes,
  runErrorCodes,
};

/** Every code with its meaning. */
export const errorCatalogue = {
  ...configErrorCodes,
  ...kubeErrorCodes,
  ...localClusterErrorCodes,
  ...certsErrorCodes,
  ...informerErrorCodes,
  ...runErrorCodes,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof errorCatalogue;
