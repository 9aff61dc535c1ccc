/**
 * Boundaries from a list of durations: [2,2,3,3,4,4,5] means 2,2,3,3,4,4 then 5 repeated.
 * The worker passes its own boundaries from the shared schedule; this serves the CLI and tests.
 */
import { SegmenterError } from './errors.js';
import { CLOCK_HZ } from './ts/timestamp.js';

export function secondsToTicks(seconds: number): number {
  return Math.round(seconds * CLOCK_HZ);
}

/** Returns boundaryPts(k): the start of segment k in ticks from 0 (the last duration repeats). */
export function boundariesFromDurations(durationsSeconds: readonly number[], offsetTicks = 0): (k: number) => number {
  if (durationsSeconds.length === 0 || durationsSeconds.some((d) => !(d > 0) || !Number.isFinite(d))) {
    throw new SegmenterError('INVALID_SCHEDULE', 'durations must be positive, finite numbers', { durationsSeconds });
  }
  const starts = [0];
  for (const d of durationsSeconds) starts.push(starts[starts.length - 1] + d);
  const lastStart = starts[durationsSeconds.length - 1];
  const repeat = durationsSeconds[durationsSeconds.length - 1];
  return (k: number): number => {
    const seconds = k < starts.length - 1 ? starts[k] : lastStart + (k - (durationsSeconds.length - 1)) * repeat;
    return offsetTicks + secondsToTicks(seconds);
  };
}
