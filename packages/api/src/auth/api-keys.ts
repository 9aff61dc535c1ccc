/**
 * API keys as text: `kiln_` and 32 random bytes in base64url. Only their SHA-256 is ever stored
 * or compared, so a leaked store or log gives nobody a usable key.
 */
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'kiln_';
const KEY_BYTES = 32;
/** Printable ASCII without spaces, bounded: anything else in a bearer header is not a key of ours. */
const PLAUSIBLE_KEY = /^[\x21-\x7e]{16,256}$/;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/** A key id shown in lists and used to revoke: random, unrelated to the key's bytes. */
export function generateKeyId(): string {
  return `key_${randomBytes(6).toString('hex')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type BearerCredential =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'key'; readonly key: string };

/** The credential of an `Authorization` header: `Bearer <key>` (RFC 6750), scheme case-insensitive. */
export function bearerCredential(header: string | undefined): BearerCredential {
  if (header === undefined || header === '') return { kind: 'absent' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (match === null || !PLAUSIBLE_KEY.test(match[1])) return { kind: 'malformed' };
  return { kind: 'key', key: match[1] };
}
