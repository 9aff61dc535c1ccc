/**
 * Questions the API and the worker ask of a plan: which segment, which time, which keyframes.
 */
import type { Rational, Seconds } from './rational.js';
import { compare, formatDecimal, formatShortDecimal, parseRational, periodsOf, round, toNumber } from './rational.js';
import type { AudioSegment, SegmentPlan, VideoPlan, VideoSegment } from './segment-schedule.js';
import { firstFrameAtOrAfter } from './segment-schedule.js';

/** Digits after the point in EXTINF and in times handed to ffmpeg (it parses microseconds). */
export const TIME_DECIMALS = 6;

const ZERO: Rational = { num: 0, den: 1 };

export function segmentAt(plan: VideoPlan, k: number): VideoSegment;
export function segmentAt(plan: SegmentPlan, k: number): VideoSegment | AudioSegment;
export function segmentAt(plan: SegmentPlan, k: number): VideoSegment | AudioSegment {
  const segment = Number.isSafeInteger(k) ? plan.segments[k] : undefined;
  if (segment === undefined) {
    throw new RangeError(`segment ${k} is outside 0…${plan.segments.length - 1}`);
  }
  return segment;
}

function startsAtOrBefore(start: Rational, time: Seconds): boolean {
  // A float is compared with the float nearest the start, so `segment.start` turned into a number
  // (10.01 for 300 frames at 29.97 fps) finds its own segment although 10.01 is not exact in binary.
  return typeof time === 'number' ? toNumber(start) <= time : compare(start, time) <= 0;
}

/**
 * The segment that plays at `time` (the last one starting at or before it), or undefined before 0
 * or from the plan's end on. For video, a time between a boundary and its first frame belongs to
 * the previous segment, whose last frame is still on screen.
 */
export function segmentIndexForTime(plan: SegmentPlan, time: Seconds): number | undefined {
  const { segments } = plan;
  if (!startsAtOrBefore(ZERO, time) || startsAtOrBefore(plan.duration, time)) {
    return undefined;
  }
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const segment = segments[middle];
    if (segment !== undefined && startsAtOrBefore(segment.start, time)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The EXTINF value of a segment, exact to the microsecond: `2.002000`. */
export function extinf(segment: VideoSegment | AudioSegment): string {
  return formatDecimal(segment.duration, TIME_DECIMALS);
}

/**
 * EXT-X-TARGETDURATION: the largest EXTINF as written, rounded to the nearest integer
 * (RFC 8216 4.3.3.1), at least 1. Rounding the written text, not the exact value, keeps the
 * rule true for what players read.
 */
export function targetDuration(plan: SegmentPlan): number {
  return plan.segments.reduce((largest, segment) => Math.max(largest, round(parseRational(extinf(segment)))), 1);
}

/** S, where a run that produces segment k starts (`-ss S` before `-i`): its first frame's time. */
export function seekTime(plan: SegmentPlan, k: number): Rational {
  return segmentAt(plan, k).start;
}

/** Seconds as ffmpeg options take them (`-ss`, `-output_ts_offset`): `10.01`, `0.967633`. */
export function formatSeconds(value: Rational): string {
  return formatShortDecimal(value, TIME_DECIMALS);
}

/**
 * Keyframe times for a run starting at segment `fromSegment`, relative to its start S: the first
 * frame of every whole second on the global grid (ceil(s · fps)), from the segment's boundary up to
 * `untilSegment` (exclusive; default: the end). A second whose first frame is the same as the
 * previous second's (below 1 fps) is listed once.
 */
export function keyframeTimes(plan: VideoPlan, fromSegment: number, untilSegment = plan.segments.length): Rational[] {
  const first = segmentAt(plan, fromSegment);
  if (!Number.isSafeInteger(untilSegment) || untilSegment <= fromSegment || untilSegment > plan.segments.length) {
    throw new RangeError(`untilSegment ${untilSegment} must be in ${fromSegment + 1}…${plan.segments.length}`);
  }
  const stopFrame = plan.segments[untilSegment]?.firstFrame ?? plan.totalFrames;
  const times: Rational[] = [];
  let previousFrame = -1;
  for (let second = first.boundary; ; second += 1) {
    const frame = firstFrameAtOrAfter(second, plan.frameRate);
    if (frame >= stopFrame) break;
    if (frame !== previousFrame) times.push(periodsOf(frame - first.firstFrame, plan.frameRate));
    previousFrame = frame;
  }
  return times;
}

/**
 * The `-force_key_frames` value for keyframeTimes. Each time is rounded to the microsecond and
 * ffmpeg rounds it to the nearest frame of the output grid, so it lands on the intended frame.
 * Mind Linux's 128 KiB limit for one argument: about 3 h of list; longer runs must be split.
 */
export function forceKeyFramesArgument(plan: VideoPlan, fromSegment: number, untilSegment?: number): string {
  return keyframeTimes(plan, fromSegment, untilSegment).map(formatSeconds).join(',');
}
