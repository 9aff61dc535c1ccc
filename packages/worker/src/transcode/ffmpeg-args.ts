/**
 * ffmpeg arguments for one transcode run, built by pure functions (docs/architecture.md
 * "Timestamps"). A run starts at the first frame of segment `from` (`-ss S` before
 * `-i`), shifts its output to source time (`-output_ts_offset BASE+S`), forces an IDR at the first
 * frame of every whole second of the global grid, and stops where segment `until` begins.
 */
import {
  DEFAULT_X264_PRESET, DEVICE_PROFILES, PSI_PERIOD_SECONDS, fasterPreset, forceKeyFramesArgument, formatFrameRate, formatSeconds, rational, seekTime, segmentAt, subtract,
  whitelistArgs, type AudioRung, type InputWhitelist, type X264Preset, type Rational, type SegmentPlan, type VideoPlan, type VideoRung,
} from '@kiln/shared';
import type { TranscodeAudio, TranscodeFacts, TranscodeVideo } from './transcode-facts.js';

/** The constant BASE of every run's `-output_ts_offset`: keeps the first PTS clear of 0 (B-frame delay). */
export const BASE_OFFSET_SECONDS = 10;
/** The sample rate of every AAC rendition, and the length of one AAC frame (1024 samples) at it. */
export const AUDIO_SAMPLE_RATE = 48_000;
export const AAC_FRAME: Rational = rational(1024, AUDIO_SAMPLE_RATE);

/**
 * Where ffmpeg reads the source, and what it may open to do so (`MP4_DEMUXERS` and
 * `LOCAL_PROTOCOLS` or `LOOPBACK_PROTOCOLS` of `@kiln/shared`: a crafted file must not pick another demuxer).
 */
export interface InputSpec extends InputWhitelist {
  /** `pipe:0`, `file:/…`, `http://127.0.0.1:…/…`. */
  readonly url: string;
  /** True when the source comes on ffmpeg's stdin. */
  readonly stdin: boolean;
}

export interface RunSpec {
  readonly input: InputSpec;
  readonly facts: TranscodeFacts;
  readonly rung: VideoRung | AudioRung;
  readonly plan: SegmentPlan;
  /** First segment of the run. */
  readonly from: number;
  /** Segment the run stops before (exclusive); the plan's length for "to the end". */
  readonly until: number;
  readonly preset?: X264Preset;
  /** Encoder threads; 0 lets x264 choose. */
  readonly threads: number;
  /** Frame threads of a split run's first-segment output encoder (split-args.ts `firstOutputThreadsFor`); 2 when absent. */
  readonly firstOutputThreads?: number;
}

/** BASE + S as ffmpeg takes it. */
export function outputOffset(plan: SegmentPlan, from: number): Rational {
  return subtract(seekTime(plan, from), rational(-BASE_OFFSET_SECONDS));
}

/** Seconds of output a run makes: from its start to the start of `until` (or the end). */
export function runDuration(plan: SegmentPlan, from: number, until: number): Rational {
  const end = until >= plan.segments.length ? plan.duration : seekTime(plan, until);
  return subtract(end, seekTime(plan, from));
}

export function inputArgs(input: InputSpec, start: Rational): string[] {
  return [
    ...(input.stdin ? [] : ['-nostdin']),
    '-hide_banner', '-loglevel', 'error',
    ...whitelistArgs(input),
    ...(start.num === 0 ? [] : ['-ss', formatSeconds(start)]),
    '-i', input.url,
  ];
}

/**
 * Deinterlace, constant frame rate, exact even size, 8-bit 4:2:0 SDR; rotation is ffmpeg's
 * autorotate. The frames are made to fit the plan whatever the source's timing: `start_time=0`
 * repeats the first picture of a video that starts after its audio (so frame 0 is at 0, as
 * planned), and `tpad` repeats the last one until `-t` ends the run (a source whose declared length
 * is a frame or two longer than its pictures), so every run yields exactly its planned frames.
 */
export function videoFilter(video: TranscodeVideo, rung: VideoRung, frameRate: Rational): string {
  return [
    ...(video.interlaced ? ['bwdif=mode=send_frame:parity=auto:deint=all'] : []),
    `fps=${frameRate.num}/${frameRate.den}:start_time=0`,
    `scale=${rung.width}:${rung.height}:flags=bicubic`,
    ...(video.hdr ? hdrToSdr() : []),
    'format=yuv420p',
    'setsar=1',
    'tpad=stop_mode=clone:stop=-1',
  ].join(',');
}

/** PQ/HLG → BT.709 SDR with zscale + tonemap (after scaling, so it works on few pixels). */
function hdrToSdr(): string[] {
  return ['zscale=t=linear:npl=100', 'format=gbrpf32le', 'zscale=p=bt709', 'tonemap=hable:desat=0', 'zscale=t=bt709:m=bt709:r=tv'];
}

/**
 * libx264 for one rung. `firstOutputThreads` (the first segment of a split run, see split-args.ts): no
 * B-frames and no lookahead (`zerolatency`), and that many frame threads, so x264 holds only
 * `firstOutputThreads - 1` frames. Not zerolatency's slice threads: they make ffmpeg wait for each frame's
 * encode before it decodes and scales the next (more idle CPU, segment 0 later).
 * The first-segment output is also one preset faster (`fasterPreset`): a client waits for all of
 * its frames (segment 0 comes sooner, for a little less quality in its first seconds).
 */
export function videoEncoderArgs(spec: RunSpec, rung: VideoRung, keyframes: string, firstOutputThreads?: number): string[] {
  const h264 = DEVICE_PROFILES[rung.profile].h264;
  const firstOutput = firstOutputThreads !== undefined;
  const preset = spec.preset ?? DEFAULT_X264_PRESET;
  return [
    '-c:v', 'libx264', '-preset', firstOutput ? fasterPreset(preset) : preset, ...(firstOutput ? ['-tune', 'zerolatency', '-x264-params', 'sliced-threads=0'] : []),
    '-profile:v', h264.profile, '-level:v', h264.level.name,
    '-refs', String(h264.refs), '-bf', String(outputBFrames(rung, firstOutput)),
    '-b:v', String(rung.video.bitrate), '-maxrate', String(rung.video.maxrate), '-bufsize', String(rung.video.bufsize),
    '-force_key_frames', keyframes,
    '-sc_threshold', '0', '-flags', '+cgop',
    '-threads', String(firstOutputThreads ?? spec.threads),
  ];
}

function videoArgs(spec: RunSpec, video: TranscodeVideo, rung: VideoRung, plan: VideoPlan): string[] {
  return [
    '-map', `0:${video.index}`,
    '-vf', videoFilter(video, rung, plan.frameRate),
    ...videoEncoderArgs(spec, rung, forceKeyFramesArgument(plan, spec.from, spec.until)),
  ];
}

/** The source's audio when the rung has any (a rung of bitrate 0 and a silent source have none). */
export function mappedAudio(spec: RunSpec): TranscodeAudio | undefined {
  return spec.rung.audioBitrate === 0 ? undefined : spec.facts.audio;
}

export function audioEncoderArgs(bitrate: number): string[] {
  return ['-c:a', 'aac', '-b:a', String(bitrate), '-ac', '2', '-ar', String(AUDIO_SAMPLE_RATE)];
}

function audioArgs(spec: RunSpec): string[] {
  const audio = mappedAudio(spec);
  return audio === undefined ? ['-an'] : ['-map', `0:${audio.index}`, ...audioEncoderArgs(spec.rung.audioBitrate)];
}

/** Frames a video run makes: from the first frame of `from` to the first of `until` (or the plan's last). */
export function runFrameCount(plan: VideoPlan, from: number, until: number): number {
  const end = until >= plan.segments.length ? plan.totalFrames : segmentAt(plan, until).firstFrame;
  return end - segmentAt(plan, from).firstFrame;
}

/**
 * Where a run's output ends (`-t`, from the run's start): the plan's end of its last segment.
 * Audio-only, when more segments follow: one AAC frame early (the encoder's priming frame puts every
 * AAC packet a frame before its samples' time), so the packet that would straddle the next
 * segment's boundary belongs to the run that makes that segment. With video the run's last segment
 * may end up to an AAC frame of audio short of its video: audio running past it would overlap the
 * next run's first segment, and ffmpeg reading the stream as an HLS client reports the DTS going back.
 */
export function stopTime(spec: RunSpec, audioOnly: boolean): Rational {
  const length = runDuration(spec.plan, spec.from, spec.until);
  if (spec.until >= spec.plan.segments.length || !audioOnly) return length;
  return subtract(length, AAC_FRAME);
}

/**
 * `-audio_preload` (µs) for an output with video and audio: the video's DTS delay, so each segment
 * holds the AAC packets stamped before its end. Why: ffmpeg interleaves packets by DTS, and x264's
 * B-frames put each IDR's DTS `min(bFrames, 2)` frames before its PTS (B-pyramid). Without a preload
 * the IDR that opens segment k+1 is written ahead of the last ~70 ms of segment k's audio, and the
 * segmenter's cut at that IDR puts them in k+1: segment k's audio ends well before its video.
 * hls.js's buffered end (audio ∩ video) then falls inside segment k, so on a level switch it loads
 * segment k again on the new level (one more download, or encode); the same audio adds nothing to
 * the buffer and hls.js reports `bufferAppendNoProgress`. No more than the delay: a packet stamped
 * past the boundary in segment k would overlap the first packet of a run that starts at k+1, and
 * ffmpeg reading the stream as an HLS client reports the DTS going back (docs/architecture.md "Timestamps").
 */
export function audioPreloadArgs(bFrames: number, frameRate: Rational): string[] {
  const dtsDelaySeconds = (Math.min(bFrames, 2) * frameRate.den) / frameRate.num;
  return dtsDelaySeconds === 0 ? [] : ['-audio_preload', String(Math.round(dtsDelaySeconds * 1e6))];
}

/** The B-frames of an output's x264: none for a split run's first output (`firstOutputThreads` set). */
export function outputBFrames(rung: VideoRung, firstOutput: boolean): number {
  return firstOutput ? 0 : DEVICE_PROFILES[rung.profile].h264.bFrames;
}

/**
 * A run ends where its last planned segment does, also when the source runs longer: `-t` for the
 * audio, and for the video an exact frame count (`-t` in microseconds could round in the first
 * frame of the next segment). `target`: stdout, or another pipe of a run with several outputs.
 */
export function outputArgs(spec: RunSpec, audioOnly: boolean, target = 'pipe:1'): string[] {
  const { plan, rung } = spec;
  const withVideo = plan.kind === 'video' && rung.kind === 'video' && !audioOnly;
  const preload = withVideo && mappedAudio(spec) !== undefined ? audioPreloadArgs(outputBFrames(rung, false), plan.frameRate) : [];
  return [
    ...(withVideo ? ['-frames:v', String(runFrameCount(plan, spec.from, spec.until))] : []),
    '-t', formatSeconds(stopTime(spec, audioOnly)),
    ...muxArgs(outputOffset(spec.plan, spec.from), [...BULK_OUTPUT, ...preload, ...(audioOnly ? ['-pes_payload_size', '0'] : [])], target),
  ];
}

/**
 * Muxer options of a run's main output (stdout), which the worker reads in bulk: ffmpeg writes its
 * 32 KiB output buffer when it is full, where to a pipe it would write every packet (thousands of
 * writes per minute, each waking the worker and costing it CPU).
 * A segment then closes at most 32 KiB of output later, a fraction of a segment at every rung. A
 * split run's first-segment output keeps writing every packet: a client is waiting for its segment.
 */
export const BULK_OUTPUT: readonly string[] = ['-flush_packets', '0'];

/**
 * MPEG-TS in source time, written as it comes (no mux delay): `extra` are muxer options. PAT, PMT
 * and SDT only every PSI_PERIOD_SECONDS: the segmenter starts every segment with PAT and PMT, and
 * ffmpeg's 100 ms default costs a low rung 33 kbit/s (docs/architecture.md "Playlists").
 */
export function muxArgs(offset: Rational, extra: readonly string[], target: string): string[] {
  const psiPeriod = String(PSI_PERIOD_SECONDS);
  return ['-output_ts_offset', formatSeconds(offset), '-muxdelay', '0', '-muxpreload', '0', '-pat_period', psiPeriod, '-sdt_period', psiPeriod, ...extra, '-f', 'mpegts', target];
}

export function checkRange(spec: RunSpec): void {
  const count = spec.plan.segments.length;
  if (!Number.isSafeInteger(spec.from) || spec.from < 0 || spec.from >= count || spec.until <= spec.from || spec.until > count) {
    throw new RangeError(`a run from ${spec.from} until ${spec.until} is outside 0…${count}`);
  }
}

/** The whole command line (less the binary) for one run of one rendition. */
export function transcodeArgs(spec: RunSpec): string[] {
  checkRange(spec);
  const start = seekTime(spec.plan, spec.from);
  const input = inputArgs(spec.input, start);
  const { rung, plan, facts } = spec;
  if (rung.kind === 'audio' || plan.kind === 'audio') {
    return [...input, '-vn', ...audioArgs(spec), ...outputArgs(spec, true)];
  }
  if (facts.video === undefined) throw new RangeError('a video rendition needs a source with video');
  return [...input, ...videoArgs(spec, facts.video, rung, plan), ...audioArgs(spec), ...outputArgs(spec, false)];
}

/** For logs and metrics: `180p@29.970`. */
export function describeRung(rung: VideoRung | AudioRung): string {
  return rung.kind === 'video' && rung.frameRate !== undefined ? `${rung.id}@${formatFrameRate(rung.frameRate)}` : rung.id;
}
