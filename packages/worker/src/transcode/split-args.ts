/**
 * A video run whose first segment a client is waiting for, as one ffmpeg with two outputs. The
 * decoded, scaled frames are split after the filters: the first segment, plus the next segment's
 * first frame (an IDR, so the segmenter sees the segment end), go to an x264 without lookahead or
 * B-frames on file descriptor 3 (the first-segment output); the rest go to the usual encoder on
 * stdout (the main output).
 *
 * Why: x264's lookahead and B-frames hold ~15 frames, so in a single output the first segment waits
 * for frames past its end; a second, short ffmpeg for it decodes the source's GOP twice and costs a
 * process start. The first output's encoder holds only a frame per frame thread but one, and those
 * few frames past the IDR are fed to it (then dropped by the worker) so the IDR comes out at once;
 * nothing is decoded twice. Only the first output's segment is encoded without B-frames.
 * The first output's audio runs FIRST_OUTPUT_AUDIO_MARGIN past the boundary:
 * the AAC encoder keeps its last frames until more samples come, and the muxer lets the closing IDR
 * out only once it has audio at least as late.
 */
import {
  add, compare, forceKeyFramesArgument, formatSeconds, rational, seekTime,
  type Rational, type VideoPlan, type VideoRung,
} from '@kiln/shared';
import type { TranscodeAudio, TranscodeVideo } from './transcode-facts.js';
import {
  audioEncoderArgs, audioPreloadArgs, BULK_OUTPUT, checkRange, inputArgs, mappedAudio, muxArgs, outputBFrames, outputOffset, runDuration,
  runFrameCount, stopTime, videoEncoderArgs, videoFilter, type RunSpec,
} from './ffmpeg-args.js';

/** The file descriptor of the first-segment output (`pipe:3`). */
const FIRST_OUTPUT_FD = 3;
/** Audio the first output encodes past its segment's end (~12 AAC frames; the encoder and muxer need ~2). */
const FIRST_OUTPUT_AUDIO_MARGIN: Rational = rational(1, 4);
/** Frame threads of the first output's x264 when the spec does not say (`firstOutputThreadsFor`). */
const DEFAULT_FIRST_OUTPUT_THREADS = 2;
/** Audio declared to end this soon after the first output's would not let its segment close early. */
const AUDIO_END_SLACK: Rational = rational(1, 2);

/**
 * The first output's segment closes only once the muxer has audio past the boundary, so the audio must
 * cover the boundary and the margin after it: where the source says it starts later or ends
 * sooner, the run gets one output. (Where it does not say, the run's spool bound catches it.)
 */
function audioCoversFirstSegment(audio: TranscodeAudio | undefined, boundary: Rational): boolean {
  if (audio === undefined) return true;
  const start = audio.delay ?? rational(0);
  if (compare(start, boundary) > 0) return false;
  return audio.duration === undefined || compare(add(start, audio.duration), add(add(boundary, FIRST_OUTPUT_AUDIO_MARGIN), AUDIO_END_SLACK)) >= 0;
}

/**
 * Frame threads of the first output's x264: one per CPU, at least 2 and at most 4 (each thread holds a
 * frame, which the first output is fed past its IDR, encoded and dropped).
 */
export function firstOutputThreadsFor(cpus: number): number {
  return Math.min(4, Math.max(2, Math.floor(cpus)));
}

interface SplitSpec extends RunSpec {
  readonly rung: VideoRung;
  readonly plan: VideoPlan;
  readonly video: TranscodeVideo;
}

/**
 * The spec narrowed for a split, or undefined when the run is better as one output: audio-only, a
 * single segment, or a source whose audio is known not to cover the first output's boundary (its segment
 * would then close only when ffmpeg ends).
 */
export function splittable(spec: RunSpec): SplitSpec | undefined {
  const { rung, plan, facts } = spec;
  if (rung.kind !== 'video' || plan.kind !== 'video' || facts.video === undefined) return undefined;
  if (spec.until - spec.from < 2) return undefined;
  if (!audioCoversFirstSegment(mappedAudio(spec), seekTime(plan, spec.from + 1))) return undefined;
  return { ...spec, rung, plan, video: facts.video };
}

/**
 * `[0:v]filters,split` → first and main video; `[0:a]asplit` → first and main audio (when mapped).
 * The first output's video ends `firstOutputVideoEnd` frames in; the main output's starts at `firstSegmentFrames`.
 */
function filterGraph(spec: SplitSpec, firstSegmentFrames: number, firstOutputVideoEnd: number, firstSegmentSeconds: Rational, firstOutputAudioEnd: Rational): string {
  const audio = mappedAudio(spec);
  return [
    `[0:${spec.video.index}]${videoFilter(spec.video, spec.rung, spec.plan.frameRate)},split=2[v_first_in][v_main_in]`,
    `[v_first_in]trim=end_frame=${firstOutputVideoEnd}[v_first]`,
    `[v_main_in]trim=start_frame=${firstSegmentFrames}[v_main]`,
    ...(audio === undefined ? [] : [
      `[0:${audio.index}]asplit=2[a_first_in][a_main_in]`,
      `[a_first_in]atrim=end=${formatSeconds(firstOutputAudioEnd)}[a_first]`,
      `[a_main_in]atrim=start=${formatSeconds(firstSegmentSeconds)}[a_main]`,
    ]),
  ].join(';');
}

/** One output of the split: its video and audio (when mapped) encoders, then `tail`; `firstOutputThreads` for the first output's. */
function outputOf(spec: SplitSpec, name: 'first' | 'main', keyframes: string, tail: readonly string[], firstOutputThreads?: number): string[] {
  const audio = mappedAudio(spec) === undefined ? [] : ['-map', `[a_${name}]`, ...audioEncoderArgs(spec.rung.audioBitrate)];
  return ['-map', `[v_${name}]`, ...videoEncoderArgs(spec, spec.rung, keyframes, firstOutputThreads), ...audio, ...tail];
}

/** The whole command line for a split run (see `splittable`); throws when the run is not one. */
export function splitRunArgs(runSpec: RunSpec): string[] {
  checkRange(runSpec);
  const spec = splittable(runSpec);
  if (spec === undefined) throw new RangeError(`a run from ${runSpec.from} until ${runSpec.until} of this rendition is not split`);
  const { plan, from, until } = spec;
  const firstSegmentFrames = runFrameCount(plan, from, from + 1);
  const firstSegmentSeconds = runDuration(plan, from, from + 1);
  const firstOutputAudioEnd = add(firstSegmentSeconds, FIRST_OUTPUT_AUDIO_MARGIN);
  // The next segment's IDR, then one frame per frame thread but one, which push it out of x264.
  const firstOutputThreads = spec.firstOutputThreads ?? DEFAULT_FIRST_OUTPUT_THREADS;
  const firstOutputVideoEnd = firstSegmentFrames + firstOutputThreads;
  const firstOutputVideoSeconds = rational(firstOutputVideoEnd * plan.frameRate.den, plan.frameRate.num);
  const offset = outputOffset(plan, from);
  // Each output's audio is interleaved ahead by its own encoder's DTS delay (ffmpeg-args.ts `audioPreloadArgs`).
  const preload = (firstOutput: boolean) => mappedAudio(spec) === undefined ? [] : audioPreloadArgs(outputBFrames(spec.rung, firstOutput), plan.frameRate);
  const firstOutput = outputOf(spec, 'first', forceKeyFramesArgument(plan, from, from + 2), [
    '-frames:v', String(firstOutputVideoEnd), '-t', formatSeconds(compare(firstOutputVideoSeconds, firstOutputAudioEnd) > 0 ? firstOutputVideoSeconds : firstOutputAudioEnd),
    ...muxArgs(offset, preload(true), `pipe:${FIRST_OUTPUT_FD}`),
  ], firstOutputThreads);
  const main = outputOf(spec, 'main', forceKeyFramesArgument(plan, from, until), [
    '-frames:v', String(runFrameCount(plan, from, until) - firstSegmentFrames), '-t', formatSeconds(stopTime(spec, false)), // from the run's start: both outputs share its clock
    ...muxArgs(offset, [...BULK_OUTPUT, ...preload(false)], 'pipe:1'),
  ]);
  return [...inputArgs(spec.input, seekTime(plan, from)), '-filter_complex', filterGraph(spec, firstSegmentFrames, firstOutputVideoEnd, firstSegmentSeconds, firstOutputAudioEnd), ...firstOutput, ...main];
}
