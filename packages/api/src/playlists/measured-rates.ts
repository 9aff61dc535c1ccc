/**
 * AVERAGE-BANDWIDTH from what the cache holds. The model in `bandwidth.ts` predicts a rendition's
 * average before any encode, and easy content misses it: x264 spends less than its bitrate on still
 * pictures, and ffmpeg's AAC encoder writes a few kbit/s for quiet or narrow-band audio whatever
 * `-b:a` says. Once a rendition has enough seconds cached (its pinned opening: the first 7 s, or
 * the whole of a short video), their bytes say what it carries, and the master declares that
 * (never above the declared peak). BANDWIDTH stays the rate-control bound: a peak is not
 * learnable from the first seconds.
 */
import { segmentAt, toNumber, type SegmentCacheEntry, type SegmentPlan } from '@kiln/shared';
import type { Rendition } from './renditions.js';

/** Seconds of cached segments a measured average needs (the pinned opening is 2 + 2 + 3 s). */
export const MIN_MEASURED_SECONDS = 7;

/** Bytes and seconds of the cached segments of one rendition. */
export function cachedSpan(plan: SegmentPlan, cached: ReadonlyMap<number, Pick<SegmentCacheEntry, 'bytes'>>): { bytes: number; seconds: number } {
  let bytes = 0;
  let seconds = 0;
  for (const [index, entry] of cached) {
    if (index < 0 || index >= plan.segments.length) continue;
    bytes += entry.bytes;
    seconds += toNumber(segmentAt(plan, index).duration);
  }
  return { bytes, seconds };
}

/** The rendition with the average its cached segments measure, when they span enough of it; else as modelled. */
export function withMeasuredAverage<R extends Rendition>(rendition: R, cached: ReadonlyMap<number, Pick<SegmentCacheEntry, 'bytes'>>): R {
  const { bytes, seconds } = cachedSpan(rendition.plan, cached);
  const whole = rendition.plan.segments.length;
  if (seconds <= 0 || (seconds < MIN_MEASURED_SECONDS && cached.size < whole)) return rendition;
  const { bandwidth } = rendition.rung;
  const average = Math.min(bandwidth.peak, Math.max(1, Math.ceil((bytes * 8) / seconds)));
  return { ...rendition, rung: { ...rendition.rung, bandwidth: { ...bandwidth, average } } };
}
