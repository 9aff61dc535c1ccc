/** The single-range subset of HTTP Range (RFC 9110 §14) that ffmpeg's http protocol sends. Pure. */

export type RangeRequest =
  | { readonly kind: 'whole' }
  /** `end` is exclusive. */
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-n` against a resource of `size` bytes. A header we do not
 * understand (several ranges, another unit) is ignored, as the RFC allows: the whole body is sent.
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size : Math.min(size, Number(last) + 1);
  if (end <= start) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

/** `Content-Range` for a 206 (`end` exclusive) or a 416. */
export function contentRange(range: { start: number; end: number } | undefined, size: number): string {
  return range === undefined ? `bytes */${size}` : `bytes ${range.start}-${range.end - 1}/${size}`;
}
