/**
 * The HTTPS certificate server edges join through (KubeEdge CloudHub port 10002,
 * `cloud/pkg/cloudhub/servers/httpserver/server.go`, kubeedge/kubeedge v1.23.1):
 * - `GET /ca.crt` → the CA certificate, raw DER (the edge checks its sha256 against the token);
 * - `GET /edge.crt` with a DER CSR as body, `NodeName` and `Authorization: Bearer <jwt>` headers, or a
 *   client certificate instead of the token (renewal) → raw DER certificate, or a plain-text refusal
 *   (401 authentication/identity, 400 bad request or CSR, 413 body over 1 MiB); issuance.ts decides;
 * - `GET /node/{name}` → 200 "Node found" / 404 "Node not found" (`nodeExists` injected: the composition
 *   root answers from the Node informer's store, so a flood of these costs no API reads; 503 until the
 *   store has synced).
 * TLS asks for, but does not require, a client certificate; issuance.ts verifies it against the CA.
 * Bodies are capped while being read and never buffered past the cap; header, request, keep-alive and
 * handshake timeouts keep slow clients from holding sockets, and at most `maxPendingHandshakes` connections
 * may be in their TLS handshake at once; more wait, unread, in the guard's queue (handshake-guard-worker.ts).
 * Issuances run `maxConcurrentIssuances` at a time, first come first served; a request that would wait
 * too long is answered 503 with a Retry-After (issuance-gate-worker.ts), so a flood of joins is paced or
 * refused in words, never reset. Tokens, keys and bodies are never logged.
 * @module
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { CertificateAuthority } from './ca.js';
import { isValidNodeName } from './edge-identity.js';
import { TerminalError } from '../errors/index.js';
import type { BusyRefusal } from './busy-retry.js';
import { HandshakeGuard } from './handshake-guard-worker.js';
import type { HandshakeRefusal } from './handshake-guard-worker.js';
import { IssuanceGate } from './issuance-gate-worker.js';
import { WarnLimiter } from '../warnings/index.js';
import { CertsError } from './errors.js';
import { issuanceDefaults, issueEdgeCertificate, statusForRejection } from './issuance.js';
import type { IssuanceMethod, RejectionReason } from './issuance.js';
import type { ServerCertificate } from './server-cert.js';

/** Defaults of {@link CertServerOptions}. */
export const certServerDefaults = Object.freeze({
  /** Bind address (KubeEdge `https.address`). */
  address: '0.0.0.0',
  /** Port (KubeEdge `https.port`); 0 picks a free one, see {@link CertServer.port}. */
  port: 10002,
  /** Largest accepted `/edge.crt` body, as KubeEdge's MaxBytesReader (1 MiB). */
  maxBodyBytes: 1024 * 1024,
  /** A TLS handshake must finish within this. */
  handshakeTimeoutMs: 10_000,
  /**
   * Most connections in their TLS handshake at once; more wait in the guard's queue. Few, so that
   * those admitted finish quickly: with 1,000 at once over 100 ms links on a loaded machine, every
   * handshake advanced a little per turn and 193 of them passed the 10 s timeout.
   */
  maxPendingHandshakes: 128,
  /**
   * Most connections waiting beyond the handshake slots (for their ClientHello or a slot); more are closed
   * at accept, counted and logged.
   */
  maxQueuedHandshakes: 4_000,
  /** A connection still waiting for a handshake slot after this long is closed, ms (below an edge's 30 s). */
  handshakeQueueWaitMs: 20_000,
  /** Kernel accept queue (capped by net.core.somaxconn); Node's default of 511 overflowed in join bursts. */
  listenBacklog: 4_096,
  /** Issuances (CSR and token checks, signing) running at once. */
  maxConcurrentIssuances: 4,
  /**
   * `/edge.crt` requests waiting for an issuance slot; one more is answered 503 at once. Each holds
   * little (its CSR, about 500 bytes, and its socket); at 500, a 1,000-join burst the server would have
   * served within 24 s was two-thirds refused and took 63 s.
   */
  maxQueuedIssuances: 2_000,
  /** A request still waiting for an issuance slot after this long is answered 503, ms (below an edge's 30 s). */
  maxIssuanceWaitMs: 20_000,
  /** Request headers must arrive within this. */
  headersTimeoutMs: 10_000,
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** How often the timeouts above are checked. */
  connectionsCheckingIntervalMs: 1_000,
  /** After a 413, how long the rest of the body is read and discarded before the socket is destroyed. */
  discardTimeoutMs: 2_000,
  /** At most one rejection warning per reason per this interval (the metric counts them all). */
  rejectionWarnIntervalMs: 10_000,
  ...issuanceDefaults,
});

/** What one `/edge.crt` request came to, for metrics (`edgecontroller_certs_issuances_total`). */
export interface IssuanceOutcome {
  readonly result: 'issued' | 'rejected';
  readonly method: IssuanceMethod;
  /** Set when rejected. */
  readonly reason?: RejectionReason;
  /** The node the certificate was issued to (set when issued). */
  readonly nodeName?: string;
}

/** Options of {@link CertServer}. */
export interface CertServerOptions {
  readonly ca: CertificateAuthority;
  readonly serverCert: ServerCertificate;
  /**
   * Whether a Node object exists (for `/node/{name}`). Synchronous from a cache: `undefined` while the
   * cache cannot tell (not synced yet) answers 503. A promise is still accepted (a rejection answers 500).
   */
  readonly nodeExists: (nodeName: string) => boolean | undefined | Promise<boolean>;
  /** Whether the node has a live hub session now; token joins for it are refused. */
  readonly isNodeConnected: (nodeName: string) => boolean;
  /** Called once per `/edge.crt` request with its outcome. Must not throw. */
  readonly onIssuance?: (outcome: IssuanceOutcome) => void;
  /** Called once per connection closed before its handshake finished, or refused at accept. Must not throw. */
  readonly onHandshakeRefused?: (reason: HandshakeRefusal) => void;
  /** Called once per `/edge.crt` request answered 503 because the server is busy. Must not throw. */
  readonly onBusy?: (reason: BusyRefusal) => void;
  /** Component logger; default silent. */
  readonly logger?: Logger;
  /** Wall clock for token expiry, certificate validity and issuance; default `() => new Date()`. */
  readonly clock?: () => Date;
  /** See {@link certServerDefaults} for these. */
  readonly address?: string;
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly handshakeTimeoutMs?: number;
  readonly maxPendingHandshakes?: number;
  readonly maxQueuedHandshakes?: number;
  readonly handshakeQueueWaitMs?: number;
  readonly listenBacklog?: number;
  readonly maxConcurrentIssuances?: number;
  readonly maxQueuedIssuances?: number;
  readonly maxIssuanceWaitMs?: number;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  readonly connectionsCheckingIntervalMs?: number;
  readonly rejectionWarnIntervalMs?: number;
  readonly discardTimeoutMs?: number;
  /** KubeEdge `edgeCertSigningDuration`, days. */
  readonly edgeCertSigningDurationDays?: number;
  /** Accept legacy `O=KubeEdge, CN=kubeedge.io` client certificates for renewal. */
  readonly allowLegacyEdgeCert?: boolean;
}

type ResolvedOptions = Required<Omit<CertServerOptions, 'onIssuance' | 'onHandshakeRefused' | 'onBusy'>> &
  Pick<CertServerOptions, 'onIssuance' | 'onHandshakeRefused' | 'onBusy'>;

const textPlain = 'text/plain; charset=utf-8';

/** The certificate server. `start` binds; `stop` closes every connection. */
export class CertServer {
  readonly #opts: ResolvedOptions;
  #server: Server | undefined;
  #port = 0;
  #stopped: Promise<void> | undefined;
  readonly #warnings: WarnLimiter;
  readonly #gate: IssuanceGate;
  #guard: HandshakeGuard | undefined;

  constructor(options: CertServerOptions) {
    this.#opts = {
      ...certServerDefaults,
      clock: () => new Date(),
      ...options,
      logger: options.logger ?? pino({ enabled: false }),
    };
    validate(this.#opts);
    // Per rejection reason: a node retrying with a bad token must not flood the log.
    this.#warnings = new WarnLimiter({ intervalMs: this.#opts.rejectionWarnIntervalMs });
    this.#gate = new IssuanceGate({
      maxConcurrent: this.#opts.maxConcurrentIssuances,
      maxQueued: this.#opts.maxQueuedIssuances,
      maxWaitMs: this.#opts.maxIssuanceWaitMs,
    });
  }

  /** The bound port once started (useful with `port: 0`); 0 before. */
  get port(): number {
    return this.#port;
  }

  /**
   * Listens; resolves once bound. Throws `EC_CERTS_LISTEN_FAILED` when the address cannot be bound.
   * Aborting `signal` stops the server as {@link stop} does.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#server !== undefined) throw new Error('CertServer already started');
    const o = this.#opts;
    const server = createServer(
      {
        cert: o.serverCert.certPem,
        key: o.serverCert.keyPem,
        ca: [o.ca.certPem],
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        // A backstop of the handshake guard's timer, a second later so that the guard counts the timeout.
        handshakeTimeout: o.handshakeTimeoutMs + 1_000,
        headersTimeout: o.headersTimeoutMs,
        requestTimeout: o.requestTimeoutMs,
        keepAliveTimeout: o.keepAliveTimeoutMs,
        connectionsCheckingInterval: o.connectionsCheckingIntervalMs,
      },
      (req, res) => {
        void this.#handle(req, res);
      },
    );
    this.#server = server;
    this.#guard = new HandshakeGuard({
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      maxPending: o.maxPendingHandshakes,
      maxQueued: o.maxQueuedHandshakes,
      maxQueueWaitMs: o.handshakeQueueWaitMs,
      onRefused: (reason) => {
        this.#handshakeRefused(reason);
      },
    });
    const guard = this.#guard;
    server.on('tlsClientError', (err) => {
      o.logger.debug({ err }, 'TLS handshake with a client failed');
    });
    // The guard accepts for the server: connections over the handshake limit wait unread in its queue.
    const address = await guard
      .listen(server, { host: o.address, port: o.port, backlog: o.listenBacklog })
      .catch((err: unknown) => {
        this.#server = undefined;
        guard.close();
        throw new CertsError(
          'EC_CERTS_LISTEN_FAILED',
          `certificate server cannot listen on ${o.address}:${o.port}`,
          { cause: err },
        );
      });
    server.on('error', (err) => {
      o.logger.error({ err }, 'Certificate server failed'); // e.g. EMFILE on accept; it keeps serving
    });
    this.#port = address.port;
    o.logger.info({ address: o.address, port: this.#port }, 'Certificate server started');
    if (signal.aborted) await this.stop();
    else signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Stops accepting, closes all connections (in-flight requests are cut) and resolves when closed. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#guard?.close();
    this.#gate.close();
    this.#stopped ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    }).then(() => {
      this.#opts.logger.info({ port: this.#port }, 'Certificate server stopped');
    });
    await this.#stopped;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
      if (path === '/ca.crt') {
        if (!this.#isGet(req, res)) return;
        send(res, 200, 'application/octet-stream', this.#opts.ca.certDer);
      } else if (path === '/edge.crt') {
        if (!this.#isGet(req, res)) return;
        await this.#edgeCert(req, res);
      } else if (path.startsWith('/node/')) {
        if (!this.#isGet(req, res)) return;
        await this.#node(path.slice('/node/'.length), res);
      } else {
        send(res, 404, textPlain, 'Not found');
      }
    } catch (err) {
      // A client that went away mid-request is its own business; anything else is our bug.
      if (req.destroyed || res.destroyed)
        this.#opts.logger.debug({ err }, 'Certificate request aborted by client');
      else this.#opts.logger.error({ err }, 'Certificate server request failed');
      if (!res.headersSent) send(res, 500, textPlain, 'Internal error');
      else res.destroy();
    }
  }

  #isGet(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method === 'GET') return true;
    res.setHeader('allow', 'GET');
    send(res, 405, textPlain, 'Method not allowed');
    return false;
  }

  async #edgeCert(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.#opts;
    const clientCertDer = peerCertificate(req);
    const method: IssuanceMethod = clientCertDer === undefined ? 'token' : 'mtls';
    const nodeHeader = header(req, 'nodename');
    const body = await readCapped(req, o.maxBodyBytes);
    if (body === undefined) {
      this.#rejected({ method, reason: 'body-too-large', nodeName: nodeHeader });
      this.#discardRest(req, res);
      send(
        res,
        statusForRejection('body-too-large'),
        textPlain,
        `request body exceeds ${o.maxBodyBytes} bytes`,
      );
      return;
    }
    const gone = new AbortController();
    const onClose = (): void => {
      gone.abort();
    };
    req.socket.once('close', onClose);
    const admission = await this.#gate.acquire(gone.signal);
    req.socket.off('close', onClose);
    if (admission.kind === 'refused') {
      this.#busy(admission.reason, admission.retryAfterSeconds);
      if (!res.destroyed) {
        res.setHeader('retry-after', String(admission.retryAfterSeconds));
        send(res, 503, textPlain, 'certificate server busy; retry after the Retry-After seconds');
      }
      return;
    }
    let result: Awaited<ReturnType<typeof issueEdgeCertificate>>;
    try {
      result = await issueEdgeCertificate(
        { csrDer: body, nodeName: nodeHeader, authorization: header(req, 'authorization'), clientCertDer },
        {
          ca: o.ca,
          now: o.clock(),
          isNodeConnected: o.isNodeConnected,
          edgeCertSigningDurationDays: o.edgeCertSigningDurationDays,
          allowLegacyEdgeCert: o.allowLegacyEdgeCert,
        },
      );
    } finally {
      admission.slot.release();
    }
    if (result.kind === 'issued') {
      o.onIssuance?.({ result: 'issued', method: result.method, nodeName: result.nodeName });
      o.logger.info(
        {
          node: result.nodeName,
          method: result.method,
          serial: result.serialNumber,
          notAfter: result.notAfter,
        },
        'Edge certificate issued',
      );
      send(res, 200, 'application/octet-stream', result.certDer);
      return;
    }
    this.#rejected({ method: result.method, reason: result.reason, nodeName: nodeHeader });
    send(res, result.status, textPlain, result.message);
  }

  /**
   * After an early 413 the client is usually still sending. Closing at once would reset the connection
   * before the client reads our answer, so the rest is read and thrown away (never kept) for at most
   * `discardTimeoutMs`, then the socket is destroyed if the client is still sending.
   */
  #discardRest(req: IncomingMessage, res: ServerResponse): void {
    res.once('finish', () => {
      if (req.complete) return;
      const timer = setTimeout(() => {
        req.socket.destroy();
      }, this.#opts.discardTimeoutMs);
      timer.unref();
      const clear = (): void => {
        clearTimeout(timer);
      };
      req.once('end', clear);
      req.socket.once('close', clear);
    });
  }

  /** A connection the guard closed before its handshake: counted each time, logged at most once per interval. */
  #handshakeRefused(reason: HandshakeRefusal): void {
    const o = this.#opts;
    o.onHandshakeRefused?.(reason);
    // A timeout is a slow or silent client; a full queue or a wait past the timeout is our overload.
    if (reason !== 'too_many_pending' && reason !== 'queue_timeout') return;
    const warning = this.#warnings.admit(`handshake:${reason}`, o.clock().getTime());
    if (!warning.admit) return;
    o.logger.warn(
      {
        reason,
        pending: this.#guard?.pending ?? 0,
        queued: this.#guard?.queued ?? 0,
        suppressed: warning.suppressed,
      },
      'Turned a connection away before its TLS handshake: too many connections waiting',
    );
  }

  /** One 503 for a busy server: counted each time, logged at most once per interval. */
  #busy(reason: BusyRefusal, retryAfterSeconds: number): void {
    const o = this.#opts;
    o.onBusy?.(reason);
    const warning = this.#warnings.admit(`busy:${reason}`, o.clock().getTime());
    if (!warning.admit) return;
    o.logger.warn(
      {
        reason,
        retryAfterSeconds,
        running: this.#gate.running,
        queued: this.#gate.queued,
        suppressed: warning.suppressed,
      },
      'Edge certificate request refused: the certificate server is busy (503)',
    );
  }

  #rejected(event: { method: IssuanceMethod; reason: RejectionReason; nodeName: string | undefined }): void {
    const o = this.#opts;
    o.onIssuance?.({ result: 'rejected', method: event.method, reason: event.reason });
    const nowMs = o.clock().getTime();
    const warning = this.#warnings.admit(event.reason, nowMs);
    if (!warning.admit) return;
    // The header is attacker-controlled: log it only when it is a valid node name.
    const node = event.nodeName !== undefined && isValidNodeName(event.nodeName) ? event.nodeName : undefined;
    o.logger.warn(
      {
        ...(node !== undefined ? { node } : {}),
        method: event.method,
        reason: event.reason,
        suppressed: warning.suppressed,
      },
      'Edge certificate request rejected',
    );
  }

  async #node(rest: string, res: ServerResponse): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(rest);
    } catch {
      send(res, 404, textPlain, 'Node not found');
      return;
    }
    if (name === '') {
      send(res, 400, textPlain, 'nodename parameter is required');
      return;
    }
    if (!isValidNodeName(name)) {
      send(res, 404, textPlain, 'Node not found');
      return;
    }
    let exists: boolean | undefined;
    try {
      exists = await this.#opts.nodeExists(name);
    } catch (err) {
      this.#opts.logger.warn({ err, node: name }, 'Checking whether a node exists failed');
      send(res, 500, textPlain, 'Failed to check node');
      return;
    }
    if (exists === undefined) {
      send(res, 503, textPlain, 'Node cache not ready');
      return;
    }
    send(res, exists ? 200 : 404, textPlain, exists ? 'Node found' : 'Node not found');
  }
}

/** Fails with `EC_CONFIG_INVALID` naming the field and the fix (STYLE.md B5). */
function validate(o: ResolvedOptions): void {
  const fail = (field: string, fix: string): never => {
    throw new TerminalError('EC_CONFIG_INVALID', `CertServer option ${field}: ${fix}`);
  };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535)
    fail('port', 'use 0..65535 (0 picks a free port)');
  if (!Number.isInteger(o.maxBodyBytes) || o.maxBodyBytes < 1) fail('maxBodyBytes', 'use a positive integer');
  for (const field of [
    'maxPendingHandshakes',
    'maxQueuedHandshakes',
    'listenBacklog',
    'maxConcurrentIssuances',
    'maxQueuedIssuances',
  ] as const)
    if (!Number.isInteger(o[field]) || o[field] < 1) fail(field, 'use a positive integer');
  for (const field of [
    'handshakeTimeoutMs',
    'handshakeQueueWaitMs',
    'headersTimeoutMs',
    'requestTimeoutMs',
    'keepAliveTimeoutMs',
    'connectionsCheckingIntervalMs',
    'discardTimeoutMs',
    'maxIssuanceWaitMs',
  ] as const)
    if (!(o[field] > 0)) fail(field, 'use a positive number of milliseconds');
  if (o.headersTimeoutMs > o.requestTimeoutMs) fail('headersTimeoutMs', 'must not exceed requestTimeoutMs');
  if (!(o.edgeCertSigningDurationDays > 0))
    fail('edgeCertSigningDurationDays', 'use a positive number of days');
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.byteLength) });
  res.end(bytes);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The TLS client certificate DER, if the client sent one (it is verified later, not here). */
function peerCertificate(req: IncomingMessage): Uint8Array | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(false) as { raw?: Buffer } | null;
  const raw = peer?.raw;
  return raw !== undefined && raw.length > 0 ? new Uint8Array(raw) : undefined;
}

/**
 * Reads the body up to `maxBytes`; `undefined` as soon as it is exceeded (declared or actual). Past the
 * cap nothing is kept: the stream is left flowing with no data listener, so the rest is discarded.
 */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      resolve(new Uint8Array(Buffer.concat(chunks, size)));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
