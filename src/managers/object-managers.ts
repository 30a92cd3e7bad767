/**
 * ConfigMapManager and SecretManager: every ConfigMap and Secret, unfiltered here; who receives one is
 * decided from the location cache (downstream/plan.ts), so an object no edge pod uses costs one lookup.
 * @module
 */
import type { KubeObject } from '../kube/index.js';
import type { ManagerSpec } from './manager.js';

export const configMapManagerSpec: ManagerSpec<KubeObject> = Object.freeze({
  kind: 'ConfigMap',
  path: '/api/v1/configmaps',
  name: 'configmaps',
});

export const secretManagerSpec: ManagerSpec<KubeObject> = Object.freeze({
  kind: 'Secret',
  path: '/api/v1/secrets',
  name: 'secrets',
});
