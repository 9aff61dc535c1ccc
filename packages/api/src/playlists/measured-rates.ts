/**
 * AVERAGE-BANDWIDTH from what the cache holds. The model in `bandwidth.ts` predicts a rendition's
 * average before any encode, and easy content misses it: x264 spends less than its bitrate on still
 * pictures (with B-frames, a static picture takes a tenth of it), and ffmpeg's AAC encoder writes a
 * few kbit/s for quiet or narrow-band audio whatever `-b:a` says. Once a rendition has enough
 * seconds cached (its pinned opening: the first 7 s, or the whole of a short video), the master
 * declares what their bytes predict for the whole (never above the declared peak): cached segments
 * count as they weigh, the others at the rate of the cached ones after segment 0. Segment 0 says
 * little of the rest: a split run's first output makes it without B-frames or lookahead, at a
 * faster preset (the worker's `transcode/split-args.ts`), and an opening often fades in.
 * BANDWIDTH stays the rate-control bound (a peak is not learnable from the first seconds) unless
 * every segment is cached.
 */
import { peakSegmentBitrate, segmentAt, targetDuration, toNumber, type MeasuredSegment, type SegmentCacheEntry, type SegmentPlan } from '@kiln/shared';
import type { Rendition } from './renditions.js';

/** Seconds of cached segments a measured average needs (the pinned opening is 2 + 2 + 3 s). */
export const MIN_MEASURED_SECONDS = 7;

/** Every segment of the plan is cached: what they weigh is the whole rendition, peak included. */
function wholeSegments(plan: SegmentPlan, cached: ReadonlyMap<number, Pick<SegmentCacheEntry, 'bytes'>>): MeasuredSegment[] | undefined {
  const segments: MeasuredSegment[] = [];
  for (let index = 0; index < plan.segments.length; index += 1) {
    const entry = cached.get(index);
    if (entry === undefined) return undefined;
    segments.push({ bytes: entry.bytes, duration: toNumber(segmentAt(plan, index).duration) });
  }
  return segments;
}

/** Bytes and seconds of the cached segments, and seconds of the others, for `predictedAverage`. */
interface Split {
  cached: { bytes: number; seconds: number };
  /** Cached segments after the first: the rate the uncached ones are predicted at. */
  later: { bytes: number; seconds: number };
  uncachedSeconds: number;
}

function split(plan: SegmentPlan, cached: ReadonlyMap<number, Pick<SegmentCacheEntry, 'bytes'>>): Split {
  const result: Split = { cached: { bytes: 0, seconds: 0 }, later: { bytes: 0, seconds: 0 }, uncachedSeconds: 0 };
  plan.segments.forEach((_, index) => {
    const seconds = toNumber(segmentAt(plan, index).duration);
    const entry = cached.get(index);
    if (entry === undefined) {
      result.uncachedSeconds += seconds;
      return;
    }
    for (const span of index === 0 ? [result.cached] : [result.cached, result.later]) {
      span.bytes += entry.bytes;
      span.seconds += seconds;
    }
  });
  return result;
}

/** Bit/s over the whole rendition: cached segments as they weigh, the rest at the later cached ones' rate. */
function predictedAverage({ cached, later, uncachedSeconds }: Split): number {
  const rate = later.seconds > 0 ? (later.bytes * 8) / later.seconds : (cached.bytes * 8) / cached.seconds;
  return (cached.bytes * 8 + rate * uncachedSeconds) / (cached.seconds + uncachedSeconds);
}

/**
 * The rendition with the average its cached segments predict, when they span enough of it; else as
 * modelled. When every segment is cached (a short video's pinned opening), the peak they measure
 * is declared too when it is above the model's: over a video shorter than the rate control's
 * buffer, one IDR frame and the stream tables outweigh any VBV bound.
 */
export function withMeasuredAverage<R extends Rendition>(rendition: R, cached: ReadonlyMap<number, Pick<SegmentCacheEntry, 'bytes'>>): R {
  const parts = split(rendition.plan, cached);
  const whole = wholeSegments(rendition.plan, cached);
  if (parts.cached.seconds <= 0 || (parts.cached.seconds < MIN_MEASURED_SECONDS && whole === undefined)) return rendition;
  const measured = Math.max(1, Math.ceil(predictedAverage(parts)));
  const wholePeak = whole === undefined ? 0 : Math.ceil(peakSegmentBitrate(whole, targetDuration(rendition.plan)) ?? measured);
  const { bandwidth } = rendition.rung;
  const peak = Math.max(bandwidth.peak, wholePeak);
  return { ...rendition, rung: { ...rendition.rung, bandwidth: { peak, average: Math.min(peak, measured) } } };
}
