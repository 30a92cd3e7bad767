/**
 * Loads the kubeconfig the controller talks to the API server with. Precedence: an explicit path (the
 * `--kubeconfig` flag), then the `KUBECONFIG` environment variable, then the in-cluster service account,
 * then `~/.kube/config`, the order kubectl and client-go use.
 * @module
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { EdgeControllerError } from '../errors/index.js';

/** Where to find the kubeconfig. */
export interface KubeConfigSource {
  /** Path given on the command line; wins over everything else. */
  readonly path?: string | undefined;
  /** Environment to read `KUBECONFIG` and the in-cluster variables from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

const inClusterTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads a kubeconfig, or throws `EC_KUBE_CONFIG_NOT_FOUND` naming every place that was tried.
 * The returned object is the one place API credentials live; build every client from it.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kc = new KubeConfig();
  const fromEnv = env['KUBECONFIG']?.split(':').find((p) => p !== '' && existsSync(p));
  const home = join(homedir(), '.kube', 'config');
  try {
    if (source.path !== undefined) {
      if (!existsSync(source.path)) {
        throw new EdgeControllerError('EC_KUBE_CONFIG_NOT_FOUND', `kubeconfig ${source.path} does not exist`);
      }
      kc.loadFromFile(source.path);
    } else if (fromEnv !== undefined) {
      kc.loadFromFile(fromEnv);
    } else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(inClusterTokenPath)) {
      kc.loadFromCluster();
    } else if (existsSync(home)) {
      kc.loadFromFile(home);
    } else {
      throw new EdgeControllerError(
        'EC_KUBE_CONFIG_NOT_FOUND',
        `no kubeconfig: pass --kubeconfig, set KUBECONFIG, run in a pod, or create ${home}`,
      );
    }
  } catch (err) {
    if (err instanceof EdgeControllerError) throw err;
    throw new EdgeControllerError('EC_KUBE_CONFIG_NOT_FOUND', `cannot load kubeconfig: ${String(err)}`, {
      cause: err,
    });
  }
  if (kc.getCurrentCluster() === null) {
    throw new EdgeControllerError('EC_KUBE_CONFIG_NOT_FOUND', 'the kubeconfig has no current cluster');
  }
  return kc;
}
