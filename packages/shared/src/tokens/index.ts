export { constantTimeEqual, decodeBase64url, encodeBase64url } from './encoding.js';
export type { Claims, SignOptions, SigningKey, TokenSecrets, VerifiedToken, VerifyOptions } from './token.js';
export { KEY_ID_PATTERN, MAX_TOKEN_LENGTH, MIN_SECRET_BYTES, keyId, signToken, verifyToken } from './token.js';
export type { SigningKeyReading } from './signing-keys.js';
export { readSigningKey, signingKeysSchema } from './signing-keys.js';
export type { PlaybackClaims, SessionClaims, TokenKind, TypedToken } from './kinds.js';
export {
  playbackClaimsSchema,
  sessionClaimsSchema,
  signPlaybackToken,
  signSessionToken,
  verifyPlaybackToken,
  verifySessionToken,
} from './kinds.js';
