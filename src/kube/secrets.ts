/**
 * A small Secret store over {@link KubeClient} for the TLS material CloudCore keeps in the API server
 * (`kubeedge/casecret`, `cloudcoresecret`, `tokensecret`). Data goes in and out as bytes; the base64 of
 * the wire form stays in here. Three write shapes, each for one job:
 * - `createIfAbsent`: POST, and on 409 re-read and return the stored one (so two replicas starting
 *   together agree on one CA; KubeEdge kubeedge/kubeedge#5923);
 * - `apply`: server-side apply with force, create-or-replace in one call (token refresh);
 * - `ensureNamespace`: GET, then POST if missing (409 absorbed).
 * Failures are thrown classified by {@link toApiError}; nothing here logs (data never reaches a log).
 * @module
 */
import type { KubeClient } from './client.js';
import { httpFailure, toApiError } from './api-errors.js';

/** Where a Secret lives. */
export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** A Secret as read back: its version and decoded data. */
export interface StoredSecret {
  readonly resourceVersion: string;
  readonly data: Readonly<Record<string, Uint8Array>>;
}

/** A Secret to write: ref plus data (written as type Opaque). */
export interface SecretWrite extends SecretRef {
  readonly data: Readonly<Record<string, Uint8Array>>;
}

/** Options of {@link SecretStore}. */
export interface SecretStoreOptions {
  readonly client: KubeClient;
  /** Field manager for server-side apply; default `edge-controller`. */
  readonly fieldManager?: string;
  /** Labels put on Secrets we write; default `app.kubernetes.io/managed-by: edge-controller`. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Defaults of {@link SecretStoreOptions}. */
export const secretStoreDefaults = Object.freeze({
  fieldManager: 'edge-controller',
  labels: Object.freeze<Record<string, string>>({ 'app.kubernetes.io/managed-by': 'edge-controller' }),
  /** createIfAbsent: how often to retry when the Secret appears (409) and vanishes (404) in turn. */
  maxCreateAttempts: 5,
});

interface SecretJson {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

/** Reads and writes Secrets. Safe for concurrent use; holds no cache. */
export class SecretStore {
  readonly #client: KubeClient;
  readonly #fieldManager: string;
  readonly #labels: Readonly<Record<string, string>>;

  constructor(options: SecretStoreOptions) {
    const opts = { ...secretStoreDefaults, ...options };
    this.#client = opts.client;
    this.#fieldManager = opts.fieldManager;
    this.#labels = opts.labels;
  }

  /** The Secret, or `undefined` when it does not exist (404 absorbed). */
  async get(ref: SecretRef): Promise<StoredSecret | undefined> {
    try {
      const json = await this.#client.request<SecretJson>({ method: 'GET', path: secretPath(ref) });
      return decode(json);
    } catch (err) {
      const apiErr = toApiError(err, { verb: 'GET', resource: secretPath(ref) });
      if (apiErr.action === 'absorb') return undefined;
      throw apiErr;
    }
  }

  /**
   * Creates the Secret unless one exists. `created` tells whether ours was stored; if not, `secret` is
   * the one that was already there (which the caller must use instead of its own).
   */
  async createIfAbsent(
    write: SecretWrite,
  ): Promise<{ readonly created: boolean; readonly secret: StoredSecret }> {
    const path = `/api/v1/namespaces/${encodeURIComponent(write.namespace)}/secrets`;
    for (let attempt = 1; ; attempt++) {
      try {
        const json = await this.#client.request<SecretJson>({
          method: 'POST',
          path,
          body: this.#body(write),
        });
        return { created: true, secret: decode(json) };
      } catch (err) {
        const apiErr = toApiError(err, { verb: 'POST', resource: path });
        if (apiErr.action !== 'reread') throw apiErr;
      }
      const stored = await this.get(write); // 409: someone else created it first
      if (stored !== undefined) return { created: false, secret: stored };
      if (attempt >= secretStoreDefaults.maxCreateAttempts)
        throw toApiError(
          httpFailure(
            409,
            JSON.stringify({
              reason: 'Conflict',
              message: `created and deleted concurrently ${String(attempt)} times`,
            }),
          ),
          { verb: 'POST', resource: `${path}/${write.name}` },
        );
    }
  }

  /** Creates or replaces the Secret's data (server-side apply, forced: we own these fields). */
  async apply(write: SecretWrite): Promise<StoredSecret> {
    const path = `${secretPath(write)}?fieldManager=${encodeURIComponent(this.#fieldManager)}&force=true`;
    const json = await this.#client.request<SecretJson>({
      method: 'PATCH',
      path,
      body: this.#body(write),
      contentType: 'application/apply-patch+yaml',
    });
    return decode(json);
  }

  /** Makes sure the namespace exists (GET first, so a controller without namespace-create rights works). */
  async ensureNamespace(name: string): Promise<void> {
    const path = `/api/v1/namespaces/${encodeURIComponent(name)}`;
    try {
      await this.#client.request({ method: 'GET', path });
      return;
    } catch (err) {
      const apiErr = toApiError(err, { verb: 'GET', resource: path });
      if (apiErr.action !== 'absorb') throw apiErr;
    }
    try {
      await this.#client.request({
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { metadata: { name } },
      });
    } catch (err) {
      const apiErr = toApiError(err, { verb: 'POST', resource: path });
      if (apiErr.action !== 'reread') throw apiErr; // 409: created concurrently, which is what we want
    }
  }

  #body(write: SecretWrite): object {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: write.name, namespace: write.namespace, labels: { ...this.#labels } },
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries(write.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    };
  }
}

function secretPath(ref: SecretRef): string {
  return `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`;
}

function decode(json: SecretJson): StoredSecret {
  const data: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(json.data ?? {})) data[k] = new Uint8Array(Buffer.from(v, 'base64'));
  return { resourceVersion: json.metadata?.resourceVersion ?? '', data };
}
