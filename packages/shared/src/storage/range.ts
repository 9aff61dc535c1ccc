import { SharedErrors } from '../errors.js';
import type { ByteRange } from './types.js';

/** A range with both ends known, inclusive, inside an object of known size. */
export interface ResolvedRange {
  readonly start: number;
  readonly end: number;
}

/** Rejects ranges no object could satisfy (negative, fractional, end before start). */
export function assertRangeShape(range: ByteRange): void {
  const { start, end } = range;
  const startOk = Number.isSafeInteger(start) && start >= 0;
  const endOk = end === undefined || (Number.isSafeInteger(end) && end >= start);
  if (!startOk || !endOk) {
    throw SharedErrors.create('STORAGE_INVALID_RANGE', 'the byte range is malformed', {
      details: { start, end },
    });
  }
}

/**
 * The bytes a range selects in an object of `size` bytes. Like HTTP (and S3), an end past the
 * last byte is cut to the last byte; a start at or past the end selects nothing and is an error.
 */
export function resolveRange(range: ByteRange, size: number): ResolvedRange {
  assertRangeShape(range);
  if (range.start >= size) {
    throw SharedErrors.create('STORAGE_INVALID_RANGE', 'the byte range starts past the end of the object', {
      details: { start: range.start, end: range.end, size },
    });
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The HTTP Range header for a range (RFC 9110 14.1.2). */
export function toHttpRange(range: ByteRange): string {
  assertRangeShape(range);
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** The parts of a `Content-Range: bytes 0-99/1234` response header. */
export interface ContentRange {
  readonly start: number;
  readonly end: number;
  readonly size: number | undefined;
}

export function parseContentRange(header: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const [, start, end, size] = match;
  return { start: Number(start), end: Number(end), size: size === '*' ? undefined : Number(size) };
}

/**
 * How many of the bytes a server sent for `requested` to keep: undefined for all of them, a
 * count when it sent more than asked (s3rver answers `bytes=0-0` with the whole object).
 * Bytes that start elsewhere cannot be repaired: that is STORAGE_FAILED, never wrong data.
 */
export function bytesToKeep(requested: ByteRange, contentRange: string | undefined): number | undefined {
  // No Content-Range: the server sent the whole object, which starts at 0.
  const served = parseContentRange(contentRange) ?? { start: 0, end: Number.POSITIVE_INFINITY, size: undefined };
  if (served.start !== requested.start) {
    throw SharedErrors.create('STORAGE_FAILED', 'the storage server answered a different byte range', {
      details: { requested, contentRange },
    });
  }
  if (requested.end === undefined || served.end <= requested.end) return undefined;
  return requested.end - requested.start + 1;
}
