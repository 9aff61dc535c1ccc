/**
 * Where the segmenter cuts, in the 90 kHz PTS of a run's output. Every run carries source time
 * shifted by BASE (`-output_ts_offset BASE+S`), so segment k's first frame has the same PTS in
 * every run: round((BASE + start_k) · 90000). The cut boundary sits half a frame before it, so a
 * PTS rounded one tick low still opens its segment, and the previous frame (a whole frame earlier)
 * never does.
 */
import {
  boundarySecond, firstFrameAtOrAfter, periodsOf, rational, subtract,
  type Rational, type SegmentPlan,
} from '@kiln/shared';
import { CLOCK_HZ } from '@kiln/segmenter';
import { AAC_FRAME, BASE_OFFSET_SECONDS } from './ffmpeg-args.js';

const BASE = rational(BASE_OFFSET_SECONDS);

/** Start of segment k on the plan's grid, also past the plan's end (the segmenter asks one beyond). */
export function gridStart(plan: SegmentPlan, k: number): Rational {
  const second = boundarySecond(k);
  return plan.kind === 'video' ? periodsOf(firstFrameAtOrAfter(second, plan.frameRate), plan.frameRate) : rational(second);
}

/** Seconds → 90 kHz ticks, rounded as ffmpeg rescales (half away from zero). */
export function toTicks(seconds: Rational): number {
  const scaled = 2n * BigInt(seconds.num) * BigInt(CLOCK_HZ);
  const den = 2n * BigInt(seconds.den);
  const ticks = seconds.num < 0 ? -((-scaled + BigInt(seconds.den)) / den) : (scaled + BigInt(seconds.den)) / den;
  return Number(ticks);
}

/** The PTS segment k's first access unit carries in any run. */
export function expectedStartTicks(plan: SegmentPlan, k: number): number {
  return toTicks(subtract(gridStart(plan, k), subtract(rational(0), BASE)));
}

/** One frame in ticks (rounded down), or one AAC frame at 48 kHz for audio plans. */
export function frameTicks(plan: SegmentPlan): number {
  const frame = plan.kind === 'video' ? { num: plan.frameRate.den, den: plan.frameRate.num } : AAC_FRAME;
  return Math.floor((CLOCK_HZ * frame.num) / frame.den);
}

/**
 * boundaryPts for the segmenter: half a frame before each segment's first PTS (video); one AAC
 * frame before the boundary (audio), because the encoder's priming frame puts a run's first packet
 * exactly that much early, and it must open the run's first segment, not make one before it.
 */
export function segmenterBoundary(plan: SegmentPlan): (k: number) => number {
  const lead = plan.kind === 'video' ? Math.floor(frameTicks(plan) / 2) : frameTicks(plan);
  return (k) => expectedStartTicks(plan, k) - lead;
}
