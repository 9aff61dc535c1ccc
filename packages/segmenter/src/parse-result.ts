/**
 * Every parser answers one of three ways: a value, "give me more bytes", or "this is not valid".
 * `invalid` carries a stable code so callers can count and log it without string matching.
 */
import type { SegmenterErrorCode } from './errors.js';

export type ParseResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'need-more-data'; readonly needed: number }
  | { readonly kind: 'invalid'; readonly code: SegmenterErrorCode; readonly reason: string };

export const ok = <T>(value: T): ParseResult<T> => ({ kind: 'ok', value });

/** `needed` is the total byte count the parser wants to see, when it knows it (else 0). */
export const needMoreData = <T>(needed = 0): ParseResult<T> => ({ kind: 'need-more-data', needed });

export const invalid = <T>(code: SegmenterErrorCode, reason: string): ParseResult<T> => ({
  kind: 'invalid',
  code,
  reason,
});
