/**
 * Join tokens, exactly as KubeEdge makes them (`pkg/security/token/token.go`, kubeedge/kubeedge v1.23.1):
 * `hex(sha256(caDER)) + "." + JWT`, the JWT HS256-signed with the raw SEC1 DER bytes of the CA key and
 * carrying one claim, `exp` = now + 2 × tokenRefreshDuration, so a token read at any moment stays valid for
 * at least one refresh period. The edge checks the first part against the CA it downloads and sends only
 * the JWT (`Authorization: Bearer <jwt>`). Pure: time comes in as `now`.
 *
 * Verification is stricter than KubeEdge's golang-jwt `jwt.Parse` (wire errata O9): only HS256 (not
 * HS384/HS512), `exp` required, the scheme must be `Bearer`. Tokens we issue pass all three.
 * @module
 */
import { SignJWT, errors, jwtVerify } from 'jose';
import type { CertificateAuthority } from './ca.js';

/** Defaults of token issuance. */
export const tokenDefaults = Object.freeze({
  /** KubeEdge `tokenRefreshDuration` (12 h): the Secret is rewritten this often; tokens live twice as long. */
  tokenRefreshDurationMs: 12 * 3_600_000,
});

/** A join token as `keadm gettoken` prints it. Never log `token`. */
export interface JoinToken {
  /** `<caHash>.<header>.<payload>.<signature>`: four dot-separated parts. */
  readonly token: string;
  /** The JWT `exp` as a Date (whole seconds). */
  readonly expiresAt: Date;
}

/** Why a bearer token was refused. */
export type BearerRejection = 'token-missing' | 'token-malformed' | 'token-expired' | 'token-invalid';

/** Outcome of {@link verifyBearer}. */
export type BearerVerification =
  | { readonly ok: true; readonly expiresAt: Date }
  | { readonly ok: false; readonly reason: BearerRejection; readonly message: string };

/** Longest Authorization header value we look at; our JWTs are ~150 bytes. */
export const maxAuthorizationLength = 4096;

const jwtAlgorithm = 'HS256';

/** Makes a join token valid until `now + 2 × tokenRefreshDurationMs` (rounded down to a second). */
export async function createJoinToken(
  ca: CertificateAuthority,
  options: { readonly now: Date; readonly tokenRefreshDurationMs?: number },
): Promise<JoinToken> {
  const refreshMs = options.tokenRefreshDurationMs ?? tokenDefaults.tokenRefreshDurationMs;
  const exp = Math.floor((options.now.getTime() + 2 * refreshMs) / 1000);
  // golang-jwt writes {"alg":"HS256","typ":"JWT"} and {"exp":N}; jose writes the same bytes.
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: jwtAlgorithm, typ: 'JWT' })
    .setExpirationTime(exp)
    .sign(ca.key.sec1Der);
  return { token: `${ca.hash}.${jwt}`, expiresAt: new Date(exp * 1000) };
}

/**
 * Splits a full join token into the CA hash and the JWT, as the edge does (exactly four parts, else
 * `undefined`). Does not verify anything.
 */
export function splitJoinToken(token: string): { readonly caHash: string; readonly jwt: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [caHash, ...jwt] = parts;
  return caHash === undefined ? undefined : { caHash, jwt: jwt.join('.') };
}

/**
 * Checks an `Authorization` header value (`Bearer <jwt>`) against the CA key at `now`. Never throws on
 * any input, and the message never contains the token.
 */
export async function verifyBearer(
  authorization: string | undefined,
  options: { readonly ca: CertificateAuthority; readonly now: Date },
): Promise<BearerVerification> {
  if (authorization === undefined || authorization === '')
    return reject('token-missing', 'no Authorization header and no client certificate');
  if (authorization.length > maxAuthorizationLength)
    return reject('token-malformed', 'the Authorization header is too long');
  // KubeEdge splits on one space into exactly two parts (certs.go verifyAuthorization).
  const parts = authorization.split(' ');
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== 'bearer' || parts[1] === undefined || parts[1] === '')
    return reject('token-malformed', 'the Authorization header is not "Bearer <token>"');
  try {
    const { payload } = await jwtVerify(parts[1], options.ca.key.sec1Der, {
      algorithms: [jwtAlgorithm],
      requiredClaims: ['exp'],
      currentDate: options.now,
    });
    return { ok: true, expiresAt: new Date((payload.exp ?? 0) * 1000) };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return reject('token-expired', 'the token has expired');
    if (err instanceof errors.JWSSignatureVerificationFailed)
      return reject('token-invalid', 'the token was not signed by this CA');
    if (err instanceof errors.JOSEAlgNotAllowed) return reject('token-invalid', 'the token is not HS256');
    if (err instanceof errors.JWTClaimValidationFailed)
      return reject('token-invalid', 'the token has no valid exp claim');
    return reject('token-malformed', 'the token is not a well-formed JWT');
  }
}

function reject(reason: BearerRejection, message: string): BearerVerification {
  return { ok: false, reason, message };
}
