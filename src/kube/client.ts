/**
 * The API client every stage shares: one KubeConfig, and one keep-alive HTTP/1.1 connection pool for the raw
 * calls (http1-dispatcher.ts says why not HTTP/2).
 * client-node 1.x built a new agent per call (kubernetes-client/javascript#2893). 2.0.1 caches only the
 * `https.Agent` it hands to WebSockets (`createAgent`); `applySecurityAuthentication` still builds a new
 * undici `Agent` on every call (`createDispatcher`, dist/config.js). So the raw requests and streams below
 * keep the first dispatcher they are given and reuse it: a list page, a status patch or a watch reconnect
 * reuses pooled TLS connections instead of handshaking again. Auth headers are still taken per call (a
 * rotated token is picked up); TLS material is read once, so a rotated client certificate needs a new
 * KubeClient.
 *
 * Every request goes through {@link KubeClient.request} or {@link KubeClient.openStream}, so every one
 * carries our User-Agent and every write our field manager (request-identity.ts). That is also why there
 * are no client-node typed API classes here: they sent client-node's own User-Agent, and nothing used them.
 * For the same reason every request passes the one limiter (request-limiter.ts, issue 15): QPS and burst,
 * at most `maxInFlight` requests at once, and four classes served in order (`RawRequest.priority`). A
 * watch takes a token to start but holds no in-flight slot while it runs.
 * @module
 */
import { RequestContext } from '@kubernetes/client-node';
import type { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import { EdgeControllerError } from '../errors/index.js';
import { httpFailure, toApiError } from './api-errors.js';
import { http1Dispatcher } from './http1-dispatcher.js';
import { requestIdentityDefaults, withFieldManager } from './request-identity.js';
import { RequestLimiter, requestLimitDefaults } from './request-limiter.js';
import type { RequestClass, RequestLimits } from './request-limiter.js';

/**
 * The limits a client takes when it is given none: KubeEdge's derivation (qps = 5 × node limit, burst =
 * 10 × node limit) at our default node limit of 10,000, and 64 in flight. `run` passes its own
 * (config/run-settings.ts); this default is for tests and one-off tools.
 */
export const kubeClientLimitDefaults: RequestLimits = Object.freeze({
  qps: 5 * 10_000,
  burst: 10 * 10_000,
  maxInFlight: requestLimitDefaults.maxInFlight,
});

/** What the limiter reports, structurally `metrics.kube` (observability/metrics.ts). */
export interface KubeClientMetrics {
  /** A request started after waiting `seconds` for a token or a slot (0 when it did not wait). */
  readonly observeWait: (cls: RequestClass, seconds: number) => void;
  /** Where the waiting and in-flight gauges read at scrape time (the client calls it once). */
  readonly setLimiterSource: (
    source: () => { readonly waiting: Readonly<Record<RequestClass, number>>; readonly inFlight: number },
  ) => void;
}

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  readonly kubeConfig: KubeConfig;
  /**
   * User-Agent of every request; default `edge-controller` (the CLI passes `edge-controller/<version>`,
   * see `userAgentOf`). Not overridable per request.
   */
  readonly userAgent?: string;
  /** Field manager of every write that names none itself; default `edge-controller`. */
  readonly fieldManager?: string;
  /** QPS, burst and in-flight cap; each left out takes {@link kubeClientLimitDefaults}. */
  readonly limits?: Partial<RequestLimits>;
  readonly metrics?: KubeClientMetrics;
}

/** A raw API request. `path` starts with `/api` or `/apis`; `body` is sent as JSON unless a string. */
export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** Content type of `body`; default `application/json` (use the merge-patch types for PATCH). */
  readonly contentType?: string;
  /**
   * Extra request headers, e.g. `Impersonate-User`/`Impersonate-Group` (upstream acting as a node). Merged
   * after the auth headers; `accept`, `content-type` and `user-agent` are always ours.
   */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /**
   * Its class in the limiter (request-limiter.ts): `node` (leases, node status), `pod` (pod status,
   * replies an edge waits for), `records` (delivery records, ownership writes) or `bulk`; default `bulk`.
   */
  readonly priority?: RequestClass;
}

/** A long GET whose body is read as it arrives (a watch). `path` includes the query string. */
export interface StreamRequest {
  readonly path: string;
  /** Aborting it closes the stream; the body iterator then throws the abort reason. */
  readonly signal: AbortSignal;
}

/** What a request needs of the kubeconfig: the connection pool and the auth headers. */
interface Credentials {
  readonly dispatcher?: Dispatcher;
  readonly headers: Readonly<Record<string, string>>;
}

/** How long {@link KubeClient}'s auth headers are reused before the kubeconfig is asked again. */
const credentialsReuseMs = 1_000;

/** A request waiting in the limiter. */
interface Ticket {
  readonly cls: RequestClass;
  readonly enqueuedAt: number;
  /** Called by the limiter's pump when the request may go. */
  go: () => void;
}

/** Raw JSON requests and watch streams over the one shared connection pool, all carrying our identity. */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly server: string;
  readonly userAgent: string;
  readonly fieldManager: string;
  /** The one dispatcher (connection pool) of the raw calls; set by the first call. */
  #dispatcher: Dispatcher | undefined;
  /** The first call's build of {@link #dispatcher}, shared by calls made while it runs. */
  #dispatcherReady: Promise<Dispatcher | undefined> | undefined;
  /** The credentials last read, with when (performance.now()); see {@link #auth}. */
  #credentials: { readonly at: number; readonly read: Promise<Credentials> } | undefined;
  readonly #limiter: RequestLimiter<Ticket>;
  readonly #metrics: KubeClientMetrics | undefined;
  /** Set while the pump waits for the next token. */
  #tokenTimer: NodeJS.Timeout | undefined;

  /** A bare KubeConfig takes the default identity (tests and one-off tools). */
  constructor(source: KubeConfig | KubeClientOptions) {
    const options: KubeClientOptions = 'kubeConfig' in source ? source : { kubeConfig: source };
    this.kubeConfig = options.kubeConfig;
    this.userAgent = options.userAgent ?? requestIdentityDefaults.userAgent;
    this.fieldManager = options.fieldManager ?? requestIdentityDefaults.fieldManager;
    const cluster = this.kubeConfig.getCurrentCluster();
    this.server = (cluster?.server ?? '').replace(/\/+$/, '');
    this.#limiter = new RequestLimiter({ ...kubeClientLimitDefaults, ...options.limits }, performance.now());
    this.#metrics = options.metrics;
    this.#metrics?.setLimiterSource(() => ({
      waiting: this.#limiter.waiting(),
      inFlight: this.#limiter.inFlight,
    }));
  }

  /** The limits in force. */
  get limits(): RequestLimits {
    return this.#limiter.limits;
  }

  /**
   * Sends one request and parses the JSON reply. A write (POST, PUT, PATCH) gets our field manager
   * unless its path names one. Failures are thrown already classified by {@link toApiError}, so
   * callers switch on `err.action` and never look at status codes.
   */
  async request<T>(req: RawRequest): Promise<T> {
    await this.#admit(req.priority ?? 'bulk', true, req.signal, { verb: req.method, resource: req.path });
    try {
      return await this.#send<T>(req);
    } finally {
      this.#limiter.release();
      this.#pump();
    }
  }

  async #send<T>(req: RawRequest): Promise<T> {
    const path = withFieldManager(req.method, req.path, this.fieldManager);
    const { dispatcher, headers } = await this.#auth(path, req.method);
    const body =
      req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    let res: Dispatcher.ResponseData;
    try {
      res = await undiciRequest(this.server + path, {
        method: req.method,
        headers: {
          ...headers,
          ...req.headers,
          'user-agent': this.userAgent,
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
      const headers = headerRecord(res.headers);
      throw toApiError(httpFailure(res.statusCode, text, headers), { verb: req.method, resource: req.path });
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Opens a long GET and returns its body as it arrives, once the response headers are in. A non-2xx
   * reply is thrown classified by {@link toApiError}, like {@link request}; so is a failure to connect.
   * The iterator ends when the server ends the response and throws if the connection breaks or `signal`
   * aborts. undici's body timeout (300 s between chunks) is disabled: a watch may be quiet for longer,
   * and the caller runs its own watchdog over the stream.
   */
  async openStream(req: StreamRequest): Promise<AsyncIterable<Uint8Array>> {
    // A token to start, no slot: the stream may run for the whole life of the process.
    await this.#admit('bulk', false, req.signal, { verb: 'GET', resource: req.path });
    const { dispatcher, headers } = await this.#auth(req.path, 'GET');
    let res: Dispatcher.ResponseData;
    try {
      res = await undiciRequest(this.server + req.path, {
        method: 'GET',
        headers: { ...headers, 'user-agent': this.userAgent, accept: 'application/json' },
        bodyTimeout: 0,
        ...(dispatcher !== undefined ? { dispatcher } : {}),
        signal: req.signal,
      });
    } catch (err) {
      throw toApiError(err, { verb: 'GET', resource: req.path });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text();
      const headers = headerRecord(res.headers);
      throw toApiError(httpFailure(res.statusCode, text, headers), { verb: 'GET', resource: req.path });
    }
    return res.body;
  }

  /**
   * Waits until the limiter lets this request go. An abort while waiting rejects with the abort reason,
   * classified as undici's own abort would be, and gives up the place in the queue.
   */
  #admit(
    cls: RequestClass,
    holdsSlot: boolean,
    signal: AbortSignal | undefined,
    call: { verb: string; resource: string },
  ): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(toApiError(signal.reason, call));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#limiter.remove(ticket)) reject(toApiError(signal?.reason, call));
      };
      const ticket: Ticket = {
        cls,
        enqueuedAt: performance.now(),
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#metrics?.observeWait(cls, (performance.now() - ticket.enqueuedAt) / 1000);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#limiter.enqueue(ticket, cls, holdsSlot);
      this.#pump();
    });
  }

  /** Starts what the limiter allows now; when short of tokens, comes back when the next one is due. */
  #pump(): void {
    const { start, retryInMs } = this.#limiter.dispatch(performance.now());
    for (const ticket of start) ticket.go();
    if (retryInMs !== undefined && this.#tokenTimer === undefined) {
      // Not unref'd: a waiting request keeps the process up, as its socket would once sent.
      this.#tokenTimer = setTimeout(() => {
        this.#tokenTimer = undefined;
        this.#pump();
      }, retryInMs);
    }
  }

  /**
   * The dispatcher and the auth headers of a request. client-node's `applySecurityAuthentication` decodes
   * the kubeconfig's certificates and builds a dispatcher of its own every time, which only the first call
   * needs (the pool keeps one, http1-dispatcher.ts): at 5,000 nodes that was 18% of the API client's CPU.
   * So the result is reused for {@link credentialsReuseMs}: a token file or exec plugin's new token is
   * picked up within a second, as the plugin's own cache allows.
   */
  #auth(path: string, method: string): Promise<Credentials> {
    const now = performance.now();
    const last = this.#credentials;
    if (last !== undefined && now - last.at < credentialsReuseMs) return last.read;
    const read = this.#readCredentials(path, method);
    this.#credentials = { at: now, read };
    // A failure is not reused: the next request reads the kubeconfig again.
    read.catch(() => {
      if (this.#credentials?.read === read) this.#credentials = undefined;
    });
    return read;
  }

  async #readCredentials(path: string, method: string): Promise<Credentials> {
    const ctx = new RequestContext(this.server + path, method as HttpMethod);
    try {
      await this.kubeConfig.applySecurityAuthentication(ctx);
    } catch (err) {
      // Nothing was sent: the kubeconfig's credentials or TLS settings cannot be used (an http:// server
      // without insecure-skip-tls-verify, a missing key file, a failing exec plugin). Named as such, so
      // the start can fail at once instead of waiting for an API server that is not the problem.
      throw new EdgeControllerError(
        'EC_KUBE_CONFIG_INVALID',
        `cannot use the kubeconfig's credentials for ${this.server}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    this.#dispatcher ??= await (this.#dispatcherReady ??= http1Dispatcher(
      this.kubeConfig,
      ctx.getDispatcher(),
    ));
    const dispatcher = this.#dispatcher;
    return { ...(dispatcher !== undefined ? { dispatcher } : {}), headers: ctx.getHeaders() };
  }
}

/** Response headers as plain strings (repeated headers joined), for error classification. */
function headerRecord(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
  );
}
