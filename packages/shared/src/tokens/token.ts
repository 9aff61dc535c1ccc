/**
 * Signed tokens (docs/architecture.md "Tokens"): `base64url(JSON payload) "." base64url(HMAC-SHA256)`, the MAC
 * taken over the encoded payload text. The payload always carries `exp` (unix seconds), a random
 * `nonce` and the `kid` of the key that signed it, so secrets can rotate: sign with the first,
 * verify with whichever the kid names. A bare secret's kid is derived from it (`keyId`); a signing
 * key (`SigningKey`) carries an explicit id, so whoever holds it can name it in tokens they sign.
 *
 * Checks run in an order that tells nothing away: shape first (TOKEN_MALFORMED), then the
 * signature (TOKEN_TAMPERED), and only a genuine token can be reported as TOKEN_EXPIRED.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SharedErrors } from '../errors.js';
import { constantTimeEqual, decodeBase64url, encodeBase64url } from './encoding.js';

/** A secret with an explicit key id (`KEYID:SECRET`), e.g. a playback signing key held by an application. */
export interface SigningKey {
  readonly id: string;
  readonly secret: string;
}

/** One secret or key, or several with the signing one first (rotation: prepend the new, drop the old later). */
export type TokenSecrets = string | SigningKey | readonly (string | SigningKey)[];

/** What a kid may be: explicit ids follow it too, so every id fits in a token's payload. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** HMAC-SHA256 keys shorter than its 32-byte output weaken it (RFC 2104 §3). */
export const MIN_SECRET_BYTES = 32;
/** Nothing we sign comes near this; longer input is refused before any decoding. */
export const MAX_TOKEN_LENGTH = 4096;
const NONCE_BYTES = 16;
const RESERVED_CLAIMS = ['exp', 'nonce', 'kid'] as const;

export type Claims = Readonly<Record<string, unknown>>;

export interface VerifiedToken {
  /** The signed payload without exp, nonce and kid. */
  readonly claims: Claims;
  /** Unix seconds; the token is refused from that second on. */
  readonly exp: number;
  /** Random, base64url: what a one-time token's first use consumes. */
  readonly nonce: string;
  readonly kid: string;
}

interface Key {
  readonly kid: string;
  readonly secret: Buffer;
}

const envelopeSchema = z.looseObject({
  exp: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  kid: z.string().regex(KEY_ID_PATTERN),
});

/** A key id that names a secret without revealing it: the start of an HMAC of a fixed label. */
export function keyId(secret: string): string {
  return crypto.createHmac('sha256', secret).update('kiln token key id').digest('base64url').slice(0, 8);
}

function toKey(entry: string | SigningKey): Key {
  const secret = typeof entry === 'string' ? entry : entry.secret;
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) throw new TypeError(`token secrets must be at least ${MIN_SECRET_BYTES} bytes`);
  const kid = typeof entry === 'string' ? keyId(secret) : entry.id;
  if (!KEY_ID_PATTERN.test(kid)) throw new TypeError('a key id must be 1 to 32 characters of A-Z a-z 0-9 _ -');
  return { kid, secret: bytes };
}

function keyRing(secrets: TokenSecrets): Key[] {
  const list = [secrets].flat();
  if (list.length === 0) throw new TypeError('token secrets: at least one is needed');
  return list.map(toKey);
}

function mac(secret: Buffer, encodedPayload: string): Buffer {
  return crypto.createHmac('sha256', secret).update(encodedPayload, 'ascii').digest();
}

export interface SignOptions {
  readonly expiresAt: Date;
  /**
   * By default 16 random bytes. A caller that must know the nonce before signing (the API names a
   * playback session by its token's nonce) passes one of at least that much randomness; tests pass fixed ones.
   */
  readonly nonce?: string;
}

/** Signs `claims` with the first secret; exp is `expiresAt` in whole seconds, rounded down. */
export function signToken(secrets: TokenSecrets, claims: Claims, options: SignOptions): string {
  const [key] = keyRing(secrets);
  const reserved = RESERVED_CLAIMS.filter((name) => Object.hasOwn(claims, name));
  if (reserved.length > 0) throw new TypeError(`claims may not set ${reserved.join(', ')}`);
  const exp = Math.floor(options.expiresAt.getTime() / 1000);
  const nonce = options.nonce ?? encodeBase64url(crypto.randomBytes(NONCE_BYTES));
  const envelope = envelopeSchema.safeParse({ exp, nonce, kid: key?.kid });
  if (!envelope.success || key === undefined) throw new TypeError('token expiry or nonce is invalid');
  const encodedPayload = encodeBase64url(Buffer.from(JSON.stringify({ ...claims, exp, nonce, kid: key.kid }), 'utf8'));
  return `${encodedPayload}.${encodeBase64url(mac(key.secret, encodedPayload))}`;
}

function malformed(reason: string): never {
  throw SharedErrors.create('TOKEN_MALFORMED', undefined, { details: { reason } });
}

function tampered(reason: string): never {
  throw SharedErrors.create('TOKEN_TAMPERED', undefined, { details: { reason } });
}

interface TokenParts {
  readonly encodedPayload: string;
  readonly payload: z.infer<typeof envelopeSchema>;
  readonly signature: Buffer;
}

function parseParts(token: unknown): TokenParts {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) malformed('not a token');
  const parts = token.split('.');
  const [encodedPayload, encodedSignature] = parts;
  if (parts.length !== 2 || !encodedPayload || !encodedSignature) malformed('not two parts');
  const payloadBytes = decodeBase64url(encodedPayload);
  const signature = decodeBase64url(encodedSignature);
  if (payloadBytes === undefined || signature === undefined) malformed('not base64url');
  let json: unknown;
  try {
    json = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    malformed('payload is not JSON');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) malformed('payload lacks exp, nonce or kid');
  return { encodedPayload, payload: envelope.data, signature };
}

export interface VerifyOptions {
  readonly now: Date;
}

/** The token's claims if one of `secrets` signed it and it has not expired; else a typed 403 error. */
export function verifyToken(secrets: TokenSecrets, token: unknown, options: VerifyOptions): VerifiedToken {
  const keys = keyRing(secrets);
  const { encodedPayload, payload, signature } = parseParts(token);
  // Explicit ids are chosen by people, so one may equal a derived one: every key of that kid is tried.
  const named = keys.filter((candidate) => candidate.kid === payload.kid);
  if (named.length === 0) tampered('unknown key');
  if (!named.some((key) => constantTimeEqual(mac(key.secret, encodedPayload), signature))) tampered('signature mismatch');
  if (options.now.getTime() >= payload.exp * 1000) {
    throw SharedErrors.create('TOKEN_EXPIRED', undefined, { details: { expiredAt: new Date(payload.exp * 1000).toISOString() } });
  }
  const { exp, nonce, kid, ...claims } = payload;
  return { claims, exp, nonce, kid };
}
