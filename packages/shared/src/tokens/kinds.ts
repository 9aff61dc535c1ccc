/**
 * The two tokens Kiln hands out. A playback token is the one-time URL a player receives (its nonce
 * is consumed by the first GET of the master playlist unless `reusable`); a session token rides on
 * variant and segment URLs, bound to the video and profile, with the worker that makes them.
 * Each is signed with its `kind`, and one kind is never accepted where the other is expected.
 */
import { z } from 'zod';
import { SharedErrors } from '../errors.js';
import { profileNameSchema } from '../media/profiles.js';
import type { SignOptions, TokenSecrets, VerifyOptions } from './token.js';
import { signToken, verifyToken } from './token.js';

const videoIdSchema = z.string().min(1).max(128);

export const playbackClaimsSchema = z.strictObject({
  kind: z.literal('playback'),
  video: videoIdSchema,
  /** Absent: the player's User-Agent at its first master playlist fetch decides. */
  profile: profileNameSchema.optional(),
  /** Bit/s the client expects to carry: the master lists first the variant that fits it. */
  bandwidth: z.number().int().positive().optional(),
  /** True for links that may be opened more than once until they expire (e.g. an embed). */
  reusable: z.boolean(),
});

export const sessionClaimsSchema = z.strictObject({
  kind: z.literal('session'),
  video: videoIdSchema,
  profile: profileNameSchema,
  /** The worker this session sticks to, so the load balancer can route segment requests to it. */
  worker: z.string().min(1).max(128).optional(),
});

export type PlaybackClaims = z.infer<typeof playbackClaimsSchema>;
export type SessionClaims = z.infer<typeof sessionClaimsSchema>;
export type TokenKind = PlaybackClaims['kind'] | SessionClaims['kind'];

export interface TypedToken<C> {
  readonly claims: C;
  readonly exp: number;
  readonly nonce: string;
}

function signTyped<S extends z.ZodType<Readonly<Record<string, unknown>>>>(
  schema: S,
  secrets: TokenSecrets,
  claims: z.infer<S>,
  options: SignOptions,
): string {
  const checked = schema.safeParse(claims);
  if (!checked.success) throw new TypeError(`token claims are invalid: ${z.prettifyError(checked.error)}`);
  return signToken(secrets, checked.data, options);
}

function verifyTyped<S extends z.ZodType<{ readonly kind: TokenKind }>>(
  schema: S,
  kind: TokenKind,
  secrets: TokenSecrets,
  token: unknown,
  options: VerifyOptions,
): TypedToken<z.infer<S>> {
  const verified = verifyToken(secrets, token, options);
  if (verified.claims.kind !== kind) {
    throw SharedErrors.create('TOKEN_WRONG_KIND', `expected a ${kind} token`, {
      details: { expected: kind, actual: String(verified.claims.kind) },
    });
  }
  const claims = schema.safeParse(verified.claims);
  if (!claims.success) {
    throw SharedErrors.create('TOKEN_MALFORMED', undefined, { details: { reason: `invalid ${kind} claims` } });
  }
  return { claims: claims.data, exp: verified.exp, nonce: verified.nonce };
}

export function signPlaybackToken(
  secrets: TokenSecrets,
  claims: Omit<PlaybackClaims, 'kind'>,
  options: SignOptions,
): string {
  return signTyped(playbackClaimsSchema, secrets, { kind: 'playback', ...claims }, options);
}

export function verifyPlaybackToken(secrets: TokenSecrets, token: unknown, options: VerifyOptions): TypedToken<PlaybackClaims> {
  return verifyTyped(playbackClaimsSchema, 'playback', secrets, token, options);
}

export function signSessionToken(secrets: TokenSecrets, claims: Omit<SessionClaims, 'kind'>, options: SignOptions): string {
  return signTyped(sessionClaimsSchema, secrets, { kind: 'session', ...claims }, options);
}

export function verifySessionToken(secrets: TokenSecrets, token: unknown, options: VerifyOptions): TypedToken<SessionClaims> {
  return verifyTyped(sessionClaimsSchema, 'session', secrets, token, options);
}
