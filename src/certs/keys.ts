/**
 * Key and encoding plumbing shared by the CA, the server certificate and issuance: PEM ⇄ DER, ECDSA P-256
 * keys in the SEC1 DER form KubeEdge stores (`casecret/cakeydata`, `cloudcoresecret/cloudcorekeydata`),
 * and the WebCrypto signing key @peculiar/x509 needs. WebCrypto cannot import SEC1, so the key goes
 * through a node:crypto `KeyObject` (ts-libraries.md §3). Pure: no I/O, no clock.
 * @module
 */
import { KeyObject, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;

/** The one key algorithm we sign with and accept from edges: ECDSA over NIST P-256 (KubeEdge's choice). */
export const ecdsaP256 = Object.freeze({ name: 'ECDSA', namedCurve: 'P-256' } as const);

/** The signature algorithm of every certificate we make. */
export const ecdsaSha256 = Object.freeze({ name: 'ECDSA', hash: 'SHA-256' } as const);

/** An ECDSA P-256 private key in the forms we need. */
export interface EcSigningKey {
  /** SEC1 DER (`EC PRIVATE KEY`), byte for byte as stored; also the HMAC key of join tokens. */
  readonly sec1Der: Uint8Array;
  /** Non-extractable WebCrypto key for signing certificates. */
  readonly signingKey: CryptoKey;
  /** The node:crypto form, for key/certificate matching and TLS PEM export. */
  readonly keyObject: KeyObject;
}

/** A PEM block: its label (`CERTIFICATE`, `EC PRIVATE KEY`, ...) and DER body. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const pemPattern = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Text that is not PEM yields `[]`. */
export function pemBlocks(text: string | Uint8Array): PemBlock[] {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  return [...source.matchAll(pemPattern)].map((m) => ({
    label: m[1] ?? '',
    der: new Uint8Array(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64')),
  }));
}

/** Encodes DER as PEM with 64-column lines, as Go's `pem.Encode` does. */
export function derToPem(der: Uint8Array, label: string): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/**
 * Reads an ECDSA P-256 private key from SEC1 DER. Throws a plain `Error` saying what is wrong when the
 * bytes are not an EC key on P-256; callers wrap it in their own coded error.
 */
export function ecKeyFromSec1(sec1Der: Uint8Array): EcSigningKey {
  const keyObject = createPrivateKey({ key: Buffer.from(sec1Der), format: 'der', type: 'sec1' });
  return fromKeyObject(keyObject, sec1Der);
}

/**
 * Reads an ECDSA P-256 private key from PEM, either `EC PRIVATE KEY` (SEC1, what KubeEdge writes) or
 * `PRIVATE KEY` (PKCS#8). For SEC1 the PEM body is kept byte for byte, because KubeEdge keys join tokens
 * with exactly those bytes (`pem.Decode(...).Bytes` in cloud/pkg/cloudhub/config/config.go, v1.23.1);
 * PKCS#8 is converted to SEC1 (KubeEdge itself cannot sign with such a key).
 */
export function ecKeyFromPem(pem: string | Uint8Array): EcSigningKey {
  const block = pemBlocks(pem).find((b) => b.label === 'EC PRIVATE KEY' || b.label === 'PRIVATE KEY');
  if (block === undefined) throw new Error('no "EC PRIVATE KEY" or "PRIVATE KEY" PEM block found');
  if (block.label === 'EC PRIVATE KEY') return ecKeyFromSec1(block.der);
  const keyObject = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: 'pkcs8' });
  if (keyObject.asymmetricKeyType !== 'ec') throw new Error('the private key is not an EC key');
  const sec1 = new Uint8Array(keyObject.export({ format: 'der', type: 'sec1' }));
  return fromKeyObject(keyObject, sec1);
}

/** Generates a fresh ECDSA P-256 key (for the CA, the server certificate, or tests). */
export async function generateEcKey(): Promise<EcSigningKey> {
  const pair = await webcrypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify']);
  const keyObject = KeyObject.from(pair.privateKey);
  return fromKeyObject(keyObject, new Uint8Array(keyObject.export({ format: 'der', type: 'sec1' })));
}

/** The SubjectPublicKeyInfo DER of a private key. */
export function publicKeySpki(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}

/** Whether `key` is the private half of the public key `spkiDer` (e.g. a certificate's). */
export function isKeyForPublicKey(key: KeyObject, spkiDer: Uint8Array): boolean {
  try {
    const pub = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    return createPublicKey(key).equals(pub);
  } catch {
    return false;
  }
}

/** Whether two byte strings are equal (not constant-time: use only on public data). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function fromKeyObject(keyObject: KeyObject, sec1Der: Uint8Array): EcSigningKey {
  if (keyObject.asymmetricKeyType !== 'ec') throw new Error('the private key is not an EC key');
  const curve = keyObject.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') throw new Error(`the EC key is on ${curve ?? 'an unknown curve'}, not P-256`);
  const signingKey = keyObject.toCryptoKey(ecdsaP256, false, ['sign']);
  return { sec1Der: Uint8Array.from(sec1Der), signingKey, keyObject };
}
