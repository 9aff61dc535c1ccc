/**
 * The segment schedule (docs/architecture.md "Segments"): durations 2,2,3,3,4,4 then 5 s repeated, boundaries
 * on whole seconds, the same for every rendition. With a constant frame rate the frame that opens
 * each segment is known before any encode, so every EXTINF is exact to the frame up front.
 */
import { LRUCache } from 'lru-cache';
import type { Rational, Seconds } from './rational.js';
import { ceil, compare, isPositive, multiply, periodsOf, rational, round, subtract, toNumber, toRational } from './rational.js';

/** Lengths of the first segments; after them every segment is STEADY_SEGMENT_SECONDS long. */
export const RAMP_SEGMENT_SECONDS: readonly number[] = Object.freeze([2, 2, 3, 3, 4, 4]);
export const STEADY_SEGMENT_SECONDS = 5;
/** Samples in one AAC-LC frame: the smallest piece of audio a segment can hold. */
export const AAC_FRAME_SAMPLES = 1024;
/** Frame rates outside this range are refused: below 1 fps two boundaries could share a frame. */
export const MIN_FRAME_RATE = 1;
export const MAX_FRAME_RATE = 1000;

const RAMP_BOUNDARIES: readonly number[] = RAMP_SEGMENT_SECONDS.reduce<number[]>(
  (starts, length) => [...starts, (starts.at(-1) ?? 0) + length],
  [0],
);
const STEADY_FROM_SECOND = RAMP_BOUNDARIES.at(-1) ?? 0;

interface SegmentTimes {
  /** Dense, from 0. */
  readonly index: number;
  /** t_k: the whole second the segment belongs to on the shared schedule. */
  readonly boundary: number;
  /** Exact start: the first frame's time for video (≥ boundary), the boundary itself for audio. */
  readonly start: Rational;
  readonly duration: Rational;
  readonly end: Rational;
}

export interface VideoSegment extends SegmentTimes {
  /** Index of the frame that opens the segment: ceil(boundary · fps). */
  readonly firstFrame: number;
  readonly frameCount: number;
}

export type AudioSegment = SegmentTimes;

export interface VideoPlan {
  readonly kind: 'video';
  readonly frameRate: Rational;
  /** The source's duration as given (video stream end, relative to its start). */
  readonly sourceDuration: Rational;
  /** Frames a CFR encode of the whole source yields (see totalFrameCount). */
  readonly totalFrames: number;
  /** totalFrames / fps: the rendition's real length, end of the last segment. */
  readonly duration: Rational;
  readonly segments: readonly VideoSegment[];
}

export interface AudioPlan {
  readonly kind: 'audio';
  readonly sourceDuration: Rational;
  readonly duration: Rational;
  readonly segments: readonly AudioSegment[];
}

export type SegmentPlan = VideoPlan | AudioPlan;

function assertIndex(k: number): void {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`segment index ${k} is not a natural number`);
}

/** t_k, the whole second at which segment k begins on the schedule. */
export function boundarySecond(k: number): number {
  assertIndex(k);
  const ramp = RAMP_BOUNDARIES[k];
  if (ramp !== undefined && k < RAMP_SEGMENT_SECONDS.length) return ramp;
  return STEADY_FROM_SECOND + STEADY_SEGMENT_SECONDS * (k - RAMP_SEGMENT_SECONDS.length);
}

/** The schedule's length for segment k before the media's end cuts it (2, 2, 3, 3, 4, 4, 5, 5 …). */
export function nominalSegmentSeconds(k: number): number {
  return boundarySecond(k + 1) - boundarySecond(k);
}

/** Refuses rates that are not positive fractions between MIN_FRAME_RATE and MAX_FRAME_RATE fps. */
export function checkFrameRate(frameRate: Rational): Rational {
  const rate = rational(frameRate.num, frameRate.den);
  if (compare(rate, rational(MIN_FRAME_RATE)) < 0 || compare(rate, rational(MAX_FRAME_RATE)) > 0) {
    throw new RangeError(`frame rate ${rate.num}/${rate.den} is outside ${MIN_FRAME_RATE}…${MAX_FRAME_RATE} fps`);
  }
  return rate;
}

function positiveDuration(duration: Seconds): Rational {
  const exact = toRational(duration);
  if (!isPositive(exact)) throw new RangeError(`duration ${toNumber(exact)} s must be positive`);
  return exact;
}

/** Index of the first frame at or after `second`: ceil(second · fps). */
export function firstFrameAtOrAfter(second: number, frameRate: Rational): number {
  return ceil(multiply(rational(second), frameRate));
}

/**
 * Frames a CFR encode of a source lasting `duration` yields: round(duration · fps), halves up.
 * That is ffmpeg 5.1's `fps` filter: its end-of-stream time is rounded to the output frame grid
 * (default `round=near`, `eof_action=round`) and it emits every grid frame before it. Checked with
 * ffmpeg 5.1 on MP4 sources at 24, 25, 50, 60 and 30000/1001 fps converted to 30000/1001, 24000/1001,
 * 25, 50 and 60 fps, including exact halves (25 fps: 1.02 s → 26 frames; 60 fps: 0.208333 s → 13).
 * `duration` is the video stream's end time (last frame's time + its duration) relative to its start;
 * pass it exactly (ffprobe's `duration_ts` over the time base) when a half could be at stake.
 */
export function totalFrameCount(duration: Seconds, frameRate: Rational): number {
  return round(multiply(toRational(duration), checkFrameRate(frameRate)));
}

function videoSegment(index: number, firstFrame: number, nextFrame: number, frameRate: Rational): VideoSegment {
  return {
    index,
    boundary: boundarySecond(index),
    firstFrame,
    frameCount: nextFrame - firstFrame,
    start: periodsOf(firstFrame, frameRate),
    duration: periodsOf(nextFrame - firstFrame, frameRate),
    end: periodsOf(nextFrame, frameRate),
  };
}

/**
 * The schedule of a video rendition encoded at a constant `frameRate`. A segment exists when at
 * least one frame starts at or after its boundary, so a source that ends on a boundary has no empty
 * last segment, and a tail shorter than half a frame has no frame of its own (the fps filter rounds
 * it away). The shortest possible last segment is one frame; it is kept, never merged, because
 * ffmpeg forces an IDR at that boundary and the segmenter cuts there like everywhere else.
 */
export function planVideoSchedule(duration: Seconds, frameRate: Rational): VideoPlan {
  const rate = checkFrameRate(frameRate);
  const sourceDuration = positiveDuration(duration);
  return remembered(`video ${keyOf(sourceDuration)} ${keyOf(rate)}`, () => makeVideoPlan(sourceDuration, rate));
}

/**
 * Plans are pure and read-only, and every segment request (worker) and playlist (API) asks for
 * one: a 2 h plan takes milliseconds of exact arithmetic to compute, so the recent ones are kept,
 * up to REMEMBERED_SEGMENTS segments in all (~210 bytes each: a 2 h plan is ~300 KiB).
 */
const REMEMBERED_SEGMENTS = 50_000;
const plans = new LRUCache<string, SegmentPlan>({ maxSize: REMEMBERED_SEGMENTS, sizeCalculation: (plan) => plan.segments.length });

function remembered<P extends SegmentPlan>(key: string, make: () => P): P {
  const known = plans.get(key) as P | undefined;
  if (known !== undefined) return known;
  const plan = make();
  plans.set(key, plan);
  return plan;
}

const keyOf = (value: Rational) => `${value.num}/${value.den}`;

function makeVideoPlan(sourceDuration: Rational, rate: Rational): VideoPlan {
  const totalFrames = totalFrameCount(sourceDuration, rate);
  if (totalFrames === 0) {
    throw new RangeError(`a ${toNumber(sourceDuration)} s source is shorter than half a frame at ${toNumber(rate)} fps`);
  }
  const firstFrames: number[] = [];
  for (let k = 0; ; k += 1) {
    const frame = firstFrameAtOrAfter(boundarySecond(k), rate);
    if (frame >= totalFrames) break;
    firstFrames.push(frame);
  }
  const segments = firstFrames.map((frame, k) => videoSegment(k, frame, firstFrames[k + 1] ?? totalFrames, rate));
  return { kind: 'video', frameRate: rate, sourceDuration, totalFrames, duration: periodsOf(totalFrames, rate), segments };
}

export interface AudioPlanOptions {
  /** Output sample rate; one AAC frame (1024 samples) is the shortest tail kept as its own segment. */
  readonly sampleRate?: number;
}

function audioSegment(index: number, start: Rational, end: Rational): AudioSegment {
  return { index, boundary: boundarySecond(index), start, duration: subtract(end, start), end };
}

/**
 * The schedule of an audio-only rendition: boundaries on whole seconds, the last segment ends at
 * the duration. A tail shorter than one AAC frame is merged into the previous segment: no audio
 * frame would start in it, so the segmenter could not open a segment there.
 */
export function planAudioSchedule(duration: Seconds, options: AudioPlanOptions = {}): AudioPlan {
  const sourceDuration = positiveDuration(duration);
  const sampleRate = options.sampleRate ?? 48_000;
  return remembered(`audio ${keyOf(sourceDuration)} ${sampleRate}`, () => makeAudioPlan(sourceDuration, sampleRate));
}

function makeAudioPlan(sourceDuration: Rational, sampleRate: number): AudioPlan {
  const shortestTail = rational(AAC_FRAME_SAMPLES, sampleRate);
  const starts: Rational[] = [];
  for (let k = 0; compare(rational(boundarySecond(k)), sourceDuration) < 0; k += 1) {
    starts.push(rational(boundarySecond(k)));
  }
  const last = starts.at(-1);
  if (starts.length > 1 && last !== undefined && compare(subtract(sourceDuration, last), shortestTail) < 0) {
    starts.pop();
  }
  const segments = starts.map((start, k) => audioSegment(k, start, starts[k + 1] ?? sourceDuration));
  return { kind: 'audio', sourceDuration, duration: sourceDuration, segments };
}

