/**
 * Byte helpers for tokens: strict base64url (one spelling per byte string, so no two distinct
 * tokens verify the same) and a comparison whose time does not depend on where bytes differ.
 */
import crypto from 'node:crypto';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * The bytes of `text`, or undefined unless it is canonical unpadded base64url. Node's decoder
 * skips foreign characters and ignores the spare bits of the last character; a flipped spare bit
 * would give a different token with the same meaning, so the text must re-encode to itself.
 */
export function decodeBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * True when `a` and `b` hold the same bytes, in time that depends only on their lengths.
 * crypto.timingSafeEqual throws on unequal lengths; comparing `a` with itself keeps the work alike.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    crypto.timingSafeEqual(a, a);
    return false;
  }
  return crypto.timingSafeEqual(a, b);
}
