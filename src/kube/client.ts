/**
 * The API client every stage shares: one KubeConfig, so one keep-alive connection pool for every call.
 * client-node 2.x caches one undici dispatcher per (cluster, user) inside a KubeConfig; the typed API
 * classes made here and the raw requests below all go through that same dispatcher, so a status patch or a
 * watch reconnect reuses pooled TLS connections instead of handshaking again (client-node 1.x built a new
 * agent per call: kubernetes-client/javascript#2893).
 * @module
 */
import {
  AppsV1Api,
  AuthenticationV1Api,
  CertificatesV1Api,
  CoordinationV1Api,
  CoreV1Api,
  RequestContext,
} from '@kubernetes/client-node';
import type { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import { httpFailure, toApiError } from './api-errors.js';

/** A raw API request. `path` starts with `/api` or `/apis`; `body` is sent as JSON unless a string. */
export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** Content type of `body`; default `application/json` (use the merge-patch types for PATCH). */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Typed API groups plus raw JSON requests over the one shared connection pool. */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly coordination: CoordinationV1Api;
  readonly authentication: AuthenticationV1Api;
  readonly certificates: CertificatesV1Api;
  readonly server: string;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
    this.authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
    this.certificates = kubeConfig.makeApiClient(CertificatesV1Api);
    const cluster = kubeConfig.getCurrentCluster();
    this.server = (cluster?.server ?? '').replace(/\/+$/, '');
  }

  /**
   * Sends one request and parses the JSON reply. Failures are thrown already classified by
   * {@link toApiError}, so callers switch on `err.action` and never look at status codes.
   */
  async request<T>(req: RawRequest): Promise<T> {
    const { dispatcher, headers } = await this.#auth(req.path, req.method);
    const body =
      req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    let res: Dispatcher.ResponseData;
    try {
      res = await undiciRequest(this.server + req.path, {
        method: req.method,
        headers: {
          ...headers,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': req.contentType ?? 'application/json' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        ...(dispatcher !== undefined ? { dispatcher } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
      });
    } catch (err) {
      throw toApiError(err, { verb: req.method, resource: req.path });
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const headers = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      throw toApiError(httpFailure(res.statusCode, text, headers), { verb: req.method, resource: req.path });
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The shared dispatcher and auth headers, exactly as client-node's typed calls get them. */
  async #auth(
    path: string,
    method: string,
  ): Promise<{ dispatcher?: Dispatcher; headers: Record<string, string> }> {
    const ctx = new RequestContext(this.server + path, method as HttpMethod);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const dispatcher = ctx.getDispatcher();
    return { ...(dispatcher !== undefined ? { dispatcher } : {}), headers: ctx.getHeaders() };
  }
}
