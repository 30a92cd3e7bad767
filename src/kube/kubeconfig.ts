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
 * Loads a kubeconfig. Throws `EC_KUBE_CONFIG_NOT_FOUND` naming every place that was tried when there is
 * none, and `EC_KUBE_CONFIG_INVALID` naming the file when the one found cannot be used (not a kubeconfig,
 * no current context or cluster): that is an operator's mistake to fix, not a reason to search further.
 * The returned object is the one place API credentials live; build every client from it.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kc = new KubeConfig();
  const fromEnv = env['KUBECONFIG']?.split(':').find((p) => p !== '' && existsSync(p));
  const home = join(homedir(), '.kube', 'config');
  let file: string | undefined;
  if (source.path !== undefined) {
    if (!existsSync(source.path)) {
      throw new EdgeControllerError('EC_KUBE_CONFIG_NOT_FOUND', `kubeconfig ${source.path} does not exist`);
    }
    file = source.path;
  } else if (fromEnv !== undefined) {
    file = fromEnv;
  } else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(inClusterTokenPath)) {
    file = undefined;
  } else if (existsSync(home)) {
    file = home;
  } else {
    throw new EdgeControllerError(
      'EC_KUBE_CONFIG_NOT_FOUND',
      `no kubeconfig: pass --kubeconfig, set KUBECONFIG, run in a pod, or create ${home}`,
    );
  }
  const what = file === undefined ? 'the in-cluster configuration' : `kubeconfig ${file}`;
  try {
    if (file === undefined) kc.loadFromCluster();
    else kc.loadFromFile(file);
  } catch (err) {
    throw new EdgeControllerError('EC_KUBE_CONFIG_INVALID', `cannot load ${what}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new EdgeControllerError(
      'EC_KUBE_CONFIG_INVALID',
      `${what} has no current cluster with a server: set current-context to a context whose cluster has one`,
    );
  }
  return kc;
}

/** The first line of a failure: YAML parse errors append a multi-line excerpt of the file. */
function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n', 1)[0] ?? '';
}
