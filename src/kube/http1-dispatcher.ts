/**
 * The connection pool of the API client, pinned to HTTP/1.1.
 *
 * client-node 2.x builds an undici 8 `Agent`, and undici 8 offers `h2` in ALPN by default; kube-apiserver
 * picks it, so every request and every watch of the process shares one HTTP/2 connection. Under a
 * 1,000-node connect ramp the controller's memory grew to 4–9 GiB within a minute in 4 of 8 runs, with the
 * main thread inside Node's HTTP/2 session send path (nghttp2 `SendPendingData` → `CopyDataIntoOutgoing`)
 * each time (issue 15, memory bench). Over HTTP/1.1 each watch holds its own connection and requests use
 * a keep-alive pool bounded by the limiter's in-flight cap (request-limiter.ts), so no single session
 * buffers the whole process's traffic. client-go also lets operators turn HTTP/2 off for this reason
 * (`DISABLE_HTTP2`).
 *
 * The TLS material is the kubeconfig's, taken the same way client-node takes it (`applyToHTTPSOptions`),
 * with client-node's 30 s TCP keep-alive. It is made into one `SecureContext` for the pool: handed over
 * as PEM, undici's connector parsed the CA, certificate and key again for every new connection. Idle
 * connections are kept 60 s (undici's default is 4 s; the API server keeps them 90 s, k8s.io/apiserver
 * `secure_serving.go` IdleTimeout, as client-go's transport does): with the 4 s default, 1,000 idle edges'
 * leases and statuses (about 25 requests/s in bursts) kept opening and closing connections, each a TLS
 * handshake on both sides (about 2 % of the controller's CPU in a profile, more on the API server's). A cluster behind a proxy keeps client-node's own dispatcher
 * (its proxy agents know the proxy protocols; HTTP/2 through them is not negotiated).
 * @module
 */
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';

/** TLS material client-node hands to undici's connector (dist/config.js `createDispatcherOptions`). */
const materialFields = ['ca', 'cert', 'key', 'pfx', 'passphrase'] as const;
/** Connection options client-node hands beside it. */
const connectionFields = ['rejectUnauthorized', 'servername'] as const;

/** How long an idle pooled connection is kept, ms: under the API server's 90 s idle timeout. */
export const idleConnectionKeepMs = 60_000;

/**
 * An HTTP/1.1-only pool for the kubeconfig's current cluster, or `fallback` when the cluster is reached
 * through a proxy or needs no TLS options (plain http with insecure-skip-tls-verify, where undici's global
 * pool is used and HTTP/2 is never negotiated).
 */
export async function http1Dispatcher(
  kubeConfig: KubeConfig,
  fallback: Dispatcher | undefined,
): Promise<Dispatcher | undefined> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster?.proxyUrl !== undefined && cluster.proxyUrl !== '') return fallback;
  const options: Record<string, unknown> = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const material: Record<string, unknown> = {};
  for (const field of materialFields) if (options[field] !== undefined) material[field] = options[field];
  const connection: Record<string, unknown> = {};
  for (const field of connectionFields) if (options[field] !== undefined) connection[field] = options[field];
  if (Object.keys(material).length === 0 && Object.keys(connection).length === 0) return fallback;
  return new Agent({
    allowH2: false,
    keepAliveTimeout: idleConnectionKeepMs,
    connect: {
      ...(Object.keys(material).length > 0 ? { secureContext: createSecureContext(material) } : {}),
      ...connection,
      keepAlive: true,
      keepAliveInitialDelay: 30_000,
    },
  });
}
