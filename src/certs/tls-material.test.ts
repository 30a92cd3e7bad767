import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority } from './ca.js';
import { CertsError } from './errors.js';
import { derToPem } from './keys.js';
import { signServerCertificate } from './server-cert.js';
import type { SecretAccess, StoredSecretData } from './tls-material.js';
import { loadCertificateAuthority, loadServerCertificate } from './tls-material.js';

const now = new Date('2026-01-10T12:00:00Z');

/** An in-memory stand-in for our own narrow SecretAccess interface (the real one is tested on an apiserver). */
class RecordingSecrets implements SecretAccess {
  readonly secrets = new Map<string, StoredSecretData>();
  readonly namespaces = new Set<string>();
  readonly calls: string[] = [];

  get(ref: { namespace: string; name: string }): Promise<StoredSecretData | undefined> {
    this.calls.push(`get ${ref.name}`);
    return Promise.resolve(this.secrets.get(`${ref.namespace}/${ref.name}`));
  }
  createIfAbsent(write: {
    namespace: string;
    name: string;
    data: Readonly<Record<string, Uint8Array>>;
  }): Promise<{ created: boolean; secret: StoredSecretData }> {
    this.calls.push(`create ${write.name}`);
    const key = `${write.namespace}/${write.name}`;
    const existing = this.secrets.get(key);
    if (existing !== undefined) return Promise.resolve({ created: false, secret: existing });
    const secret = { data: write.data };
    this.secrets.set(key, secret);
    return Promise.resolve({ created: true, secret });
  }
  apply(write: {
    namespace: string;
    name: string;
    data: Readonly<Record<string, Uint8Array>>;
  }): Promise<StoredSecretData> {
    this.calls.push(`apply ${write.name}`);
    const secret = { data: write.data };
    this.secrets.set(`${write.namespace}/${write.name}`, secret);
    return Promise.resolve(secret);
  }
  ensureNamespace(name: string): Promise<void> {
    this.namespaces.add(name);
    return Promise.resolve();
  }
}

function files(contents: Record<string, Uint8Array | string>) {
  return (certPath: string, keyPath: string) => ({
    certPath,
    keyPath,
    readFile: (path: string) => {
      const value = contents[path];
      return Promise.resolve(typeof value === 'string' ? new TextEncoder().encode(value) : value);
    },
  });
}

describe('loadCertificateAuthority', () => {
  let secrets: RecordingSecrets;
  let fileCa: CertificateAuthority;
  before(async () => {
    fileCa = await createCertificateAuthority({ now });
  });
  beforeEach(() => {
    secrets = new RecordingSecrets();
  });

  it('creates a CA in namespace kubeedge when nothing exists, then reads it back', async () => {
    const first = await loadCertificateAuthority({ secrets, now });
    assert.equal(first.source, 'created');
    assert.ok(secrets.namespaces.has('kubeedge'));
    const stored = secrets.secrets.get('kubeedge/casecret');
    assert.deepEqual(stored?.data['cadata'], first.ca.certDer);
    assert.deepEqual(stored.data['cakeydata'], first.ca.key.sec1Der);
    const second = await loadCertificateAuthority({ secrets, now });
    assert.equal(second.source, 'secret');
    assert.equal(second.ca.hash, first.ca.hash);
  });

  it('uses the stored CA when it loses the create race', async () => {
    const [a, b] = await Promise.all([
      loadCertificateAuthority({ secrets, now }),
      loadCertificateAuthority({ secrets, now }),
    ]);
    assert.equal(a.ca.hash, b.ca.hash);
    assert.deepEqual([a.source, b.source].sort(), ['created', 'secret']);
  });

  it('loads PEM files and writes them to casecret, replacing a different stored CA as KubeEdge does', async () => {
    await loadCertificateAuthority({ secrets, now }); // some other CA is stored
    const read = files({
      '/ca.crt': fileCa.certPem,
      '/ca.key': derToPem(fileCa.key.sec1Der, 'EC PRIVATE KEY'),
    });
    const loaded = await loadCertificateAuthority({ secrets, now, files: read('/ca.crt', '/ca.key') });
    assert.equal(loaded.source, 'files');
    assert.equal(loaded.ca.hash, fileCa.hash);
    assert.deepEqual(secrets.secrets.get('kubeedge/casecret')?.data['cadata'], fileCa.certDer);
    assert.ok(secrets.calls.includes('apply casecret'));
  });

  it('falls back to the Secret when neither file exists, and refuses when only one does', async () => {
    const none = files({});
    assert.equal(
      (await loadCertificateAuthority({ secrets, now, files: none('/a', '/b') })).source,
      'created',
    );
    const half = files({ '/ca.crt': fileCa.certPem });
    await assert.rejects(
      loadCertificateAuthority({ secrets, now, files: half('/ca.crt', '/ca.key') }),
      (err: unknown) =>
        err instanceof CertsError && err.code === 'EC_CERTS_CA_INVALID' && /\/ca\.key/.test(err.message),
    );
  });

  it('refuses a stored CA without its key instead of replacing it', async () => {
    secrets.secrets.set('kubeedge/casecret', { data: { cadata: fileCa.certDer } });
    await assert.rejects(loadCertificateAuthority({ secrets, now }), /cakeydata/);
    assert.ok(!secrets.calls.some((c) => c.startsWith('create') || c.startsWith('apply')));
  });
});

describe('loadServerCertificate', () => {
  let ca: CertificateAuthority;
  let secrets: RecordingSecrets;
  before(async () => {
    ca = await createCertificateAuthority({ now });
  });
  beforeEach(() => {
    secrets = new RecordingSecrets();
  });

  it('signs and stores one, then reuses it while it fits', async () => {
    const first = await loadServerCertificate({ secrets, ca, now, namespace: 'ns' });
    assert.equal(first.source, 'signed');
    assert.deepEqual(
      secrets.secrets.get('ns/cloudcoresecret')?.data['cloudcoredata'],
      first.serverCert.certDer,
    );
    const second = await loadServerCertificate({ secrets, ca, now, namespace: 'ns' });
    assert.equal(second.source, 'secret');
    assert.deepEqual(second.serverCert.certDer, first.serverCert.certDer);
  });

  it('replaces a stored one that does not cover a newly advertised address', async () => {
    await loadServerCertificate({ secrets, ca, now });
    const moved = await loadServerCertificate({ secrets, ca, now, advertiseAddress: ['10.1.2.3'] });
    assert.equal(moved.source, 'signed');
    assert.match(moved.replaced ?? '', /10\.1\.2\.3/);
    assert.deepEqual(
      secrets.secrets.get('kubeedge/cloudcoresecret')?.data['cloudcoredata'],
      moved.serverCert.certDer,
    );
  });

  it('serves files without writing them to the Secret', async () => {
    const own = await signServerCertificate({ ca, now });
    const read = files({ '/s.crt': own.certPem, '/s.key': own.keyPem });
    const loaded = await loadServerCertificate({ secrets, ca, now, files: read('/s.crt', '/s.key') });
    assert.equal(loaded.source, 'files');
    assert.deepEqual(loaded.serverCert.certDer, own.certDer);
    assert.equal(secrets.secrets.size, 0);
  });
});
