/**
 * A ladder run: one ffmpeg that decodes the source once and encodes several renditions, segments
 * [from, until) of each, one output per rendition. The decoded video is `split` before any filter, so
 * each output has its own chain (`videoFilter`: frame rate, size, …) and renditions may differ in
 * frame rate, size, profile and audio bit rate; the audio is `asplit` for every output that carries
 * it. Each output gets what a single run of its rendition gets (encoder, keyframes, frame count,
 * `-t`, offset): only where the frames come from differs, so its segments are the same in timing.
 *
 * Output k is written to `pipe:1` (k = 0) or `pipe:k+2` (file descriptors 3, 4, …).
 * All outputs share one `-ss`: the renditions of a ladder run must start at the same source time
 * (`ladderGroupKey`).
 */
import { compare, formatSeconds, forceKeyFramesArgument, seekTime, type AudioRung, type Rational, type SegmentPlan, type VideoPlan, type VideoRung, type X264Preset } from '@kiln/shared';
import {
  audioEncoderArgs, checkRange, inputArgs, mappedAudio, outputArgs, videoEncoderArgs, videoFilter,
  type InputSpec, type RunSpec,
} from './ffmpeg-args.js';
import type { TranscodeFacts } from './transcode-facts.js';

/** One rendition of a ladder run. */
export interface LadderOutput {
  readonly rung: VideoRung | AudioRung;
  readonly plan: SegmentPlan;
}

export interface LadderSpec {
  readonly input: InputSpec;
  readonly facts: TranscodeFacts;
  readonly outputs: readonly LadderOutput[];
  /** First segment of every output. */
  readonly from: number;
  /** Segment every output stops before (exclusive). */
  readonly until: number;
  readonly preset?: X264Preset;
  /** Encoder threads of each output; 0 lets x264 choose. */
  readonly threads: number;
}

/** The file descriptor output `k` is written to. */
export function ladderOutputFd(k: number): number {
  return k === 0 ? 1 : k + 2;
}

/** Where a run of `plan` from segment `from` seeks: outputs run together only when it is the same. */
export function ladderGroupKey(plan: SegmentPlan, from: number, until: number): string {
  return `${from}:${until}:${formatSeconds(seekTime(plan, from))}`;
}

/** The single-run spec of output k: the encoder, keyframe and output arguments come from it. */
export function outputSpec(spec: LadderSpec, output: LadderOutput): RunSpec {
  const { input, facts, from, until, threads, preset } = spec;
  return { input, facts, rung: output.rung, plan: output.plan, from, until, threads, ...(preset === undefined ? {} : { preset }) };
}

const isVideo = (spec: RunSpec): boolean => spec.rung.kind === 'video' && spec.plan.kind === 'video';

/**
 * `[0:v]split` into one chain per distinct filter chain (renditions of one size and frame rate that
 * differ only in encoder share theirs), each chain `split` again into its outputs' `[v k]`; and
 * `[0:a]asplit` into `[a k]` for every output that carries audio.
 */
function filterGraph(facts: TranscodeFacts, specs: readonly RunSpec[]): string {
  const { video, audio } = facts;
  const chains = new Map<string, number[]>();
  specs.forEach(({ rung, plan }, k) => {
    if (rung.kind !== 'video' || plan.kind !== 'video') return;
    if (video === undefined) throw new RangeError('a video rendition needs a source with video');
    const chain = videoFilter(video, rung, plan.frameRate);
    chains.set(chain, [...(chains.get(chain) ?? []), k]);
  });
  const graph: string[] = [];
  if (video !== undefined && chains.size > 0) {
    const groups = [...chains.entries()];
    graph.push(`[0:${video.index}]split=${groups.length}${groups.map((_, g) => `[vs${g}]`).join('')}`);
    groups.forEach(([chain, outputs], g) => graph.push(`[vs${g}]${chain},split=${outputs.length}${outputs.map((k) => `[v${k}]`).join('')}`));
  }
  const audioOutputs = specs.flatMap((spec, k) => (mappedAudio(spec) === undefined ? [] : [k]));
  if (audio !== undefined && audioOutputs.length > 0) {
    graph.push(`[0:${audio.index}]asplit=${audioOutputs.length}${audioOutputs.map((k) => `[a${k}]`).join('')}`);
  }
  return graph.join(';');
}

/** Output k: its streams, their encoders, then where and when it ends (as a single run of it). */
function outputOf(spec: RunSpec, k: number): string[] {
  const target = `pipe:${ladderOutputFd(k)}`;
  const audio = mappedAudio(spec) === undefined ? [] : ['-map', `[a${k}]`, ...audioEncoderArgs(spec.rung.audioBitrate)];
  if (!isVideo(spec)) {
    if (audio.length === 0) throw new RangeError(`output ${k} of a ladder run has no stream`);
    return [...audio, ...outputArgs(spec, true, target)];
  }
  const keyframes = forceKeyFramesArgument(spec.plan as VideoPlan, spec.from, spec.until);
  return ['-map', `[v${k}]`, ...videoEncoderArgs(spec, spec.rung as VideoRung, keyframes), ...audio, ...outputArgs(spec, false, target)];
}

/** The seek of every output, which must be one. */
function commonStart(specs: readonly RunSpec[]): Rational {
  const starts = specs.map((spec) => seekTime(spec.plan, spec.from));
  const start = starts[0];
  if (starts.some((other) => compare(other, start) !== 0)) throw new RangeError('the outputs of a ladder run must start at the same source time');
  return start;
}

/** The whole command line (less the binary) of a ladder run. */
export function ladderArgs(spec: LadderSpec): string[] {
  if (spec.outputs.length === 0) throw new RangeError('a ladder run needs an output');
  const specs = spec.outputs.map((output) => outputSpec(spec, output));
  for (const each of specs) checkRange(each);
  return [
    ...inputArgs(spec.input, commonStart(specs)),
    '-filter_complex', filterGraph(spec.facts, specs),
    ...specs.flatMap(outputOf),
  ];
}
