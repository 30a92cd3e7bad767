/**
 * Keeps a fresh join token in Secret `kubeedge/tokensecret` (key `tokendata`), where `keadm gettoken`
 * reads it: written at start and rewritten every `tokenRefreshDurationMs`, as KubeEdge's token refresher
 * does (`cloud/pkg/cloudhub/servers/httpserver/server.go` `GenerateToken`, v1.23.1). Each token lives
 * twice the period, so one read at any moment stays valid for at least a period; older tokens remain valid
 * until their own `exp` (they are not revoked, exactly as in KubeEdge). Every replica runs this; they share
 * the CA key, so any replica's token works everywhere.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { exponentialDelayMs } from '../backoff/index.js';
import { TerminalError } from '../errors/index.js';
import type { CertificateAuthority } from './ca.js';
import type { SecretAccess } from './tls-material.js';
import { kubeedgeSecrets } from './tls-material.js';
import { createJoinToken, tokenDefaults } from './token.js';

/** Defaults of {@link TokenSecretWorkerOptions}. */
export const tokenSecretWorkerDefaults = Object.freeze({
  /** Namespace of `tokensecret`. */
  namespace: kubeedgeSecrets.namespace,
  /** Rewrite period; tokens expire after twice this (KubeEdge `tokenRefreshDuration`, 12 h). */
  tokenRefreshDurationMs: tokenDefaults.tokenRefreshDurationMs,
  /** First wait after a failed write; doubles up to {@link tokenSecretWorkerDefaults.retryMaxDelayMs}. */
  retryMinDelayMs: 1_000,
  /** Longest wait between failed writes (never longer than the refresh period). */
  retryMaxDelayMs: 60_000,
});

/** Options of {@link TokenSecretWorker}. */
export interface TokenSecretWorkerOptions {
  /** Where the Secret goes (kube/secrets.ts `SecretStore`). */
  readonly secrets: Pick<SecretAccess, 'apply' | 'ensureNamespace'>;
  readonly ca: CertificateAuthority;
  /** Component logger; default silent. The token itself is never logged. */
  readonly logger?: Logger;
  /** Wall clock for token expiry; default `() => new Date()`. */
  readonly clock?: () => Date;
  /** See {@link tokenSecretWorkerDefaults}. */
  readonly namespace?: string;
  /** See {@link tokenSecretWorkerDefaults}; at least 1000 ms. */
  readonly tokenRefreshDurationMs?: number;
  readonly retryMinDelayMs?: number;
  readonly retryMaxDelayMs?: number;
}

/** Writes the join token Secret at start and refreshes it every period until stopped. */
export class TokenSecretWorker {
  readonly #opts: Required<Omit<TokenSecretWorkerOptions, 'logger'>> & { readonly logger: Logger };
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #lastExpiresAt: Date | undefined;

  constructor(options: TokenSecretWorkerOptions) {
    this.#opts = {
      ...tokenSecretWorkerDefaults,
      clock: () => new Date(),
      ...options,
      logger: options.logger ?? pino({ enabled: false }),
    };
    if (!(this.#opts.tokenRefreshDurationMs >= 1000))
      throw new TerminalError(
        'EC_CONFIG_INVALID',
        `tokenRefreshDurationMs is ${String(this.#opts.tokenRefreshDurationMs)}: set it to at least 1000 ms`,
      );
  }

  /** Expiry of the last token written, if any write succeeded yet. */
  get lastExpiresAt(): Date | undefined {
    return this.#lastExpiresAt;
  }

  /**
   * Makes one write attempt (a failure is logged and retried with backoff, not thrown, since edges can
   * still join with tokens from before), then refreshes in the background until `signal` aborts or
   * {@link stop} is called.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#abort !== undefined) throw new Error('TokenSecretWorker already started');
    const abort = new AbortController();
    this.#abort = abort;
    const onAbort = (): void => {
      abort.abort();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    abort.signal.addEventListener('abort', () => {
      signal.removeEventListener('abort', onAbort);
    });
    const ok = await this.#writeOnce();
    this.#loop = this.#run(abort.signal, ok ? this.#opts.tokenRefreshDurationMs : this.#opts.retryMinDelayMs);
  }

  /** Stops refreshing and waits for an in-flight write to settle. The Secret is left in place. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
  }

  async #run(signal: AbortSignal, firstDelayMs: number): Promise<void> {
    let waitMs = firstDelayMs;
    // Consecutive failed writes; the wait after one doubles from retryMinDelayMs, capped by retryMaxDelayMs
    // and by the refresh period (a retry never waits longer than a regular rewrite would).
    let failures = 0;
    const retry = {
      initialDelayMs: this.#opts.retryMinDelayMs,
      maxDelayMs: Math.min(this.#opts.retryMaxDelayMs, this.#opts.tokenRefreshDurationMs),
    };
    while (!signal.aborted) {
      try {
        await delay(waitMs, undefined, { signal });
      } catch {
        return; // aborted
      }
      if (await this.#writeOnce()) {
        waitMs = this.#opts.tokenRefreshDurationMs;
        failures = 0;
      } else {
        waitMs = exponentialDelayMs(failures, retry);
        failures += 1;
      }
    }
  }

  /** One write; true on success. Failures are logged here because this loop is their top level. */
  async #writeOnce(): Promise<boolean> {
    const { namespace, secrets, logger } = this.#opts;
    try {
      const { token, expiresAt } = await createJoinToken(this.#opts.ca, {
        now: this.#opts.clock(),
        tokenRefreshDurationMs: this.#opts.tokenRefreshDurationMs,
      });
      await secrets.ensureNamespace(namespace);
      await secrets.apply({
        namespace,
        name: kubeedgeSecrets.token.name,
        data: { [kubeedgeSecrets.token.tokenKey]: new TextEncoder().encode(token) },
      });
      this.#lastExpiresAt = expiresAt;
      logger.info({ secret: `${namespace}/${kubeedgeSecrets.token.name}`, expiresAt }, 'Join token written');
      return true;
    } catch (err) {
      logger.warn(
        { err, secret: `${namespace}/${kubeedgeSecrets.token.name}` },
        'Writing the join token failed',
      );
      return false;
    }
  }
}
