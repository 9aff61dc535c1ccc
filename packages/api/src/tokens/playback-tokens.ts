/**
 * The token side of playback (docs/architecture.md "Tokens"): one-time playback links whose nonce the first
 * master GET consumes (Redis SET NX, TTL = the link's remaining lifetime), and session tokens on
 * variant and segment URLs bound to the video, profile and expiry, with the worker as a hint.
 * A link verifies with the API's token secrets or with a playback signing key (one an application
 * signs links with offline); sessions verify with the API's secrets only, so a signing key that
 * leaks makes links, never variant or segment URLs.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys, SigningKey, TokenSecrets, TypedToken, PlaybackClaims, SessionClaims } from '@kiln/shared';
import { SharedErrors, encodeBase64url, signPlaybackToken, signSessionToken, verifyPlaybackToken, verifySessionToken } from '@kiln/shared';
import { ApiErrors } from '../errors.js';

const SESSION_ID_BYTES = 16;

export interface PlaybackTokensOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly secrets: TokenSecrets;
  /** Keys that may sign playback links too (KILN_PLAYBACK_SIGNING_KEYS). */
  readonly signingKeys?: readonly SigningKey[];
  readonly now: () => Date;
}

export interface IssuedLink {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface Session {
  readonly token: string;
  /** The session token's nonce: stable for the session, it names its worker in Redis. */
  readonly id: string;
  readonly claims: SessionClaims;
  readonly expiresAt: Date;
}

export interface PlaybackTokens {
  issueLink(claims: Omit<PlaybackClaims, 'kind'>, lifetimeMs: number): IssuedLink;
  /** The link's claims if it is genuine and unexpired (nothing consumed yet). */
  verifyLink(token: string): TypedToken<PlaybackClaims>;
  /** Consumes a verified link unless it is reusable: a second use is TOKEN_USED. */
  consume(link: TypedToken<PlaybackClaims>): Promise<void>;
  /** A session id to pick a worker with before the session token exists. */
  newSessionId(): string;
  startSession(id: string, claims: Omit<SessionClaims, 'kind'>, lifetimeMs: number): Session;
  /** Verifies a session token for `video` (the one in the URL): another video's token is refused. */
  verifySession(token: string, video: string): Session;
}

export function createPlaybackTokens(options: PlaybackTokensOptions): PlaybackTokens {
  const { redis, keys, secrets, now } = options;
  const linkKeys = [secrets, options.signingKeys ?? []].flat();
  const expiryAfter = (lifetimeMs: number) => new Date(now().getTime() + lifetimeMs);
  return {
    issueLink(claims, lifetimeMs) {
      const expiresAt = expiryAfter(lifetimeMs);
      const token = signPlaybackToken(secrets, claims, { expiresAt });
      return { token, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000) };
    },
    verifyLink(token) {
      return verifyPlaybackToken(linkKeys, token, { now: now() });
    },
    async consume(link) {
      if (link.claims.reusable) return;
      const remainingMs = Math.max(1, link.exp * 1000 - now().getTime());
      const first = await redis.set(keys.usedNonce(link.nonce), '1', 'PX', remainingMs, 'NX');
      if (first === null) throw ApiErrors.create('TOKEN_USED');
    },
    newSessionId: () => encodeBase64url(randomBytes(SESSION_ID_BYTES)),
    startSession(id, claims, lifetimeMs) {
      // The session id is the token's nonce, so the worker can be picked for it before signing.
      const token = signSessionToken(secrets, claims, { expiresAt: expiryAfter(lifetimeMs), nonce: id });
      return this.verifySession(token, claims.video);
    },
    verifySession(token, video) {
      const verified = verifySessionToken(secrets, token, { now: now() });
      if (verified.claims.video !== video) {
        throw SharedErrors.create('TOKEN_WRONG_VIDEO', undefined, { details: { video } });
      }
      return { token, id: verified.nonce, claims: verified.claims, expiresAt: new Date(verified.exp * 1000) };
    },
  };
}
