/**
 * Playback signing keys written as `KEYID:SECRET` (docs/architecture.md "Tokens"): the API reads a
 * list of them from KILN_PLAYBACK_SIGNING_KEYS, an application's backend holds one and signs
 * playback links with it. Problems name the key id or the entry's place, never the secret.
 */
import { z } from 'zod';
import { KEY_ID_PATTERN, MIN_SECRET_BYTES, type SigningKey } from './token.js';

export type SigningKeyReading = { readonly key: SigningKey } | { readonly problem: string };

/** One `KEYID:SECRET` (the secret is everything after the first colon). */
export function readSigningKey(text: string): SigningKeyReading {
  const colon = text.indexOf(':');
  if (colon < 0) return { problem: 'must be KEYID:SECRET' };
  const id = text.slice(0, colon).trim();
  const secret = text.slice(colon + 1).trim();
  if (!KEY_ID_PATTERN.test(id)) return { problem: 'the key id must be 1 to 32 characters of A-Z a-z 0-9 _ -' };
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    return { problem: `the secret of key ${JSON.stringify(id)} must be at least ${MIN_SECRET_BYTES} bytes` };
  }
  return { key: { id, secret } };
}

/** Comma-separated `KEYID:SECRET` pairs, each id once, for a setting. */
export const signingKeysSchema = () =>
  z.string().transform((value, ctx): SigningKey[] => {
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one KEYID:SECRET' });
    const keys: SigningKey[] = [];
    entries.forEach((entry, index) => {
      const reading = readSigningKey(entry);
      if ('problem' in reading) ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${reading.problem}` });
      else if (keys.some((key) => key.id === reading.key.id)) {
        ctx.addIssue({ code: 'custom', message: `key id ${JSON.stringify(reading.key.id)} is listed twice` });
      } else keys.push(reading.key);
    });
    return keys;
  });
