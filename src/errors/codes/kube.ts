/** The Kubernetes API: kubeconfig loading and API responses, classified by kube/api-errors.ts. */
export const kubeErrorCodes = {
  EC_KUBE_CONFIG_NOT_FOUND: 'No kubeconfig was found (flag, KUBECONFIG, in-cluster or ~/.kube/config).',
  EC_KUBE_CONFIG_INVALID:
    'The kubeconfig was found but cannot be used: not a kubeconfig, no current cluster, unusable credentials.',
  EC_KUBE_NOT_FOUND: 'The API object does not exist (404).',
  EC_KUBE_CONFLICT: 'The write conflicted with another writer or the object already exists (409).',
  EC_KUBE_GONE: 'The resourceVersion is too old to watch from (410); the informer relists.',
  EC_KUBE_UNAVAILABLE:
    'The API server is unreachable, overloaded (429) or failing (5xx); retried with backoff.',
  EC_KUBE_UNAUTHORIZED: 'The API server did not accept our credentials (401).',
  EC_KUBE_REJECTED: 'The API server refused the request for good (400, 403, 422 and other 4xx); not retried.',
} as const;
