/**
 * The bitrate ladder: which renditions a video gets for a device profile. Rungs come from Apple's
 * HLS authoring ladder; a rung is kept when it does not enlarge the source and fits the profile.
 *
 * Cellular: the 234p rung (or, for a smaller source, one at the source's own size) is sized so its
 * whole transport stream declares BANDWIDTH ≤ CELLULAR_BITRATE_LIMIT: 80 kbit/s of video (its
 * declared peak is 1.25× that, see bandwidth.ts), AAC capped at 48 kbit/s, and the TS overhead.
 */
import type { Rational } from '../schedule/rational.js';
import { compare, rational } from '../schedule/rational.js';
import { checkFrameRate } from '../schedule/segment-schedule.js';
import type { DeclaredBandwidth, RateControl } from './bandwidth.js';
import { declaredBandwidth, rateControl } from './bandwidth.js';
import { codecsAttribute } from './codecs.js';
import type { Box, Size, VideoSource } from './geometry.js';
import { displaySize, fitScale, macroblocks, scaledEven, shortSide } from './geometry.js';
import type { DeviceProfile, H264Level, ProfileName } from './profiles.js';
import { DEVICE_PROFILES } from './profiles.js';

export interface RungSpec extends Box {
  readonly id: string;
  /** Video average bit/s (`-b:v`). */
  readonly videoBitrate: number;
  /** Frames per second this rung may carry before the frame rate is divided (Apple: ≤ 30 up to 540p). */
  readonly maxFrameRate: number;
  /** AAC bit/s at most, below the profile's (the cellular rung's budget). */
  readonly maxAudioBitrate?: number;
}

export const RUNGS: readonly RungSpec[] = Object.freeze([
  { id: '234p', shortSide: 234, longSide: 416, videoBitrate: 80_000, maxFrameRate: 30, maxAudioBitrate: 48_000 },
  { id: '360p', shortSide: 360, longSide: 640, videoBitrate: 365_000, maxFrameRate: 30 },
  { id: '540p', shortSide: 540, longSide: 960, videoBitrate: 2_000_000, maxFrameRate: 30 },
  { id: '720p', shortSide: 720, longSide: 1280, videoBitrate: 3_000_000, maxFrameRate: 60 },
  { id: '1080p', shortSide: 1080, longSide: 1920, videoBitrate: 6_000_000, maxFrameRate: 60 },
]);

/** Apple's rule for cellular networks: at least one variant whose BANDWIDTH is at or under this many bit/s. */
export const CELLULAR_BITRATE_LIMIT = 192_000;
/** Audio-only renditions, lowest first; `legacy` gets only the first. */
export const AUDIO_ONLY_BITRATES: readonly number[] = Object.freeze([64_000, 128_000]);

export interface AudioOnlySource {
  readonly audioOnly: true;
}

export type LadderSource = VideoSource | AudioOnlySource;

export interface VideoRung {
  readonly kind: 'video';
  /** Stable for a video and profile: `720p`, or `180p` for a rung at a small source's own size. */
  readonly id: string;
  readonly profile: ProfileName;
  readonly width: number;
  readonly height: number;
  /** Output frame rate (the source's, divided when the rung or level needs it); undefined if unknown. */
  readonly frameRate: Rational | undefined;
  readonly video: RateControl;
  /** AAC-LC bit/s; 0 when the source has no audio. */
  readonly audioBitrate: number;
  /** The HLS CODECS attribute. */
  readonly codecs: string;
  readonly bandwidth: DeclaredBandwidth;
  /** The rung meant for cellular networks: declared BANDWIDTH at or under CELLULAR_BITRATE_LIMIT. */
  readonly cellular: boolean;
}

export interface AudioRung {
  readonly kind: 'audio';
  readonly id: string;
  readonly profile: ProfileName;
  readonly audioBitrate: number;
  readonly codecs: string;
  readonly bandwidth: DeclaredBandwidth;
  readonly cellular: boolean;
}

export type Rung = VideoRung | AudioRung;

export function isAudioOnly(source: LadderSource): source is AudioOnlySource {
  return 'audioOnly' in source && source.audioOnly;
}

/**
 * The source's frame rate divided by the smallest whole number that brings it within the rung's
 * cap and the level's macroblock rate (60 → 30 fps for 1080p at level 4.0; 59.94 → 29.97).
 */
export function rungFrameRate(source: Rational, size: Size, maxFrameRate: number, level: H264Level): Rational {
  const levelLimit = rational(level.maxMacroblocksPerSecond, macroblocks(size));
  const limit = compare(levelLimit, rational(maxFrameRate)) < 0 ? levelLimit : rational(maxFrameRate);
  let divisor = 1;
  while (compare(rational(source.num, source.den * divisor), limit) > 0) divisor += 1;
  return rational(source.num, source.den * divisor);
}

function videoRung(source: VideoSource, profile: DeviceProfile, spec: RungSpec, size: Size): VideoRung {
  const hasAudio = source.hasAudio ?? true;
  const audioBitrate = hasAudio ? Math.min(profile.audioBitrate, spec.maxAudioBitrate ?? Infinity) : 0;
  const video = rateControl(spec.videoBitrate);
  const frameRate = source.frameRate && rungFrameRate(checkFrameRate(source.frameRate), size, spec.maxFrameRate, profile.h264.level);
  const bandwidth = declaredBandwidth({ video, frameRate, audioBitrate });
  return {
    kind: 'video',
    id: spec.id,
    profile: profile.name,
    width: size.width,
    height: size.height,
    frameRate,
    video,
    audioBitrate,
    codecs: codecsAttribute({ video: profile.h264, audio: hasAudio }),
    bandwidth,
    cellular: bandwidth.peak <= CELLULAR_BITRATE_LIMIT,
  };
}

/** A rung at the source's own size, for sources smaller than the smallest rung. */
function sourceSizedSpec(size: Size): RungSpec {
  const smallest = RUNGS[0];
  if (smallest === undefined) throw new Error('the ladder has no rungs');
  return { ...smallest, id: `${shortSide(size)}p`, shortSide: shortSide(size), longSide: Math.max(size.width, size.height) };
}

function videoLadder(source: VideoSource, profile: DeviceProfile): VideoRung[] {
  const display = displaySize(source);
  const fitting = RUNGS.filter((spec) => spec.shortSide <= profile.maxShortSide && fitScale(display, spec) <= 1);
  if (fitting.length === 0) {
    const size = scaledEven(display, 1);
    return [videoRung(source, profile, sourceSizedSpec(size), size)];
  }
  return fitting.map((spec) => videoRung(source, profile, spec, scaledEven(display, fitScale(display, spec))));
}

function audioLadder(profile: DeviceProfile): AudioRung[] {
  const bitrates = AUDIO_ONLY_BITRATES.filter((bitrate) => bitrate <= profile.audioBitrate);
  return bitrates.map((audioBitrate) => ({
    kind: 'audio',
    id: `audio-${audioBitrate / 1000}k`,
    profile: profile.name,
    audioBitrate,
    codecs: codecsAttribute({ audio: true }),
    bandwidth: declaredBandwidth({ audioBitrate }),
    cellular: declaredBandwidth({ audioBitrate }).peak <= CELLULAR_BITRATE_LIMIT,
  }));
}

/**
 * The renditions for `source` on `profile`, lowest first. Never above the source's size or the
 * profile's largest rung; always one cellular rung; an audio-only source gets audio renditions.
 */
export function chooseLadder(source: LadderSource, profileName: ProfileName): Rung[] {
  const profile = DEVICE_PROFILES[profileName];
  return isAudioOnly(source) ? audioLadder(profile) : videoLadder(source, profile);
}
