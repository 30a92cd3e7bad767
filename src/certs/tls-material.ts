/**
 * Start-up loading of the CA and the server certificate, in KubeEdge's order (`PrepareAllCerts`,
 * `cloud/pkg/cloudhub/servers/httpserver/server.go`, kubeedge/kubeedge v1.23.1): files, then the Secret
 * in namespace `kubeedge`, then create. The I/O is injected (a {@link SecretAccess}, satisfied by
 * kube/secrets.ts `SecretStore`, and a `readFile` main.ts supplies), so this module stays free of
 * node:fs and the API client and can be driven by fakes of those two narrow interfaces.
 *
 * Guarantees:
 * - The CA is created at most once per cluster, even when replicas start together: create-if-absent,
 *   and the loser of the 409 re-reads and uses the winner's CA (KubeEdge kubeedge/kubeedge#5923 fixed).
 * - A CA loaded from files is written to `casecret` (replacing a different one), as KubeEdge does, so
 *   every replica validates the same tokens and certificates.
 * - A stored server certificate is used only while it fits (signed by the CA, not near expiry, covering
 *   every configured IP and DNS name); otherwise a new one is signed and stored.
 * Not promised: retries. API failures are thrown as `ApiError`; every step is idempotent, so the caller
 * retries the whole call with backoff.
 * @module
 */
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority, parseCertificateAuthority, parseCertificateAuthorityPem } from './ca.js';
import { CertsError } from './errors.js';
import { bytesEqual } from './keys.js';
import type { ServerCertificate } from './server-cert.js';
import {
  checkServerCertificate,
  parseServerCertificate,
  parseServerCertificatePem,
  signServerCertificate,
} from './server-cert.js';

/** KubeEdge's Secret names and data keys (`cloud/pkg/common/...`/`httpserver/secretsutil.go`). */
export const kubeedgeSecrets = Object.freeze({
  namespace: 'kubeedge',
  ca: Object.freeze({ name: 'casecret', certKey: 'cadata', keyKey: 'cakeydata' }),
  serverCert: Object.freeze({
    name: 'cloudcoresecret',
    certKey: 'cloudcoredata',
    keyKey: 'cloudcorekeydata',
  }),
  token: Object.freeze({ name: 'tokensecret', tokenKey: 'tokendata' }),
});

/** A Secret as the loaders see it. */
export interface StoredSecretData {
  readonly data: Readonly<Record<string, Uint8Array>>;
}

/** The Secret operations the loaders and the token worker need (kube/secrets.ts `SecretStore`). */
export interface SecretAccess {
  get(ref: { readonly namespace: string; readonly name: string }): Promise<StoredSecretData | undefined>;
  createIfAbsent(write: {
    readonly namespace: string;
    readonly name: string;
    readonly data: Readonly<Record<string, Uint8Array>>;
  }): Promise<{ readonly created: boolean; readonly secret: StoredSecretData }>;
  apply(write: {
    readonly namespace: string;
    readonly name: string;
    readonly data: Readonly<Record<string, Uint8Array>>;
  }): Promise<StoredSecretData>;
  ensureNamespace(name: string): Promise<void>;
}

/** PEM files for a certificate and its key. */
export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /**
   * Reads a file; resolves `undefined` when it does not exist (then the Secret is used, as KubeEdge
   * ignores missing default paths). Any other failure should reject.
   */
  readonly readFile: (path: string) => Promise<Uint8Array | undefined>;
}

/** Options of {@link loadCertificateAuthority}. */
export interface LoadCaOptions {
  readonly secrets: SecretAccess;
  readonly now: Date;
  /** Namespace of the Secrets; default `kubeedge` (tests use their own). */
  readonly namespace?: string;
  /** `tlsCAFile` / `tlsCAKeyFile`; both must exist or both be absent. */
  readonly files?: TlsFiles;
}

/** A loaded CA and where it came from (for one info log line). */
export interface LoadedCa {
  readonly ca: CertificateAuthority;
  readonly source: 'files' | 'secret' | 'created';
}

/**
 * Loads the CA from files, else from Secret `casecret`, else creates and stores one (exactly once per
 * cluster). Throws `EC_CERTS_CA_INVALID` for unusable material and `ApiError` for API failures.
 */
export async function loadCertificateAuthority(options: LoadCaOptions): Promise<LoadedCa> {
  const namespace = options.namespace ?? kubeedgeSecrets.namespace;
  const ref = { namespace, name: kubeedgeSecrets.ca.name };
  const { certKey, keyKey } = kubeedgeSecrets.ca;
  const { secrets } = options;

  const fromFiles = await readPair(options.files, 'EC_CERTS_CA_INVALID');
  if (fromFiles !== undefined) {
    const ca = parseCertificateAuthorityPem({
      certPem: fromFiles.cert,
      keyPem: fromFiles.key,
      source: 'files',
    });
    const data = { [certKey]: ca.certDer, [keyKey]: ca.key.sec1Der };
    await secrets.ensureNamespace(namespace);
    const { created, secret } = await secrets.createIfAbsent({ ...ref, data });
    if (!created && !sameData(secret.data, data)) await secrets.apply({ ...ref, data });
    return { ca, source: 'files' };
  }

  const stored = await secrets.get(ref);
  if (stored !== undefined) return { ca: caFromSecret(stored, namespace), source: 'secret' };

  await secrets.ensureNamespace(namespace);
  const fresh = await createCertificateAuthority({ now: options.now });
  const { created, secret } = await secrets.createIfAbsent({
    ...ref,
    data: { [certKey]: fresh.certDer, [keyKey]: fresh.key.sec1Der },
  });
  return created
    ? { ca: fresh, source: 'created' }
    : { ca: caFromSecret(secret, namespace), source: 'secret' };
}

/** Options of {@link loadServerCertificate}. */
export interface LoadServerCertOptions {
  readonly secrets: SecretAccess;
  readonly ca: CertificateAuthority;
  readonly now: Date;
  /** Namespace of the Secrets; default `kubeedge`. */
  readonly namespace?: string;
  /** `tlsCertFile` / `tlsPrivateKeyFile`; both must exist or both be absent. */
  readonly files?: TlsFiles;
  /** SAN IPs of a certificate we sign (and must find in a stored one); default `['127.0.0.1']`. */
  readonly advertiseAddress?: readonly string[];
  /** SAN DNS names likewise; default none. */
  readonly dnsNames?: readonly string[];
}

/** A loaded server certificate and where it came from. */
export interface LoadedServerCertificate {
  readonly serverCert: ServerCertificate;
  readonly source: 'files' | 'secret' | 'signed';
  /** Set when a stored certificate did not fit and was replaced: why. */
  readonly replaced?: string;
}

/**
 * Loads the server certificate from files (not written to the Secret: a file certificate is this
 * replica's own), else from Secret `cloudcoresecret` if it still fits, else signs one with the CA and
 * stores it. Throws `EC_CERTS_SERVER_CERT_INVALID` for unusable files and `ApiError` for API failures.
 */
export async function loadServerCertificate(
  options: LoadServerCertOptions,
): Promise<LoadedServerCertificate> {
  const namespace = options.namespace ?? kubeedgeSecrets.namespace;
  const ref = { namespace, name: kubeedgeSecrets.serverCert.name };
  const { certKey, keyKey } = kubeedgeSecrets.serverCert;
  const { secrets } = options;
  const spec = {
    ca: options.ca,
    now: options.now,
    ...(options.advertiseAddress !== undefined ? { advertiseAddress: options.advertiseAddress } : {}),
    ...(options.dnsNames !== undefined ? { dnsNames: options.dnsNames } : {}),
  };

  const fromFiles = await readPair(options.files, 'EC_CERTS_SERVER_CERT_INVALID');
  if (fromFiles !== undefined)
    return {
      serverCert: parseServerCertificatePem({
        certPem: fromFiles.cert,
        keyPem: fromFiles.key,
        source: 'files',
      }),
      source: 'files',
    };

  const usable = async (secret: StoredSecretData): Promise<ServerCertificate | string> => {
    const certDer = secret.data[certKey];
    const keyDer = secret.data[keyKey];
    if (certDer === undefined || keyDer === undefined) return `it lacks ${certKey} or ${keyKey}`;
    let serverCert: ServerCertificate;
    try {
      serverCert = parseServerCertificate({ certDer, keyDer, source: `Secret ${namespace}/${ref.name}` });
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    const fit = await checkServerCertificate(serverCert, spec);
    return fit.fits ? serverCert : fit.why;
  };

  const stored = await secrets.get(ref);
  if (stored !== undefined) {
    const found = await usable(stored);
    if (typeof found !== 'string') return { serverCert: found, source: 'secret' };
    const signed = await signServerCertificate(spec);
    await secrets.apply({ ...ref, data: { [certKey]: signed.certDer, [keyKey]: signed.keyDer } });
    return { serverCert: signed, source: 'signed', replaced: found };
  }

  await secrets.ensureNamespace(namespace);
  const signed = await signServerCertificate(spec);
  const { created, secret } = await secrets.createIfAbsent({
    ...ref,
    data: { [certKey]: signed.certDer, [keyKey]: signed.keyDer },
  });
  if (created) return { serverCert: signed, source: 'signed' };
  // Another replica stored one first: use it if it fits us too, else serve ours without overwriting.
  const theirs = await usable(secret);
  return typeof theirs === 'string'
    ? { serverCert: signed, source: 'signed' }
    : { serverCert: theirs, source: 'secret' };
}

function caFromSecret(secret: StoredSecretData, namespace: string): CertificateAuthority {
  const source = `Secret ${namespace}/${kubeedgeSecrets.ca.name}`;
  const certDer = secret.data[kubeedgeSecrets.ca.certKey];
  const keyDer = secret.data[kubeedgeSecrets.ca.keyKey];
  if (certDer === undefined || keyDer === undefined)
    throw new CertsError(
      'EC_CERTS_CA_INVALID',
      `CA from ${source}: data keys ${kubeedgeSecrets.ca.certKey} and ${kubeedgeSecrets.ca.keyKey} are required`,
    );
  return parseCertificateAuthority({ certDer, keyDer, source });
}

async function readPair(
  files: TlsFiles | undefined,
  code: 'EC_CERTS_CA_INVALID' | 'EC_CERTS_SERVER_CERT_INVALID',
): Promise<{ readonly cert: Uint8Array; readonly key: Uint8Array } | undefined> {
  if (files === undefined) return undefined;
  const [cert, key] = await Promise.all([files.readFile(files.certPath), files.readFile(files.keyPath)]);
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new CertsError(
      code,
      `${cert === undefined ? files.certPath : files.keyPath} does not exist but ` +
        `${cert === undefined ? files.keyPath : files.certPath} does: configure both files or neither`,
    );
  return { cert, key };
}

function sameData(a: Readonly<Record<string, Uint8Array>>, b: Readonly<Record<string, Uint8Array>>): boolean {
  const keys = Object.keys(b);
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    return x !== undefined && y !== undefined && bytesEqual(x, y);
  });
}
