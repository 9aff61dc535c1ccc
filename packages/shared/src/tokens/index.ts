export { constantTimeEqual, decodeBase64url, encodeBase64url } from './encoding.js';
export type { Claims, SignOptions, TokenSecrets, VerifiedToken, VerifyOptions } from './token.js';
export { MAX_TOKEN_LENGTH, MIN_SECRET_BYTES, keyId, signToken, verifyToken } from './token.js';
export type { PlaybackClaims, SessionClaims, TokenKind, TypedToken } from './kinds.js';
export {
  playbackClaimsSchema,
  sessionClaimsSchema,
  signPlaybackToken,
  signSessionToken,
  verifyPlaybackToken,
  verifySessionToken,
} from './kinds.js';
