import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { CertificateAuthority } from './ca.js';
import { createCertificateAuthority } from './ca.js';
import { createJoinToken, splitJoinToken, verifyBearer } from './token.js';

const now = new Date('2026-01-10T12:00:00.700Z');
const hourMs = 3_600_000;

function b64json(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

describe('join token', () => {
  let ca: CertificateAuthority;
  let other: CertificateAuthority;
  before(async () => {
    [ca, other] = await Promise.all([
      createCertificateAuthority({ now }),
      createCertificateAuthority({ now }),
    ]);
  });

  it('has exactly the KubeEdge format: sha256(caDER) hex, then an HS256 JWT keyed by the SEC1 CA key', async () => {
    const { token, expiresAt } = await createJoinToken(ca, { now });
    const parts = token.split('.');
    assert.equal(parts.length, 4, 'the edge requires exactly 4 dot-separated parts');
    const [hash, header, payload, signature] = parts as [string, string, string, string];
    assert.equal(hash, createHash('sha256').update(ca.certDer).digest('hex'));
    assert.deepEqual(b64json(header), { alg: 'HS256', typ: 'JWT' });
    const exp = Math.floor((now.getTime() + 24 * hourMs) / 1000);
    assert.deepEqual(b64json(payload), { exp }, 'only claim: exp = now + 2 x 12 h');
    assert.equal(expiresAt.getTime(), exp * 1000);
    // What golang-jwt computes with []byte(caKeyDER) as the HMAC key.
    const expected = createHmac('sha256', ca.key.sec1Der).update(`${header}.${payload}`).digest('base64url');
    assert.equal(signature, expected);
  });

  it('lives twice the refresh duration', async () => {
    const { expiresAt } = await createJoinToken(ca, { now, tokenRefreshDurationMs: hourMs });
    assert.equal(expiresAt.getTime(), Math.floor((now.getTime() + 2 * hourMs) / 1000) * 1000);
  });

  it('splits like the edge does', async () => {
    const { token } = await createJoinToken(ca, { now });
    const split = splitJoinToken(token);
    assert.equal(split?.caHash, ca.hash);
    assert.equal(split.jwt.split('.').length, 3);
    assert.equal(splitJoinToken('a.b.c'), undefined);
    assert.equal(splitJoinToken('a.b.c.d.e'), undefined);
  });

  it('verifies the JWT from "Bearer <jwt>" until it expires', async () => {
    const { token } = await createJoinToken(ca, { now });
    const jwt = splitJoinToken(token)?.jwt ?? '';
    const ok = await verifyBearer(`Bearer ${jwt}`, { ca, now: new Date(now.getTime() + 23 * hourMs) });
    assert.equal(ok.ok, true);
    const expired = await verifyBearer(`Bearer ${jwt}`, {
      ca,
      now: new Date(now.getTime() + 24 * hourMs + 1000),
    });
    assert.deepEqual(expired, { ok: false, reason: 'token-expired', message: 'the token has expired' });
  });

  it('refuses a token signed with another CA key', async () => {
    const { token } = await createJoinToken(other, { now });
    const result = await verifyBearer(`Bearer ${splitJoinToken(token)?.jwt ?? ''}`, { ca, now });
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'token-invalid');
  });

  it('pins HS256 and requires exp', async () => {
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
      .sign(ca.key.sec1Der);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(ca.key.sec1Der);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"exp":9999999999}').toString('base64url')}.`;
    for (const [jwt, reason] of [
      [hs512, 'token-invalid'],
      [noExp, 'token-invalid'],
      [none, 'token-invalid'],
    ] as const) {
      const result = await verifyBearer(`Bearer ${jwt}`, { ca, now });
      assert.equal(!result.ok && result.reason, reason, jwt.slice(0, 20));
    }
  });

  const malformed: [string, string | undefined, string][] = [
    ['no header', undefined, 'token-missing'],
    ['an empty header', '', 'token-missing'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'token-malformed'],
    ['a bare scheme', 'Bearer', 'token-malformed'],
    ['three words', 'Bearer a b', 'token-malformed'],
    ['two spaces', 'Bearer  x.y.z', 'token-malformed'],
    ['not a JWT', 'Bearer not-a-jwt', 'token-malformed'],
    ['garbage segments', 'Bearer %%%.***.!!!', 'token-malformed'],
    ['a huge header', `Bearer ${'a'.repeat(10_000)}`, 'token-malformed'],
  ];
  for (const [name, header, reason] of malformed) {
    it(`answers ${reason} for ${name} without throwing`, async () => {
      const result = await verifyBearer(header, { ca, now });
      assert.equal(result.ok, false);
      assert.equal(result.reason, reason);
    });
  }

  it('refuses the full token (hash included) as a bearer, as KubeEdge does', async () => {
    const { token } = await createJoinToken(ca, { now });
    const result = await verifyBearer(`Bearer ${token}`, { ca, now });
    assert.equal(result.ok, false);
  });

  it('never puts the token into its messages', async () => {
    const { token } = await createJoinToken(ca, { now });
    const jwt = splitJoinToken(token)?.jwt ?? '';
    const late = new Date(now.getTime() + 48 * hourMs);
    for (const header of [`Bearer ${jwt}`, `Bearer ${jwt}x`, `Token ${jwt}`]) {
      const result = await verifyBearer(header, { ca, now: late });
      assert.ok(!result.ok && !result.message.includes(jwt.slice(-20)));
    }
  });
});
