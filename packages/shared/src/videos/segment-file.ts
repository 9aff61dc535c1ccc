/**
 * A segment's file name, `{n}.ts`: the last part of its URL in a variant playlist, of the API's and
 * the worker's segment routes, and of its object key in the cache. One rule both ways, so a name one
 * side builds the other accepts, and each number has one name (`7.ts`, never `007.ts` or `7e0.ts`).
 */

/** Nine digits: more segments than any video has (a billion 2-second segments last 63 years). */
export const MAX_SEGMENT_NUMBER = 999_999_999;

/** Canonical decimal: no sign, no leading zero, no exponent, at most nine digits. */
const SEGMENT_FILE = /^(0|[1-9][0-9]{0,8})\.ts$/;

/** Segment `index`'s file name; a RangeError for a number no name may carry. */
export function segmentFileName(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_SEGMENT_NUMBER) {
    throw new RangeError(`${index} is not a segment number (an integer from 0 to ${MAX_SEGMENT_NUMBER})`);
  }
  return `${index}.ts`;
}

/** The segment number a file name carries, or undefined when it is not a segment's name. */
export function parseSegmentFileName(name: string): number | undefined {
  const digits = SEGMENT_FILE.exec(name)?.[1];
  return digits === undefined ? undefined : Number(digits);
}
